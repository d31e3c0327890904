using System.Text;
using Aegir.Core.IO;

namespace Aegir.Core.Contexts;

/// <summary>
/// The site index as it is kept on disk: the version of the contexts folder it agrees with (its stamp), when the
/// versions of all record files were last compared with it, then for each site record the version of its file and its claims. Any problem reading it (absent, foreign, cut short) reads as no
/// index, which is then rebuilt from the records.
/// </summary>
internal static class SiteIndexFile
{
    const string Magic = "AEGIR-SITE-INDEX-2";
    const uint End = 0x5EA1_E11D;

    /// <summary>A record's entry; <paramref name="Raw"/> is its bytes in the file it was read from, written again as they are (a write of one site's record copies the others' entries rather than encoding 100,000 again).</summary>
    public sealed record Entry(Posix.FileVersion Version, SiteClaims Claims, ReadOnlyMemory<byte> Raw = default);

    public static (Posix.FileVersion Stamp, DateTimeOffset Swept, Dictionary<string, Entry> Entries)? Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return null; }
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            if (r.ReadString() != Magic) return null;
            var stamp = ReadVersion(r);
            var swept = DateTimeOffset.FromUnixTimeSeconds(r.ReadInt64());
            var count = r.ReadInt32();
            if (count < 0 || count > bytes.Length) return null;
            var entries = new Dictionary<string, Entry>(count, StringComparer.Ordinal);
            // Platform, client, db server and interval names repeat across thousands of sites: one string each.
            var shared = new Dictionary<string, string>(StringComparer.Ordinal);
            string? Shared()
            {
                if (!r.ReadBoolean()) return null;
                var s = r.ReadString();
                if (shared.TryGetValue(s, out var known)) return known;
                return shared[s] = s;
            }
            for (var i = 0; i < count; i++)
            {
                var start = (int)r.BaseStream.Position;
                var version = ReadVersion(r);
                var status = (SiteStatus)r.ReadByte();
                var acme = r.ReadBoolean();
                var hostCount = r.ReadInt32();
                if (hostCount <= 0 || hostCount > bytes.Length) return null;
                var hosts = new string[hostCount];
                for (var h = 0; h < hosts.Length; h++) hosts[h] = r.ReadString();
                var dbServer = Shared();
                var dbName = r.ReadBoolean() ? r.ReadString() : null;
                var claims = new SiteClaims(hosts[0], hosts, dbServer, dbName, status, Shared(), Shared(), Shared(), Shared(), acme, Shared());
                entries[claims.Name] = new Entry(version, claims, bytes.AsMemory(start, (int)r.BaseStream.Position - start));
            }
            if (r.ReadUInt32() != End || r.BaseStream.Position != bytes.Length) return null;
            return (stamp, swept, entries);
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or FormatException or ArgumentException or DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes the index whole (a reader sees the old one or this one). Not flushed to disk: after a crash of the
    /// machine a lost or cut index is rebuilt from the records, which are.
    /// </summary>
    public static void Write(string path, Posix.FileVersion stamp, DateTimeOffset swept, ICollection<Entry> entries)
    {
        AtomicFile.EnsurePrivateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.Write(path, stream =>
        {
            // Not disposed: that would close the temp file before AtomicFile flushes and renames it.
            var buffered = new BufferedStream(stream, 1 << 16);
            var w = new BinaryWriter(buffered, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            WriteVersion(w, stamp);
            w.Write(swept.ToUnixTimeSeconds());
            w.Write(entries.Count);
            foreach (var (version, c, raw) in entries)
            {
                if (!raw.IsEmpty)
                {
                    w.Write(raw.Span);
                    continue;
                }
                WriteVersion(w, version);
                w.Write((byte)c.Status);
                w.Write(c.Acme);
                w.Write(c.HostNames.Count);
                foreach (var host in c.HostNames) w.Write(host);
                foreach (var s in (ReadOnlySpan<string?>)[c.DbServerName, c.DbName, c.CronInterval, c.BackupInterval, c.StatisticsInterval, c.ClientName, c.PlatformName])
                {
                    w.Write(s is not null);
                    if (s is not null) w.Write(s);
                }
            }
            w.Write(End);
            w.Flush();
            buffered.Flush();
        }, durable: false);
    }

    static Posix.FileVersion ReadVersion(BinaryReader r) => new(r.ReadUInt64(), r.ReadUInt64(), r.ReadInt64(), r.ReadUInt32());

    static void WriteVersion(BinaryWriter w, Posix.FileVersion v)
    {
        w.Write(v.Inode);
        w.Write(v.Size);
        w.Write(v.ChangeSeconds);
        w.Write(v.ChangeNanoseconds);
    }
}
