using Aegir.Core.Errors;
using Aegir.Core.Yaml;

namespace Aegir.Core.Contexts;

/// <summary>Turns context files into objects and back.</summary>
internal static class ContextSerializer
{
    public static AegirContext Parse(string file, string name, string text) => FromTree(file, name, ParseTree(file, text));

    public static YamlMap ParseTree(string file, string text)
    {
        try { return YamlReader.ReadMapping(text); }
        catch (YamlFormatException ex) { throw ErrorCatalog.CorruptContext(file, ex.LineNumber, ex.Message, ex); }
    }

    /// <summary>Builds the context a file's YAML tree describes, checking every value.</summary>
    public static AegirContext FromTree(string file, string name, YamlMap map)
    {
        var r = new ContextReader(file, map);
        var type = ContextNames.TypeOf(name) ?? throw r.Corrupt(null, $"'{name}' is not a context name");
        var label = ContextNames.Label(type);
        var typeText = r.Required("type");
        if (typeText != label) throw r.Corrupt(map.Get("type"), $"'type' is '{typeText}', but the file name is that of a {label}");
        var stated = r.String("name");
        if (stated is not null && stated != name) throw r.Corrupt(map.Get("name"), $"'name' is '{stated}', but the file is named for '{name}'");

        AegirContext ctx;
        try
        {
            var canonical = ContextNames.Canonical("The file name", name, type);
            if (canonical != name) throw r.Corrupt(null, $"the file name should be '{canonical}{ContextNames.FileExtension}'");
            ctx = Create(type, name);
        }
        catch (AegirException ex) when (ex.ErrorId != "CorruptContextFile") { throw r.Corrupt(null, ex.Message); }

        ctx.Read(r);
        ctx.Extra = map.Unread().ToList();
        return ctx;
    }

    public static string Serialize(AegirContext ctx)
    {
        var w = new YamlWriter().Scalar("type", ContextNames.Label(ctx.Type)).Scalar("name", ctx.Name);
        ctx.Write(w);
        foreach (var (key, node) in ctx.Extra) w.Node(key, node);
        return w.ToString();
    }

    public static AegirContext Create(ContextType type, string name) => type switch
    {
        ContextType.Server => new AegirServer(name),
        ContextType.Platform => new AegirPlatform(name),
        ContextType.Site => new AegirSite(name),
        _ => new AegirClient(name),
    };
}
