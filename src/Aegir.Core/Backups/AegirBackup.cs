namespace Aegir.Core.Backups;

/// <summary>
/// One backup archive of a site: its database dump, its folders, and a manifest with the checksum of every member.
/// Described by a sidecar file beside the archive (name.json), so listing backups reads no archive.
/// </summary>
public sealed class AegirBackup
{
    public required string Path { get; init; }
    public required string Site { get; init; }
    public DateTimeOffset Created { get; init; }
    public string? Description { get; init; }
    /// <summary>zstd or gzip.</summary>
    public required string Compression { get; init; }
    /// <summary>The archive's size in bytes.</summary>
    public long Size { get; init; }
    public long DatabaseSize { get; init; }
    public long FilesSize { get; init; }
    /// <summary>Regular files of the site's folders in the archive (links not counted).</summary>
    public int FileCount { get; init; }
    public required string Platform { get; init; }
    public required string PlatformKind { get; init; }
    public string? PlatformVersion { get; init; }
    public required string DbType { get; init; }

    public string Name => System.IO.Path.GetFileName(Path);

    public override string ToString() => Path;

    internal static AegirBackup From(string path, BackupManifest manifest, BackupChecksums sums, long size, string compression) => new()
    {
        Path = path, Site = manifest.Uri, Created = manifest.Created, Description = manifest.Description, Compression = compression, Size = size,
        DatabaseSize = sums.Members.TryGetValue(BackupArchive.DatabaseMember, out var db) ? db.Size : 0,
        FilesSize = sums.Members.Where(m => m.Key.StartsWith(BackupArchive.SitePrefix, StringComparison.Ordinal)).Sum(m => m.Value.Size),
        FileCount = sums.Members.Count(m => m.Key.StartsWith(BackupArchive.SitePrefix, StringComparison.Ordinal) && !m.Value.Sha256.StartsWith("link:", StringComparison.Ordinal)),
        Platform = manifest.Platform, PlatformKind = manifest.PlatformKind, PlatformVersion = manifest.PlatformVersion, DbType = manifest.DbType,
    };
}
