using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Operations.Platform;

/// <summary>
/// A change of a platform's record (Set-AegirPlatform): its root, web server or chosen kind ("auto" to detect it
/// again), refused while sites run on it. The platform is then recorded as unverified, so sites wait for a verify.
/// </summary>
public sealed record PlatformChanges(string? Root = null, string? WebServer = null, string? Kind = null)
{
    public const string Detect = "auto";

    /// <summary>Applies the change to a fresh read; <paramref name="store"/> finds the sites that would stop it.</summary>
    public void ApplyTo(AegirPlatform platform, ContextStore store)
    {
        var (root, server, kind) = (platform.Root, platform.WebServerName, platform.ChosenKind);
        if (Root is not null) platform.Root = Root;
        if (WebServer is not null) platform.WebServerName = WebServer;
        if (Kind is not null) platform.ChosenKind = Kind == Detect ? null : Kind;
        if (platform.Root == root && platform.WebServerName == server && platform.ChosenKind == kind) return;
        var sites = store.FindReferrers(platform.Name);
        if (sites.Count > 0)
        {
            var parameter = Root is not null ? "Root" : WebServer is not null ? "WebServer" : "Kind";
            throw ErrorCatalog.InvalidValue(parameter, Root ?? WebServer ?? Kind, $"{sites.Count} site(s) run on '@{platform.Name}' ({string.Join(", ", sites.Take(5))})",
                "Create a new platform for the new codebase, server or kind and move the sites to it.");
        }
        // A new root, server or kind is not verified yet: the recorded kind and version no longer say anything.
        platform.Kind = null;
        platform.Version = null;
    }
}
