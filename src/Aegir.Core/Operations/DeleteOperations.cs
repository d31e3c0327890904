using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;

namespace Aegir.Core.Operations;

public sealed partial class Hosting
{
    /// <summary>
    /// Deletes a site: its vhost first (the only step that can be put back), then its database and user,
    /// its folders, and its context. A site that was never installed loses only its context.
    /// </summary>
    public AegirTask DeleteSite(AegirSite site) => Runner.Run("delete", site.Name, [site.PlatformName], null, ctx =>
    {
        site = Store.GetFresh<AegirSite>(site.Name, "Uri");
        if (site.Status != SiteStatus.NotInstalled)
        {
            var (platform, web, dbServer) = Parts(site);
            var kind = KindOf(platform);
            var transport = TransportFor(web);
            Web(web).DeleteSite(ctx, site.Uri);
            if (site.DbName is { } name)
            {
                ctx.Secret(dbServer.Db.RevealSecret("admin_password"));
                ctx.Step($"Dropping database {name} and its user on '@{dbServer.Name}'", () => Db(dbServer).DropSiteDatabase(name));
            }
            // The site's own top folder (sites/<uri>, or WordPress's uploads/sites/<uri>) holds all its files.
            foreach (var dir in kind.SiteDirectories(site.Uri).Where(d => d.Path.Contains(site.Uri)).OrderBy(d => d.Path.Length).Take(1))
                ctx.Step($"Deleting {dir.Path}", () => transport.Delete(Path.Combine(platform.Root, dir.Path)));
        }
        ctx.Step($"Removing the context of {site.Uri}", () => Store.Remove(site.Name));
    });

    /// <summary>Deletes a platform's web server include and its context; refused while sites use it. The codebase stays.</summary>
    public AegirTask DeletePlatform(AegirPlatform platform) => Runner.Run("delete", platform.Name, [], null, ctx =>
    {
        Store.CheckRemovable(platform.Name);
        var server = Store.TryGet(platform.WebServerName) as AegirServer;
        // A platform that was never verified has no include to take out (and nothing to reload).
        if (server is { Http.IsNull: false } && IsLocal(server) && Web(server) is var web && File.Exists(web.PlatformPath(platform.Name)))
            web.DeletePlatform(ctx, platform);
        ctx.Step($"Removing the context of '@{platform.Name}'", () => Store.Remove(platform.Name));
        ctx.Info($"The codebase at {platform.Root} was left in place.");
    });

    /// <summary>Locks or unlocks a platform: a locked platform takes no new sites.</summary>
    public AegirPlatform SetPlatformLocked(AegirPlatform platform, bool locked)
    {
        var fresh = Store.GetFresh<AegirPlatform>(platform.Name, "Name");
        fresh.Locked = locked;
        Store.Update(fresh);
        return fresh;
    }
}
