using Aegir.Core.IO;

namespace Aegir.Core.Backups;

/// <summary>The backups under $AEGIR_HOME/backups: archives named uri-YYYYMMDD.HHMMSS[_N].tar.zst (or .tar.gz), each with its sidecar.</summary>
public sealed class BackupStore(string home)
{
    public string Folder { get; } = Path.Combine(home, "backups");

    /// <summary>A new archive's path for a site, never one that exists (a second backup in the same second gets _2, _3 ...).</summary>
    public string NewPath(string uri, DateTimeOffset when, string compression)
    {
        AtomicFile.EnsurePrivateDirectory(Folder);
        var stem = $"{uri}-{when.UtcDateTime:yyyyMMdd.HHmmss}";
        var ext = ArchiveCompression.Extension(compression);
        for (int n = 1; ; n++)
        {
            var path = Path.Combine(Folder, (n == 1 ? stem : $"{stem}_{n}") + ext);
            if (!File.Exists(path) && !File.Exists(BackupArchive.SidecarOf(path))) return path;
        }
    }

    /// <summary>Backups with a readable sidecar, newest first; of one site when <paramref name="uri"/> is given.</summary>
    public IReadOnlyList<AegirBackup> List(string? uri = null)
    {
        if (!Directory.Exists(Folder)) return [];
        return Directory.EnumerateFiles(Folder, "*.json")
            .Select(sidecar => sidecar[..^".json".Length])
            .Where(archive => File.Exists(archive) && (uri is null || Path.GetFileName(archive).StartsWith(uri + "-", StringComparison.Ordinal)))
            .Select(BackupArchive.FromSidecar)
            .OfType<AegirBackup>()
            .Where(b => uri is null || b.Site == uri)
            .OrderByDescending(b => b.Created)
            .ThenByDescending(b => b.Path, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Deletes an archive and its sidecar.</summary>
    public static void Delete(string archive)
    {
        File.Delete(archive);
        File.Delete(BackupArchive.SidecarOf(archive));
    }
}
