using Aegir.Core.Errors;

namespace Aegir.Core.Contexts;

/// <summary>The checks that look beyond one context: references, unique host names, locked platforms, servers in use.</summary>
internal static class ContextValidator
{
    /// <summary>Runs under the store lock, against what is on disk now.</summary>
    public static void Check(ContextStore store, AegirContext ctx, AegirContext? previous)
    {
        foreach (var reference in ctx.References()) CheckReference(store, reference);
        switch (ctx)
        {
            case AegirSite site:
                CheckSite(store, site, previous as AegirSite);
                break;
            case AegirPlatform platform:
                CheckPlatform(store, platform);
                break;
            case AegirServer server when previous is not null:
                CheckServerInUse(store, server);
                break;
        }
    }

    static void CheckReference(ContextStore store, ContextReference reference)
    {
        var label = ContextNames.Label(reference.Type);
        var target = store.ReadFresh(reference.Name) ?? throw ErrorCatalog.ContextNotFound(reference.Name, label);
        if (target.Type != reference.Type)
            throw ErrorCatalog.WrongContextType(reference.Name, ContextNames.Label(target.Type), label, reference.Property);
        if (reference.Service is { } service && target is AegirServer server && server.Service(service).IsNull)
            throw ErrorCatalog.ServiceMissing(server.Name, service, reference.Property);
    }

    static void CheckSite(ContextStore store, AegirSite site, AegirSite? previous)
    {
        if (previous is null || previous.PlatformName != site.PlatformName)
        {
            if (store.ReadFresh(site.PlatformName) is AegirPlatform { Locked: true })
                throw ErrorCatalog.PlatformLocked(site.PlatformName);
        }
        // A change that keeps the site's names and database needs no look at the others (which costs a read of every site).
        bool namesChanged = previous is null || !previous.HostNames().SequenceEqual(site.HostNames());
        bool dbChanged = site.DbName is not null && (previous?.DbName != site.DbName || previous.DbServerName != site.DbServerName);
        if (!namesChanged && !dbChanged) return;
        var mine = site.HostNames().ToHashSet(StringComparer.Ordinal);
        foreach (var other in store.List(ContextType.Site).Contexts.Cast<AegirSite>())
        {
            if (other.Name == site.Name) continue;
            if (namesChanged)
                foreach (var host in other.HostNames())
                    if (mine.Contains(host)) throw ErrorCatalog.NameTaken(host, other.Name);
            // A database name in a record is that site's claim to it: two installs can never pick the same one.
            if (dbChanged && other.DbName == site.DbName && other.DbServerName == site.DbServerName)
                throw ErrorCatalog.DbNameTaken(site.DbServerName, site.DbName!, "database (claimed by the record of @" + other.Name + ")");
        }
    }

    static void CheckPlatform(ContextStore store, AegirPlatform platform)
    {
        foreach (var other in store.List(ContextType.Platform).Contexts.Cast<AegirPlatform>())
        {
            if (other.Name != platform.Name && other.WebServerName == platform.WebServerName && other.Root == platform.Root)
                throw ErrorCatalog.InvalidValue("Root", platform.Root, $"the platform '@{other.Name}' already has this root on '@{platform.WebServerName}'",
                    "Give each platform its own codebase folder.");
        }
    }

    static void CheckServerInUse(ContextStore store, AegirServer server)
    {
        foreach (var referrer in store.FindReferrers(server.Name))
            foreach (var reference in referrer.References())
                if (reference.Name == server.Name && reference.Service is { } service && server.Service(service).IsNull)
                    throw ErrorCatalog.ContextInUse(server.Name, [referrer.Name + $" (needs its {service} service)"]);
    }
}
