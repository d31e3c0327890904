using Aegir.Core.Errors;

namespace Aegir.Core.Contexts;

/// <summary>
/// One namespace for all contexts: <c>server_x</c>, <c>platform_x</c>, <c>client_x</c>, and a site's bare uri.
/// A uri never holds '_', so the type of a context can be told from its name alone.
/// </summary>
public static class ContextNames
{
    public const string Master = "server_master";
    public const string FileExtension = ".yml";

    public static string Prefix(ContextType type) => type switch
    {
        ContextType.Server => "server_",
        ContextType.Platform => "platform_",
        ContextType.Client => "client_",
        _ => "",
    };

    public static string Label(ContextType type) => type.ToString().ToLowerInvariant();

    /// <summary>The type a canonical name belongs to, or null for a name no context can have.</summary>
    public static ContextType? TypeOf(string name)
    {
        foreach (var t in new[] { ContextType.Server, ContextType.Platform, ContextType.Client })
            if (name.StartsWith(Prefix(t), StringComparison.Ordinal) && name.Length > Prefix(t).Length) return t;
        return name.Length > 0 && !name.Contains('_') ? ContextType.Site : null;
    }

    /// <summary>The type of the contexts a record class holds.</summary>
    public static ContextType TypeOf<T>() where T : AegirContext
        => typeof(T) == typeof(AegirServer) ? ContextType.Server
        : typeof(T) == typeof(AegirPlatform) ? ContextType.Platform
        : typeof(T) == typeof(AegirSite) ? ContextType.Site
        : ContextType.Client;

    /// <summary>
    /// Turns what a user typed (with or without '@' and prefix; 'master' for the local server)
    /// into the canonical name of a context of <paramref name="type"/>.
    /// </summary>
    public static string Canonical(string parameter, string? input, ContextType type)
    {
        if (string.IsNullOrEmpty(input)) throw ErrorCatalog.InvalidValue(parameter, input, "it is empty", $"Give the name of a {Label(type)}.");
        var name = input.StartsWith('@') ? input[1..] : input;
        if (type == ContextType.Site) return Validate.SiteHost(parameter, name);
        var prefix = Prefix(type);
        if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) name = name[prefix.Length..];
        return prefix + Validate.ShortName(parameter, name);
    }

    /// <summary>The server name Aegir derives from a host: <c>server_</c> and the host without dots and dashes.</summary>
    public static string ServerFromHost(string host) => Prefix(ContextType.Server) + Validate.ShortName("RemoteHost", host);

    /// <summary>Names a loosely typed input could mean, most specific first (for cmdlets that take any context).</summary>
    public static IEnumerable<string> Candidates(string input)
    {
        var name = input.StartsWith('@') ? input[1..] : input;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (TypeOf(name.ToLowerInvariant()) is { } && seen.Add(name.ToLowerInvariant())) yield return name.ToLowerInvariant();
        foreach (var type in new[] { ContextType.Site, ContextType.Server, ContextType.Platform, ContextType.Client })
        {
            string? candidate;
            try { candidate = Canonical("Name", name, type); }
            catch (AegirException) { candidate = null; }
            if (candidate is not null && seen.Add(candidate)) yield return candidate;
        }
    }
}
