using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Operations.Platform;

/// <summary>A change of a platform's record (Set-AegirPlatform): its root or web server, refused while sites run on it.</summary>
public sealed record PlatformChanges(string? Root = null, string? WebServer = null)
{
    /// <summary>Applies the change to a fresh read; <paramref name="store"/> finds the sites that would stop it.</summary>
    public void ApplyTo(AegirPlatform platform, ContextStore store)
    {
        var (root, server) = (platform.Root, platform.WebServerName);
        if (Root is not null) platform.Root = Root;
        if (WebServer is not null) platform.WebServerName = WebServer;
        if (platform.Root == root && platform.WebServerName == server) return;
        var sites = store.FindReferrers(platform.Name);
        if (sites.Count > 0)
            throw ErrorCatalog.InvalidValue(Root is not null ? "Root" : "WebServer", Root ?? WebServer,
                $"{sites.Count} site(s) run on '@{platform.Name}' ({string.Join(", ", sites.Take(5))})",
                "Create a new platform for the new codebase or server and move the sites to it.");
    }
}
