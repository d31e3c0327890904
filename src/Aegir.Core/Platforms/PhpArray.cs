namespace Aegir.Core.Platforms;

/// <summary>A PHP array literal as read, its entries in the file's order; a key is a string or a long.</summary>
public sealed class PhpArray
{
    readonly List<KeyValuePair<object, object?>> _entries = [];

    public IReadOnlyList<KeyValuePair<object, object?>> Entries => _entries;

    /// <summary>Adds an entry as PHP does: a key given again replaces the earlier value in its place.</summary>
    internal void Set(object key, object? value)
    {
        int at = _entries.FindIndex(e => e.Key.Equals(key));
        if (at >= 0) _entries[at] = new(key, value);
        else _entries.Add(new(key, value));
    }

    /// <summary>The next integer key PHP gives an entry without one: one past the largest integer key, else 0.</summary>
    internal long NextIndex => _entries.Select(e => e.Key).OfType<long>().DefaultIfEmpty(-1).Max() + 1;

    public bool TryGet(string key, out object? value)
    {
        foreach (var e in _entries)
            if (e.Key is string k && k == key) { value = e.Value; return true; }
        value = null;
        return false;
    }

    /// <summary>The values in order (a list such as aliases).</summary>
    public IEnumerable<object?> Values => _entries.Select(e => e.Value);
}
