using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Aegir.Core.Yaml;

/// <summary>
/// Parsed YAML trees keyed by the SHA-256 of the file's bytes, kept in one binary file. Listing thousands of
/// contexts then reads the files and hashes them (cheap), and parses only those it has not seen.
/// Keyed by content, never by time stamps, so a changed file can never be served from the cache.
/// Any problem with the cache file just means parsing again. Loading it only finds where each tree is; a tree is
/// decoded when asked for (by the listing's threads, each a tree of its own), and one not asked for again is
/// copied into the next cache file as it was.
/// </summary>
public sealed class YamlTreeCache
{
    const string Magic = "AEGIR-YAML-TREES-2";
    readonly byte[] _bytes;
    readonly Dictionary<(ulong, ulong), (int Offset, int Length)> _entries;

    YamlTreeCache(byte[] bytes, Dictionary<(ulong, ulong), (int, int)> entries)
    {
        _bytes = bytes;
        _entries = entries;
    }

    public int Count => _entries.Count;

    public static (ulong, ulong) Key(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(content, hash);
        return (BinaryPrimitives.ReadUInt64LittleEndian(hash), BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]));
    }

    public bool Contains((ulong, ulong) key) => _entries.ContainsKey(key);

    /// <summary>The tree of that content, decoded now (each call gets maps of its own); false when not cached or not readable.</summary>
    public bool TryGet((ulong, ulong) key, out YamlMap map)
    {
        map = null!;
        if (!_entries.TryGetValue(key, out var at)) return false;
        try
        {
            using var reader = new BinaryReader(new MemoryStream(_bytes, at.Offset, at.Length, writable: false));
            if (ReadNode(reader, 0) is not YamlMap read) return false;
            map = read;
            return true;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or ArgumentException) { return false; }
    }

    /// <summary>Reads the cache file; an absent, foreign or damaged file gives an empty cache.</summary>
    public static YamlTreeCache Load(string path)
    {
        var entries = new Dictionary<(ulong, ulong), (int, int)>();
        byte[] bytes = [];
        try
        {
            bytes = File.ReadAllBytes(path);
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false));
            if (reader.ReadString() != Magic) return new YamlTreeCache([], entries);
            int count = reader.ReadInt32();
            entries.EnsureCapacity(Math.Min(count, bytes.Length / 20));
            for (int i = 0; i < count; i++)
            {
                var key = (reader.ReadUInt64(), reader.ReadUInt64());
                int length = reader.ReadInt32();
                var offset = (int)reader.BaseStream.Position;
                if (length < 0 || offset + length > bytes.Length) throw new InvalidDataException("cache entry past its end");
                entries[key] = (offset, length);
                reader.BaseStream.Position = offset + length;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or FormatException or ArgumentException)
        {
            entries.Clear();
        }
        return new YamlTreeCache(bytes, entries);
    }

    /// <summary>
    /// Writes exactly these entries (so trees of deleted files drop out), atomically and private: a tree given is
    /// written, one given as null is copied from <paramref name="old"/>.
    /// </summary>
    public static void Save(string path, IEnumerable<KeyValuePair<(ulong, ulong), YamlMap?>> entries, YamlTreeCache? old = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            var list = entries.Where(e => e.Value is not null || old?._entries.ContainsKey(e.Key) == true).ToList();
            writer.Write(Magic);
            writer.Write(list.Count);
            foreach (var ((a, b), map) in list)
            {
                writer.Write(a);
                writer.Write(b);
                if (map is null)
                {
                    var (offset, length) = old!._entries[(a, b)];
                    writer.Write(length);
                    writer.Write(old._bytes, offset, length);
                    continue;
                }
                var lengthAt = buffer.Position;
                writer.Write(0);
                WriteNode(writer, map);
                writer.Flush();
                var end = buffer.Position;
                buffer.Position = lengthAt;
                writer.Write((int)(end - lengthAt - 4));
                writer.Flush();
                buffer.Position = end;
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
}
