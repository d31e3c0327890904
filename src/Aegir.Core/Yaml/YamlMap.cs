namespace Aegir.Core.Yaml;

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
