using System.Globalization;
using Aegir.Core.Errors;
using Aegir.Core.Platforms;

namespace Aegir.Core.Operations.Aegir3;

/// <summary>
/// One of Aegir 3's named contexts as its alias file holds it (~/.drush/&lt;name&gt;.alias.drushrc.php:
/// <c>$aliases['name'] = array (...);</c>, written by var_export): its name, type and properties, read without running PHP.
/// </summary>
public sealed class Aegir3Alias
{
    public const string FileSuffix = ".alias.drushrc.php";

    Aegir3Alias(string name, string? type, PhpArray properties, string file)
    {
        Name = name;
        ContextType = type;
        Properties = properties;
        File = file;
    }

    /// <summary>The name Aegir gave it, without '@' (server_master, platform_d7, example.com).</summary>
    public string Name { get; }

    /// <summary>server, platform or site; null for a plain drush alias (not one of Aegir's contexts).</summary>
    public string? ContextType { get; }

    public PhpArray Properties { get; }

    public string File { get; }

    /// <summary>Reads one alias file's text; anything but the one $aliases assignment of plain data is refused, naming the file and line.</summary>
    public static Aegir3Alias Read(string file, string text)
    {
        var statements = PhpData.Parse(text, file);
        if (statements.Count != 1 || statements[0] is not { Target: { Variable: "aliases", Keys: [string name] }, Value: PhpArray properties })
        {
            var line = statements.Count > 1 ? statements[1].Line : statements.Count == 1 ? statements[0].Line : 0;
            throw ErrorCatalog.Aegir3ContextUnread(file, line, statements.Count == 0 ? "it assigns no alias"
                    : statements.Count > 1 ? $"it holds {statements.Count} statements where Aegir writes one ($aliases['name'] = array (...);)"
                    : "its statement is no $aliases['name'] = array (...);",
                "Put back the file Aegir wrote, or move this one out of the folder.");
        }
        properties.TryGet("context_type", out var type);
        return new Aegir3Alias(name, type as string, properties, file);
    }

    public bool Has(string key) => Properties.TryGet(key, out _);

    /// <summary>A property as text (numbers written plainly); null when absent, null, false or empty.</summary>
    public string? Text(string key)
    {
        if (!Properties.TryGet(key, out var v)) return null;
        return v switch
        {
            string s when s.Length > 0 => s,
            long n => n.ToString(CultureInfo.InvariantCulture),
            double d => d.ToString(CultureInfo.InvariantCulture),
            true => "1",
            PhpArray => throw Wrong(key, "a single value"),
            _ => null,
        };
    }

    /// <summary>A property PHP would take as true (1, '1', true, a non-empty string other than '0').</summary>
    public bool Flag(string key, bool absent)
        => !Properties.TryGet(key, out var v) ? absent
            : v switch { bool b => b, long n => n != 0, double d => d != 0, string s => s is not ("" or "0"), PhpArray a => a.Entries.Count > 0, _ => false };

    /// <summary>A list property: an array of strings, or a comma-separated string (as provision-save takes it).</summary>
    public IReadOnlyList<string> List(string key)
    {
        if (!Properties.TryGet(key, out var v) || v is null or false or "") return [];
        if (v is string s) return s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (v is PhpArray a)
            return a.Values.Select(x => x as string ?? throw Wrong(key, "a list of names")).Where(x => x.Length > 0).ToList();
        throw Wrong(key, "a list of names");
    }

    /// <summary>A property that names another context: '@server_master' or 'server_master'.</summary>
    public string? Reference(string key) => Text(key)?.TrimStart('@');

    public AegirException Wrong(string key, string expected)
        => ErrorCatalog.Aegir3ContextUnread(File, 0, $"its '{key}' is not {expected}", "Put back the value Aegir wrote.");
}
