using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Aegir.Core.Yaml;

/// <summary>
/// Parsed YAML trees keyed by the SHA-256 of the file's bytes, kept in one binary file. Listing thousands of
/// contexts then reads the files and hashes them (cheap), and parses only those it has not seen.
/// Keyed by content, never by time stamps, so a changed file can never be served from the cache.
/// Any problem with the cache file just means parsing again.
/// </summary>
public sealed class YamlTreeCache
{
    const string Magic = "AEGIR-YAML-TREES-1";
    readonly Dictionary<(ulong, ulong), YamlMap> _entries;

    YamlTreeCache(Dictionary<(ulong, ulong), YamlMap> entries) => _entries = entries;

    public int Count => _entries.Count;

    public static (ulong, ulong) Key(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(content, hash);
        return (BinaryPrimitives.ReadUInt64LittleEndian(hash), BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]));
    }

    public bool TryGet((ulong, ulong) key, out YamlMap map)
    {
        if (_entries.TryGetValue(key, out var cached)) { map = Copy(cached); return true; }
        map = null!;
        return false;
    }

    /// <summary>Reads the cache file; an absent, foreign or damaged file gives an empty cache.</summary>
    public static YamlTreeCache Load(string path)
    {
        var entries = new Dictionary<(ulong, ulong), YamlMap>();
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (reader.ReadString() != Magic) return new YamlTreeCache(entries);
            int count = reader.ReadInt32();
            for (int i = 0; i < count; i++)
            {
                var key = (reader.ReadUInt64(), reader.ReadUInt64());
                if (ReadNode(reader, 0) is YamlMap map) entries[key] = map;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or FormatException or ArgumentException)
        {
            entries.Clear();
        }
        return new YamlTreeCache(entries);
    }

    /// <summary>Writes exactly these entries (so trees of deleted files drop out), atomically and private.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<(ulong, ulong), YamlMap>> entries)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            var list = entries.ToList();
            writer.Write(Magic);
            writer.Write(list.Count);
            foreach (var ((a, b), map) in list)
            {
                writer.Write(a);
                writer.Write(b);
                WriteNode(writer, map);
            }
        }
        IO.AtomicFile.WriteAllBytes(path, buffer.ToArray());
    }

    enum Kind : byte { Null, Scalar, Sequence, Map }

    static void WriteNode(BinaryWriter w, YamlNode node)
    {
        switch (node)
        {
            case YamlScalar { Value: null }: w.Write((byte)Kind.Null); w.Write(node.Line); break;
            case YamlScalar s: w.Write((byte)Kind.Scalar); w.Write(node.Line); w.Write(s.Value); break;
            case YamlSequence seq:
                w.Write((byte)Kind.Sequence); w.Write(node.Line); w.Write(seq.Items.Count);
                foreach (var item in seq.Items) WriteNode(w, item);
                break;
            case YamlMap map:
                w.Write((byte)Kind.Map); w.Write(node.Line); w.Write(map.Entries.Count);
                foreach (var (key, value) in map.Entries) { w.Write(key); WriteNode(w, value); }
                break;
        }
    }

    static YamlNode ReadNode(BinaryReader r, int depth)
    {
        if (depth > 32) throw new InvalidDataException("cache nests too deep");
        var kind = (Kind)r.ReadByte();
        int line = r.ReadInt32();
        switch (kind)
        {
            case Kind.Null: return new YamlScalar(null, line);
            case Kind.Scalar: return new YamlScalar(r.ReadString(), line);
            case Kind.Sequence:
                int n = r.ReadInt32();
                var items = new List<YamlNode>(n);
                for (int i = 0; i < n; i++) items.Add(ReadNode(r, depth + 1));
                return new YamlSequence(items, line);
            case Kind.Map:
                int m = r.ReadInt32();
                var entries = new List<KeyValuePair<string, YamlNode>>(m);
                for (int i = 0; i < m; i++) entries.Add(new(r.ReadString(), ReadNode(r, depth + 1)));
                return new YamlMap(entries, line);
            default: throw new InvalidDataException("unknown node kind in cache");
        }
    }

    /// <summary>A map remembers which keys were read, so each use gets its own maps (scalars and lists are shared).</summary>
    static YamlMap Copy(YamlMap map)
        => new(map.Entries.Select(e => new KeyValuePair<string, YamlNode>(e.Key, e.Value is YamlMap m ? Copy(m) : e.Value)).ToList(), map.Line);
}
