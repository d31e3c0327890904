namespace Aegir.Core.Yaml;

/// <summary>A parsed YAML node that remembers its line, so errors can point into the file.</summary>
public abstract class YamlNode
{
    protected YamlNode(int line) => Line = line;
    public int Line { get; }
}

/// <summary>A scalar; <see cref="Value"/> is null for a plain null (<c>~</c>, <c>null</c> or nothing).</summary>
public sealed class YamlScalar(string? value, int line) : YamlNode(line)
{
    public string? Value { get; } = value;
}

public sealed class YamlSequence(List<YamlNode> items, int line) : YamlNode(line)
{
    public IReadOnlyList<YamlNode> Items { get; } = items;
}

/// <summary>A mapping with string keys in file order; remembers which keys were read so the rest can be kept.</summary>
public sealed class YamlMap : YamlNode
{
    readonly List<KeyValuePair<string, YamlNode>> _entries;
    readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public YamlMap(List<KeyValuePair<string, YamlNode>> entries, int line) : base(line) => _entries = entries;

    public IReadOnlyList<KeyValuePair<string, YamlNode>> Entries => _entries;

    public YamlNode? Get(string key)
    {
        lock (_read) _read.Add(key);   // parsed trees are shared between readers (the store's caches)
        foreach (var e in _entries)
            if (e.Key == key) return e.Value;
        return null;
    }

    /// <summary>Entries no reader asked for: kept and written back so a newer file survives an older module.</summary>
    public IEnumerable<KeyValuePair<string, YamlNode>> Unread()
    {
        lock (_read) return _entries.Where(e => !_read.Contains(e.Key)).ToList();
    }
}
