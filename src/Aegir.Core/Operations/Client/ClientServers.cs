using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Client;

/// <summary>The machines that serve a client's sites: each site's platform's web server, a cluster's every member, each once.</summary>
internal static class ClientServers
{
    public static IReadOnlyList<AegirServer> Of(OperationEnvironment env, AegirClient client)
        => env.Store.List(ContextType.Site).Contexts.OfType<AegirSite>().Where(s => s.ClientName == client.Name)
            .Select(s => env.Store.GetFresh<AegirPlatform>(s.PlatformName, "Platform").WebServerName).Distinct(StringComparer.Ordinal)
            .SelectMany(name => env.Members(env.Server(name, "WebServer"))).DistinctBy(s => s.Name).ToList();
}
