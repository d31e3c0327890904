namespace Aegir.Core.Platforms;

/// <summary>
/// What a platform push leaves alone on the web server, as rsync filters (first match wins, anchored at the root):
/// every site's own folders and settings, the folders the web server writes, and the file verify writes there; code
/// all sites share (Drupal's sites/all) is pushed.
/// </summary>
public static class PushFilters
{
    const string AnySite = "*";

    public static IReadOnlyList<string> For(IPlatformKind kind)
    {
        var kept = kind.SiteRoots(AnySite).Concat(kind.WritablePaths).Concat(kind.SharedFolders)
            .Concat(new[] { kind.PlatformSettingsPath, kind.SiteSettingsPath(AnySite) }.OfType<string>())
            .Select(Anchored).Distinct(StringComparer.Ordinal).ToList();
        var shared = kind.SharedCode.Select(Anchored).Where(code => !kept.Contains(code, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal);
        // The folders above what is kept are never deleted, though the source may not have them (uploads/ of a new codebase).
        var parents = kept.SelectMany(Parents).Distinct(StringComparer.Ordinal).Where(p => !kept.Contains(p, StringComparer.Ordinal));
        return [.. parents.Select(p => $"--filter=P {p}/"), .. shared.Select(code => $"--include={code}/"), .. kept.Select(path => $"--exclude={path}")];
    }

    static string Anchored(string path) => "/" + path.Trim('/');

    static IEnumerable<string> Parents(string path)
    {
        for (var p = Path.GetDirectoryName(path); p is not null && p != "/"; p = Path.GetDirectoryName(p)) yield return p;
    }
}
