using Aegir.Core.Errors;
using Scriban;
using Scriban.Runtime;

namespace Aegir.Core.Templates;

/// <summary>
/// Renders the Scriban templates shipped inside the engine; a file of the same name in
/// <c>$AEGIR_HOME/templates/</c> takes precedence, so an admin can change any generated file.
/// </summary>
public sealed class TemplateRenderer(string home)
{
    public string OverridePath(string name) => Path.Combine(home, "templates", name);

    public string Render(string name, IReadOnlyDictionary<string, object?> model)
    {
        var (source, origin) = Load(name);
        return RenderText(source, origin, model);
    }

    /// <summary>Renders a template that is not one of ours (an application's settings template), named by <paramref name="origin"/> in errors.</summary>
    public string RenderText(string source, string origin, IReadOnlyDictionary<string, object?> model)
    {
        var template = Template.Parse(source, origin);
        if (template.HasErrors)
            throw ErrorCatalog.TemplateBroken(origin, string.Join("; ", template.Messages.Select(m => m.ToString())));
        var globals = new ScriptObject();
        foreach (var (key, value) in model) globals.Add(key, value);
        var context = new TemplateContext { StrictVariables = true, MemberRenamer = member => member.Name, LoopLimit = 10000 };
        context.PushGlobal(globals);
        try { return template.Render(context); }
        catch (Scriban.Syntax.ScriptRuntimeException ex) { throw ErrorCatalog.TemplateBroken(origin, ex.Message); }
    }

    (string Source, string Origin) Load(string name)
    {
        var path = OverridePath(name);
        if (IO.Posix.Stat(path) is not null)
        {
            Trust(path, isFolder: false);
            Trust(Path.GetDirectoryName(path)!, isFolder: true);
            return (File.ReadAllText(path), path);
        }
        using var stream = typeof(TemplateRenderer).Assembly.GetManifestResourceStream("Aegir.Templates." + name)
            ?? throw new InvalidOperationException($"No template named {name} is built in.");
        using var reader = new StreamReader(stream);
        return (reader.ReadToEnd(), "built-in " + name);
    }

    /// <summary>
    /// An override shapes every vhost and settings file, with the sites' database passwords in them: it (and its folder)
    /// must belong to root or to whoever runs the module, be no link, and be writable by nobody else.
    /// </summary>
    static void Trust(string path, bool isFolder)
    {
        var status = IO.Posix.Stat(path) ?? throw ErrorCatalog.TemplateUntrusted(path, "it is gone");
        if (status.IsLink) throw ErrorCatalog.TemplateUntrusted(path, "it is a symlink");
        if (status.IsDirectory != isFolder) throw ErrorCatalog.TemplateUntrusted(path, isFolder ? "it is not a folder" : "it is not a file");
        if (status.Uid != 0 && status.Uid != IO.Posix.EffectiveUserId)
            throw ErrorCatalog.TemplateUntrusted(path, $"it belongs to user {status.Uid}, neither root nor the user running the module");
        if ((status.Mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            throw ErrorCatalog.TemplateUntrusted(path, $"its mode {Convert.ToString((int)status.Mode, 8)} lets others write to it");
    }

    /// <summary>A text resource shipped with the engine (scripts run on servers).</summary>
    public static string Script(string name)
    {
        using var stream = typeof(TemplateRenderer).Assembly.GetManifestResourceStream("Aegir.Scripts." + name)
            ?? throw new InvalidOperationException($"No script named {name} is built in.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
