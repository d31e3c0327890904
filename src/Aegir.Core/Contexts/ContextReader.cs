using Aegir.Core.Errors;
using Aegir.Core.Yaml;

namespace Aegir.Core.Contexts;

/// <summary>Reads properties out of a context file; every failure names the file and line.</summary>
internal sealed class ContextReader(string file, YamlMap map)
{
    public string File { get; } = file;
    public YamlMap Map { get; } = map;

    public string? String(string key) => String(Map, key);

    public string? String(YamlMap map, string key) => map.Get(key) switch
    {
        null => null,
        YamlScalar s => s.Value,
        var node => throw Corrupt(node, $"'{key}' must be a single value"),
    };

    public string Required(string key) => String(key) ?? throw Corrupt(Map, $"'{key}' is missing");

    /// <summary>A list of values, each checked by <paramref name="check"/> so an error names the item's own line.</summary>
    public List<string> List(string key, Func<string, string> check) => Map.Get(key) switch
    {
        null or YamlScalar { Value: null } => [],
        YamlSequence seq => seq.Items.Select(i => i is YamlScalar { Value: { } v } ? Checked(i, v, check) : throw Corrupt(i, $"'{key}' must be a list of values")).ToList(),
        var node => throw Corrupt(node, $"'{key}' must be a list ('- value' lines)"),
    };

    string Checked(YamlNode node, string value, Func<string, string> check)
    {
        try { return check(value); }
        catch (AegirException ex) { throw Corrupt(node, ex.Message); }
    }

    public YamlMap? Mapping(string key) => Map.Get(key) switch
    {
        null or YamlScalar { Value: null } => null,
        YamlMap m => m,
        var node => throw Corrupt(node, $"'{key}' must be a mapping"),
    };

    /// <summary>Passes the value of <paramref name="key"/>, when present, to a validating setter.</summary>
    public void Apply(string key, Action<string> set) => Apply(Map, key, set);

    public void Apply(YamlMap map, string key, Action<string> set)
    {
        var value = String(map, key);
        if (value is null) return;
        try { set(value); }
        catch (AegirException ex) { throw Corrupt(map.Get(key), ex.Message); }
    }

    public bool Bool(string key)
    {
        var value = String(key);
        return value switch
        {
            null or "false" or "False" or "no" => false,
            "true" or "True" or "yes" => true,
            _ => throw Corrupt(Map.Get(key), $"'{key}' must be true or false"),
        };
    }

    public AegirException Corrupt(YamlNode? node, string problem) => ErrorCatalog.CorruptContext(File, node?.Line ?? 0, problem);
}
