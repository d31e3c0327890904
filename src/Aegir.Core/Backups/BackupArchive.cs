using System.Formats.Tar;
using System.Text.Json;
using Aegir.Core.Errors;
using Aegir.Core.IO;

namespace Aegir.Core.Backups;

/// <summary>
/// The layout of a backup: a tar (zstd or gzip) holding manifest.json first, then the certificate of a site served
/// over HTTPS under certificate/ (the store's record, the certificate with its chain, and its key), then database.sql,
/// then the site's folders under site/ (paths relative to the platform's root), then checksums.json with the size and
/// SHA-256 of every member before it. Beside it, name.json repeats manifest and checksums for listings.
/// </summary>
public static class BackupArchive
{
    public const string ManifestMember = "manifest.json";
    public const string DatabaseMember = "database.sql";
    public const string ChecksumsMember = "checksums.json";
    public const string SitePrefix = "site/";
    public const string CertificatePrefix = "certificate/";
    /// <summary>The members under certificate/, as the certificate store names its files.</summary>
    public static readonly IReadOnlyList<string> CertificateMembers = ["certificate.json", "fullchain.pem", "key.pem"];

    /// <summary>The description beside an archive.</summary>
    public static string SidecarOf(string archive) => archive + ".json";

    internal sealed record Sidecar(BackupManifest Manifest, BackupChecksums Checksums, long Size, string Compression);

    internal static void WriteSidecar(string archive, BackupManifest manifest, BackupChecksums sums, string compression)
    {
        var sidecar = new Sidecar(manifest, sums, new FileInfo(archive).Length, compression);
        AtomicFile.WriteAllBytes(SidecarOf(archive), JsonSerializer.SerializeToUtf8Bytes(sidecar, BackupManifest.Json));
    }

    /// <summary>The backup an archive is, from its sidecar; null when there is none or it does not read.</summary>
    public static AegirBackup? FromSidecar(string archive)
    {
        try
        {
            var sidecar = JsonSerializer.Deserialize<Sidecar>(File.ReadAllBytes(SidecarOf(archive)), BackupManifest.Json);
            return sidecar is null ? null : AegirBackup.From(archive, sidecar.Manifest, sidecar.Checksums, sidecar.Size, sidecar.Compression);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The site an archive is a backup of: its manifest's uri, or the one an Aegir 3 backup's file name gives.</summary>
    public static string SiteOf(string archive, Action<string> log)
    {
        using (var ours = BackupArchiveReader.TryOpen(archive, log))
            if (ours is not null) return ours.Manifest.Uri;
        return Aegir3Archive.UriOf(archive) is { } named ? Contexts.Validate.SiteHost("Uri", named)
            : throw ErrorCatalog.InvalidValue("Path", archive, "its name does not say which site it is (Aegir 3 names its backups uri-YYYYMMDD.HHMMSS.tar.gz)", "Give the site's uri with -Uri.");
    }

    /// <summary>The platform an archive of this module's says it was taken on (a hint, never trusted to choose); null for another archive.</summary>
    public static string? PlatformOf(string archive, Action<string> log)
    {
        using var ours = BackupArchiveReader.TryOpen(archive, log);
        return ours?.Manifest.Platform;
    }

    /// <summary>Reads an archive whole to describe it (an archive from elsewhere, without its sidecar): its manifest and checksums, checked.</summary>
    public static AegirBackup Describe(string archive, Action<string> log)
    {
        using var reader = BackupArchiveReader.Open(archive, log);
        while (reader.Next() is { } entry) reader.Skip(entry);
        var sums = reader.Finish();
        return AegirBackup.From(archive, reader.Manifest, sums, new FileInfo(archive).Length, ArchiveCompression.Detect(archive)!);
    }

    /// <summary>
    /// Refuses a member name that could land outside where it is extracted: absolute, with .., or below a symbolic
    /// link the archive made earlier.
    /// </summary>
    internal static string SafeName(string name, ISet<string> links)
    {
        var trimmed = name.TrimEnd('/');
        if (trimmed.Length == 0 || trimmed.StartsWith('/') || trimmed.Split('/').Any(p => p is ".." or "." or ""))
            throw Unsafe(name, "its path is absolute or climbs out with ..");
        for (int i = trimmed.IndexOf('/'); i > 0; i = trimmed.IndexOf('/', i + 1))
            if (links.Contains(trimmed[..i])) throw Unsafe(name, $"it lies below the symbolic link {trimmed[..i]} the archive made");
        return trimmed;
    }

    /// <summary>A member's type in words, for a message.</summary>
    public static string Describe(TarEntryType type) => type switch
    {
        TarEntryType.CharacterDevice => "character device",
        TarEntryType.BlockDevice => "block device",
        TarEntryType.Fifo => "named pipe",
        TarEntryType.HardLink => "hard link",
        TarEntryType.SymbolicLink => "symbolic link",
        _ => $"member of tar type {type}",
    };

    /// <summary>A member name for a message: control characters (a terminal's escapes) shown as '?', and no longer than 200.</summary>
    public static string Printable(string name)
    {
        var shown = new string(name.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return shown.Length > 200 ? shown[..200] + "…" : shown;
    }

    static AegirException Unsafe(string name, string why)
        => ErrorCatalog.StepFailed(ErrorIds.BackupUnsafe, "Reading the backup", $"the member '{Printable(name)}' is refused: {why}", "Use an archive made by Backup-AegirSite; this one was altered or made by something else.");
}

