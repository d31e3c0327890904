using System.Formats.Tar;
using System.Text.Json;
using Aegir.Core.Errors;
using Aegir.Core.IO;

namespace Aegir.Core.Backups;

/// <summary>
/// The layout of a backup: a tar (zstd or gzip) holding manifest.json first, then database.sql, then the site's
/// folders under site/ (paths relative to the platform's root), then checksums.json with the size and SHA-256 of
/// every member before it. Beside it, name.json repeats manifest and checksums for listings.
/// </summary>
public static class BackupArchive
{
    public const string ManifestMember = "manifest.json";
    public const string DatabaseMember = "database.sql";
    public const string ChecksumsMember = "checksums.json";
    public const string SitePrefix = "site/";

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
        => ErrorCatalog.StepFailed("BackupUnsafe", "Reading the backup", $"the member '{Printable(name)}' is refused: {why}", "Use an archive made by Backup-AegirSite; this one was altered or made by something else.");
}

/// <summary>Writes a backup archive member by member, counting and hashing each.</summary>
public sealed class BackupArchiveWriter : IDisposable
{
    readonly Stream _compressed;
    readonly TarWriter _tar;
    readonly Action<long>? _progress;
    public BackupChecksums Checksums { get; } = new();

    BackupArchiveWriter(Stream compressed, Action<long>? progress)
    {
        _compressed = compressed;
        _tar = new TarWriter(compressed, TarEntryFormat.Pax, leaveOpen: true);
        _progress = progress;
    }

    /// <summary>Creates the archive file (0600, never replacing one) and starts writing it.</summary>
    public static BackupArchiveWriter Create(string path, string compression, Action<string> log, Action<long>? progress = null)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = AtomicFile.OwnerOnly };
        var file = new FileStream(path, options);
        try { return new BackupArchiveWriter(ArchiveCompression.Compress(file, compression, log), progress); }
        catch { file.Dispose(); throw; }
    }

    public void AddJson(string name, object value)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), BackupManifest.Json);
        Add(name, new MemoryStream(bytes), bytes.Length, DateTimeOffset.UtcNow, AtomicFile.OwnerOnly);
    }

    /// <summary>Adds a local file (a spooled database dump) as a member.</summary>
    public void AddFile(string name, string path)
    {
        using var file = File.OpenRead(path);
        Add(name, file, file.Length, DateTimeOffset.UtcNow, AtomicFile.OwnerOnly);
    }

    /// <summary>Adds the entries of a tar stream (the site's folders, as the web server's tar wrote them) under site/.</summary>
    public void AddTree(Stream tarStream)
    {
        using var reader = new TarReader(tarStream, leaveOpen: true);
        while (reader.GetNextEntry() is { } entry)
            AddEntry(entry, BackupArchive.SitePrefix + entry.Name.TrimEnd('/'), BackupArchive.SitePrefix + entry.LinkName.TrimEnd('/'));
    }

    /// <summary>
    /// Adds one entry of another tar under <paramref name="name"/>: folders, links, hard links (to <paramref name="hardLink"/>,
    /// the member they share their data with, as it is named here) and files; devices and fifos have no place in a
    /// site's folders. An owner given replaces the entry's own (an archive from another machine).
    /// </summary>
    public void AddEntry(TarEntry entry, string name, string? hardLink, (string User, string Group)? owner = null)
    {
        var copy = new PaxTarEntry(entry.EntryType is TarEntryType.V7RegularFile ? TarEntryType.RegularFile : entry.EntryType, name)
        {
            Mode = entry.Mode, ModificationTime = entry.ModificationTime, Uid = entry.Uid, Gid = entry.Gid,
        };
        if (owner is { } o) { copy.Uid = 0; copy.Gid = 0; copy.UserName = o.User; copy.GroupName = o.Group; }
        else if (entry is PosixTarEntry posix) { copy.UserName = posix.UserName; copy.GroupName = posix.GroupName; }
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                _tar.WriteEntry(copy);
                break;
            case TarEntryType.SymbolicLink:
                copy.LinkName = entry.LinkName;
                _tar.WriteEntry(copy);
                Checksums.Members[name] = new BackupMember(0, "link:" + entry.LinkName);
                break;
            case TarEntryType.HardLink when hardLink is not null:
                copy.LinkName = hardLink;
                _tar.WriteEntry(copy);
                Checksums.Members[name] = new BackupMember(0, "hardlink:" + hardLink);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                using (var data = new CountingHashStream(entry.DataStream ?? Stream.Null, entry.Length, n => _progress?.Invoke(n)))
                {
                    copy.DataStream = data;
                    _tar.WriteEntry(copy);
                    Checksums.Members[name] = new BackupMember(data.BytesRead, data.Sha256());
                }
                break;
            default:
                throw ErrorCatalog.MemberRefused("the backup", name, $"it is a {BackupArchive.Describe(entry.EntryType)}, which a site's folders do not hold");
        }
    }

    /// <summary>Adds a stream of known length (a dump read from another archive) as a member.</summary>
    public void AddStream(string name, Stream source, long length) => Add(name, source, length, DateTimeOffset.UtcNow, AtomicFile.OwnerOnly);

    void Add(string name, Stream source, long length, DateTimeOffset time, UnixFileMode mode)
    {
        using var data = new CountingHashStream(source, length, n => _progress?.Invoke(n));
        _tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = data, ModificationTime = time, Mode = mode });
        Checksums.Members[name] = new BackupMember(data.BytesRead, data.Sha256());
    }

    /// <summary>Writes checksums.json and finishes the file.</summary>
    public void Finish()
    {
        var sums = JsonSerializer.SerializeToUtf8Bytes(Checksums, BackupManifest.Json);
        _tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, BackupArchive.ChecksumsMember) { DataStream = new MemoryStream(sums), ModificationTime = DateTimeOffset.UtcNow, Mode = AtomicFile.OwnerOnly });
        _tar.Dispose();
        _compressed.Dispose();
    }

    public void Dispose()
    {
        try { _tar.Dispose(); } catch (IOException) { }
        try { _compressed.Dispose(); } catch (IOException) { }
    }
}
