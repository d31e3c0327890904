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
    }
}
