using Aegir.Core.Yaml;

namespace Aegir.Core.Contexts;

/// <summary>What a change of a context record changes, one line per field, secrets masked: what -WhatIf prints for a record.</summary>
public static class ContextDiff
{
    public static IReadOnlyList<string> Lines(AegirContext? before, AegirContext after)
    {
        var now = Flatten(after);
        if (before is null)
            return [$"create the record of {after}: {string.Join(", ", now.Select(kv => $"{kv.Key} {Shown(kv.Key, kv.Value)}"))}"];
        var old = Flatten(before);
        var lines = new List<string>();
        foreach (var (key, value) in now)
            if (!old.TryGetValue(key, out var was) || was != value) lines.Add($"set {key} of {after} to {Shown(key, value)}");
        foreach (var key in old.Keys.Where(k => !now.ContainsKey(k)))
            lines.Add($"clear {key} of {after}");
        return lines.Count > 0 ? lines : [$"{after} is unchanged"];
    }

    static Dictionary<string, string> Flatten(AegirContext ctx)
    {
        var map = ContextSerializer.ParseTree(ctx.Path ?? ctx.Name, ContextSerializer.Serialize(ctx));
        var flat = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, node) in map.Entries)
            if (key is not ("type" or "name")) Add(flat, key, node);
        return flat;
    }

    static void Add(Dictionary<string, string> flat, string path, YamlNode node)
    {
        switch (node)
        {
            case YamlMap map:
                foreach (var (key, child) in map.Entries) Add(flat, path + "." + key, child);
                break;
            case YamlSequence seq:
                flat[path] = string.Join(", ", seq.Items.OfType<YamlScalar>().Select(s => s.Value));
                break;
            case YamlScalar s:
                flat[path] = s.Value ?? "";
                break;
        }
    }

    /// <summary>A value as a line may show it: passwords never.</summary>
    static string Shown(string key, string value) => key.EndsWith("password", StringComparison.Ordinal) ? "********" : value;
}
