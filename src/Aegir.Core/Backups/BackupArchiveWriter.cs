using System.Formats.Tar;
using System.Text.Json;
using Aegir.Core.Errors;
using Aegir.Core.IO;

namespace Aegir.Core.Backups;

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

    /// <summary>
    /// Adds the entries of a tar stream (the site's folders, as the web server's tar wrote them) under site/.
    /// <paramref name="refused"/> makes the error for an entry no site's folders hold (its name in the stream, its
    /// type in words), so it names the file where it is rather than a member of an archive.
    /// </summary>
    public void AddTree(Stream tarStream, Func<string, string, Exception> refused)
    {
        using var reader = new TarReader(tarStream, leaveOpen: true);
        while (reader.GetNextEntry() is { } entry)
        {
            if (!Holds(entry.EntryType)) throw refused(entry.Name.TrimEnd('/'), BackupArchive.Describe(entry.EntryType));
            AddEntry(entry, BackupArchive.SitePrefix + entry.Name.TrimEnd('/'), BackupArchive.SitePrefix + entry.LinkName.TrimEnd('/'));
        }
    }

    /// <summary>The types a site's folders hold: devices and fifos have no place there.</summary>
    static bool Holds(TarEntryType type) => type is TarEntryType.Directory or TarEntryType.SymbolicLink or TarEntryType.HardLink
        or TarEntryType.RegularFile or TarEntryType.V7RegularFile;

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
