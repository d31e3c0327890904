using System.Text.RegularExpressions;
using Aegir.Core.Services.Http;

namespace Aegir.Core.Platforms;

/// <summary>
/// What keeps a platform's sites apart on the web, read from its kind: each site root (<see cref="IPlatformKind.SiteRoots"/>)
/// with the uri as a wildcard is where every site keeps its own. A vhost serves its own site's folders as files only
/// (no PHP, no link followed) and answers 404 for every other site's, whichever of its names is asked.
/// </summary>
public static class SiteAreas
{
    const string Wildcard = "{uri}";

    /// <summary>A site's vhost with what its platform's kind says of it: its front controller, what is never served, its folders and every other site's.</summary>
    public static VhostModel For(IPlatformKind kind, VhostModel site) => site with
    {
        Root = kind.WebRoot is { } web ? site.Root.TrimEnd('/') + "/" + web : site.Root,
        PrivatePath = kind.PrivatePath(site.Uri), FrontController = kind.FrontController, Denied = kind.DeniedPaths(site.Uri),
        SiteFolders = OwnFolders(kind, site.Uri), MadeOnRequest = Web(kind, kind.MadeOnRequest(site.Uri)), SharedFolders = SharedFolders(kind, site.Uri), SiteAreas = Of(kind, site.Uri),
        NoScripts = NoScripts(kind), Tuning = site.Tuning.Over(kind.Tuning),
    };

    /// <summary>
    /// The trees the web server may write to (<see cref="IPlatformKind.WritablePaths"/>, a '*' for one name) as
    /// unanchored patterns: no PHP runs anywhere in them, not only in a site's own folder (wp-content/uploads itself).
    /// </summary>
    public static IReadOnlyList<string> NoScripts(IPlatformKind kind) =>
        Web(kind, kind.WritablePaths).Select(p => string.Join("[^/]+", p.Trim('/').Split('*').Select(Regex.Escape))).Distinct().ToList();

    /// <summary>Every site root of the kind as a pattern, for the site <paramref name="uri"/> (whose own the vhost serves).</summary>
    public static IReadOnlyList<SiteArea> Of(IPlatformKind kind, string uri)
    {
        var folders = kind.SiteDirectories(Wildcard).Select(d => d.Path).ToHashSet(StringComparer.Ordinal);
        return kind.SiteRoots(Wildcard).Where(root => Web(kind, [root]).Count > 0)
            .Select(root => Area(Web(kind, [root])[0], folders.Contains(root), Web(kind, kind.SharedCode), uri)).ToList();
    }

    /// <summary>The site's own folders, served to its names; one inside a folder the kind never serves stays unserved.</summary>
    public static IReadOnlyList<string> OwnFolders(IPlatformKind kind, string uri) => Served(kind, uri, Web(kind, kind.SiteRoots(uri).Where(kind.SiteDirectories(uri).Select(d => d.Path).Contains)));

    /// <summary>The folders all sites share that the web server writes to, but for those inside a folder never served.</summary>
    public static IReadOnlyList<string> SharedFolders(IPlatformKind kind, string uri) => Served(kind, uri, Web(kind, kind.SharedFolders));

    /// <summary>Paths relative to the root as the web server sees them, from the kind's web root; those above it are never served.</summary>
    static IReadOnlyList<string> Web(IPlatformKind kind, IEnumerable<string> paths)
        => kind.WebRoot is not { } web ? paths.ToList()
            : paths.Where(p => p.StartsWith(web + "/", StringComparison.Ordinal)).Select(p => p[(web.Length + 1)..]).ToList();

    static IReadOnlyList<string> Served(IPlatformKind kind, string uri, IEnumerable<string> folders)
    {
        var denied = kind.DeniedPaths(uri).Where(d => d.EndsWith('/')).ToList();
        return folders.Where(f => !denied.Any(d => ("/" + f + "/").StartsWith(d, StringComparison.Ordinal))).ToList();
    }

    static SiteArea Area(string root, bool folder, IReadOnlyList<string> shared, string uri)
    {
        var at = root.IndexOf(Wildcard, StringComparison.Ordinal);
        var (prefix, suffix) = (root[..at], root[(at + Wildcard.Length)..]);
        // Shared paths the wildcard would take for a site's (sites/all): the names they stand at are no site's.
        var names = shared.Select(s => NameIn(s, prefix, suffix)).OfType<string>().Distinct().ToList();
        return new SiteArea(prefix + "*" + suffix, Pattern(prefix, suffix, names), Pattern(prefix, suffix, [.. names, uri]), folder,
            names.Select(n => prefix + n + suffix).ToList());
    }

    static string? NameIn(string path, string prefix, string suffix)
    {
        if (!path.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var segment = path[prefix.Length..].Split('/')[0];
        return segment.Length > suffix.Length && segment.EndsWith(suffix, StringComparison.Ordinal) ? segment[..^suffix.Length] : null;
    }

    /// <summary>prefix, any name but <paramref name="except"/> (a whole path segment with the suffix), suffix; unanchored.</summary>
    static string Pattern(string prefix, string suffix, IReadOnlyList<string> except)
    {
        var not = except.Count == 0 ? "" : $"(?!(?:{string.Join('|', except.Select(Regex.Escape))}){Regex.Escape(suffix)}(?:/|$))";
        return Regex.Escape(prefix) + not + "[^/]+" + Regex.Escape(suffix);
    }
}
