using System.Formats.Tar;
using System.Text.Json;
using Aegir.Core.Errors;

namespace Aegir.Core.Backups;

/// <summary>
/// Reads a backup archive in order: the manifest first (so a wrong archive is refused before anything is read
/// further), then each member, hashing what is read; <see cref="Finish"/> compares every hash with checksums.json.
/// </summary>
public sealed class BackupArchiveReader : IDisposable
{
    readonly string _path;
    readonly Stream _stream;
    readonly TarReader _tar;
    readonly Dictionary<string, BackupMember> _seen = new(StringComparer.Ordinal);
    readonly HashSet<string> _links = new(StringComparer.Ordinal);
    BackupChecksums? _checksums;
    CountingHashStream? _current;
    string? _currentName;

    public BackupManifest Manifest { get; }

    BackupArchiveReader(string path, Stream stream, TarReader tar, TarEntry first)
    {
        _path = path;
        _stream = stream;
        _tar = tar;
        using var data = new CountingHashStream(first.DataStream!, first.Length);
        try { Manifest = JsonSerializer.Deserialize<BackupManifest>(data, BackupManifest.Json) ?? throw Broken("its manifest is empty"); }
        catch (JsonException ex) { throw Broken($"its manifest does not read as JSON{(ex.LineNumber is { } line ? $" (line {line + 1})" : "")}"); }
        if (Manifest.Format != 1) throw Broken($"its format {Manifest.Format} is newer than this module reads");
        Manifest.Check(Broken);
        _seen[first.Name] = new BackupMember(data.BytesRead, data.Sha256());
    }

    public static BackupArchiveReader Open(string path, Action<string> log)
        => TryOpen(path, log) ?? throw ErrorCatalog.StepFailed(ErrorIds.BackupBroken, $"Reading {path}", "it does not begin with manifest.json: it was not made by Backup-AegirSite",
            "An Aegir 3 or BOA site backup (a tar of the site's folder with database.sql) is taken in with Import-AegirSite -Path.");

    /// <summary>Opens an archive of this module's; null for a tar that does not begin with manifest.json (an Aegir 3 backup, or another tool's).</summary>
    public static BackupArchiveReader? TryOpen(string path, Action<string> log)
    {
        if (!File.Exists(path)) throw ErrorCatalog.InvalidValue("Path", path, "there is no such file", "Give the path of a backup archive (Get-AegirBackup lists them).");
        var stream = ArchiveCompression.Decompress(path, log);
        TarReader? tar = null;
        try
        {
            tar = new TarReader(stream, leaveOpen: true);
            var first = tar.GetNextEntry();
            if (first is not null && first.Name == BackupArchive.ManifestMember && first.DataStream is not null)
                return new BackupArchiveReader(path, stream, tar, first);
            tar.Dispose();
            stream.Dispose();
            return null;
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
        {
            tar?.Dispose();
            stream.Dispose();
            throw ErrorCatalog.StepFailed(ErrorIds.BackupBroken, $"Reading {path}", $"it is not a readable backup archive ({Why(ex)})", "Use an archive made by Backup-AegirSite.");
        }
        catch
        {
            tar?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The next member (its name checked for safety), or null after the last one before checksums.json.</summary>
    public TarEntry? Next()
    {
        Settle();
        TarEntry? entry;
        try { entry = _tar.GetNextEntry(); }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException) { throw Broken($"it is cut short or damaged ({Why(ex)})"); }
        if (entry is null) return null;
        if (entry.Name == BackupArchive.ChecksumsMember)
        {
            try { _checksums = JsonSerializer.Deserialize<BackupChecksums>(entry.DataStream!, BackupManifest.Json); }
            catch (JsonException) { throw Broken("its checksums do not read as JSON"); }
            // checksums.json is the last member: anything after it is no part of the backup.
            try
            {
                if (_tar.GetNextEntry() is { } after) throw Broken($"it holds {BackupArchive.Printable(after.Name)} after checksums.json, where the archive ends");
            }
            catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException) { throw Broken($"it is damaged after checksums.json ({Why(ex)})"); }
            return null;
        }
        var name = BackupArchive.SafeName(entry.Name, _links);
        if (entry.EntryType == TarEntryType.SymbolicLink)
        {
            _links.Add(name);
            _seen[name] = new BackupMember(0, "link:" + entry.LinkName);
        }
        else if (entry.EntryType == TarEntryType.HardLink) _seen[name] = new BackupMember(0, "hardlink:" + entry.LinkName);
        return entry;
    }

    /// <summary>The member's data, hashed as it is read (read it whole, or call <see cref="Skip"/>).</summary>
    public Stream Data(TarEntry entry, Action<int>? progress = null)
    {
        _current = new CountingHashStream(entry.DataStream ?? Stream.Null, entry.Length, progress);
        _currentName = entry.Name.TrimEnd('/');
        return _current;
    }

    public void Skip(TarEntry entry)
    {
        if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile) Data(entry).CopyTo(Stream.Null);
    }

    void Settle()
    {
        if (_current is null) return;
        _current.CopyTo(Stream.Null);   // what the caller left unread still counts
        _seen[_currentName!] = new BackupMember(_current.BytesRead, _current.Sha256());
        _current.Dispose();
        _current = null;
    }

    /// <summary>After the last member: every member's size and hash must be what checksums.json says, and nothing missing.</summary>
    public BackupChecksums Finish()
    {
        Settle();
        if (_checksums is null) throw Broken("it has no checksums.json at its end (it was cut short)");
        foreach (var (name, expected) in _checksums.Members)
        {
            if (!_seen.TryGetValue(name, out var actual)) throw Broken($"the member {name} is missing");
            if (actual != expected) throw Broken($"the member {name} does not match its checksum (damaged or altered)");
        }
        foreach (var name in _seen.Keys)
            if (!_checksums.Members.ContainsKey(name)) throw Broken($"the member {name} is not in its checksums (added later)");
        return _checksums;
    }

    /// <summary>What kind of damage, in words of this module's: a reader's own message can quote the archive's bytes.</summary>
    internal static string Why(Exception ex) => ex switch
    {
        EndOfStreamException => "it ends in the middle of a member",
        FormatException => "a member's header is not a tar header",
        _ => "its compressed data or tar structure is damaged",
    };

    AegirException Broken(string why)
        => ErrorCatalog.StepFailed(ErrorIds.BackupBroken, $"Reading {_path}", why, "Use another backup (Get-AegirBackup lists them); this one cannot be trusted.");

    public void Dispose()
    {
        _current?.Dispose();
        _tar.Dispose();
        _stream.Dispose();
    }
}
