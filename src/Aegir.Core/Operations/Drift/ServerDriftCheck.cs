using Aegir.Core.Contexts;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Drift;

/// <summary>
/// A server against what its verify writes: its web server include (as it would render now), the config folders it
/// makes, and for a cluster each member's and the haproxy front kept on this machine. Reads only.
/// </summary>
internal static class ServerDriftCheck
{
    public static void Check(OperationEnvironment env, AegirServer server, DriftFindings found)
    {
        if (server.IsCluster)
        {
            foreach (var member in env.Members(server)) Web(env, member, found, $" on @{member.Name}");
            var front = (Services.Cluster.ClusterService)env.Http(server);
            if (File.Exists(front.FrontConfigPath) && File.ReadAllText(front.FrontConfigPath) == front.FrontConfig()) return;
            found.Add(DriftKind.ServerConfig, front.FrontConfigPath, "the haproxy front verify writes", File.Exists(front.FrontConfigPath) ? "a file that differs" : "no file");
            return;
        }
        Web(env, server, found, "");
    }

    static void Web(OperationEnvironment env, AegirServer server, DriftFindings found, string on)
    {
        if (server.Http.IsNull) return;
        var http = env.Http(server);
        var transport = env.Connect(server);
        foreach (var folder in new[] { Path.GetDirectoryName(http.ServerConfigPath)!, Path.GetDirectoryName(http.PlatformConfigPath("x"))!, Path.GetDirectoryName(http.SiteConfigPath("x"))! })
        {
            if (transport.Kind(folder) == PathKind.Directory) continue;
            found.Add(DriftKind.ServerConfig, folder + on, "the config folder verify makes", "nothing there");
            return;
        }
        if (http.RenderServer() is { } include)
            found.Text(DriftKind.ServerConfig, transport, http.ServerConfigPath, include, http.ServerConfigPath + on);
        var (platforms, sites) = Recorded(env, server);
        Extra(transport, Path.GetDirectoryName(http.PlatformConfigPath("x"))!, platforms.Select(http.PlatformConfigPath), on, found);
        Extra(transport, Path.GetDirectoryName(http.SiteConfigPath("x"))!, sites.Select(http.SiteConfigPath), on, found);
    }

    /// <summary>The platforms on record served by this server (itself, or a cluster it is in), and every site of theirs.</summary>
    static (List<string> Platforms, List<string> Sites) Recorded(OperationEnvironment env, AegirServer server)
    {
        var platforms = env.Store.List(ContextType.Platform).Contexts.OfType<AegirPlatform>()
            .Where(p => p.GetWebServer() is { } web && (web.Name == server.Name || web.IsCluster && env.Members(web).Any(m => m.Name == server.Name)))
            .Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var sites = env.Store.List(ContextType.Site).Contexts.OfType<AegirSite>().Where(s => platforms.Contains(s.PlatformName)).Select(s => s.Uri).ToList();
        return (platforms.ToList(), sites);
    }

    /// <summary>
    /// What is in a module-owned config folder that no record accounts for: the web server loads it with the rest, and
    /// verify leaves it alone (it removes only what it wrote). Folders there (a platform's own rules) are the admin's.
    /// </summary>
    internal static void Extra(ITransport transport, string folder, IEnumerable<string> recorded, string on, DriftFindings found)
    {
        var known = recorded.ToHashSet(StringComparer.Ordinal);
        foreach (var name in transport.List(folder))
        {
            var path = Path.Combine(folder, name);
            if (known.Contains(path) || transport.Kind(path) == PathKind.Directory) continue;
            found.Add(DriftKind.Extra, path + on, "only files of the sites and platforms on record", $"a {transport.Kind(path).ToString().ToLowerInvariant()} no record accounts for",
                $"Remove it if it is not yours (verify leaves it alone); an admin's own rules go in the site.d or platform.d/<platform> folders");
        }
    }
}
