using Aegir.Core.Yaml;

namespace Aegir.Core.Contexts;

/// <summary>Field-level differences between two versions of a context file, and putting old values back.</summary>
internal static class ContextFields
{
    const string SetKey = "set";
    const string UnsetKey = "unset";

    /// <summary>Top-level keys whose values differ (or exist in only one of the two).</summary>
    public static IReadOnlyList<string> Changed(YamlMap before, YamlMap after)
    {
        var keys = before.Entries.Select(e => e.Key).Union(after.Entries.Select(e => e.Key), StringComparer.Ordinal);
        return keys.Where(k => !Same(Find(before, k), Find(after, k))).ToList();
    }

    /// <summary>The old values of <paramref name="keys"/>: those that existed under "set", the others under "unset".</summary>
    public static string Save(YamlMap before, IReadOnlyList<string> keys)
    {
        var w = new YamlWriter().BeginMap(SetKey);
        var unset = new List<string>();
        foreach (var key in keys)
        {
            if (Find(before, key) is { } node) w.Node(key, node);
            else unset.Add(key);
        }
        return w.EndMap().List(UnsetKey, unset).ToString();
    }

    /// <summary>The current tree with the saved old values put back.</summary>
    public static YamlMap Apply(YamlMap current, YamlMap saved)
    {
        var set = saved.Get(SetKey) as YamlMap;
        var unset = (saved.Get(UnsetKey) as YamlSequence)?.Items.OfType<YamlScalar>().Select(s => s.Value).ToHashSet(StringComparer.Ordinal) ?? [];
        var entries = current.Entries.Where(e => !unset.Contains(e.Key)).ToList();
        foreach (var (key, node) in set?.Entries ?? [])
        {
            int i = entries.FindIndex(e => e.Key == key);
            if (i >= 0) entries[i] = new(key, node);
            else entries.Add(new(key, node));
        }
        return new YamlMap(entries, current.Line);
    }

    static YamlNode? Find(YamlMap map, string key) => map.Entries.FirstOrDefault(e => e.Key == key).Value;

    static bool Same(YamlNode? a, YamlNode? b) => (a, b) switch
    {
        (null, null) => true,
        (YamlScalar x, YamlScalar y) => x.Value == y.Value,
        (YamlSequence x, YamlSequence y) => x.Items.Count == y.Items.Count && x.Items.Zip(y.Items).All(p => Same(p.First, p.Second)),
        (YamlMap x, YamlMap y) => x.Entries.Count == y.Entries.Count && x.Entries.Zip(y.Entries).All(p => p.First.Key == p.Second.Key && Same(p.First.Value, p.Second.Value)),
        _ => false,
    };
}
