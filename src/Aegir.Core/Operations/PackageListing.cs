using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Platforms;

namespace Aegir.Core.Operations;

/// <summary>The packages of a platform, or of a site with whether the site has each enabled (read from its database).</summary>
public static class PackageListing
{
    public static IReadOnlyList<AegirPackage> OfPlatform(Engine engine, AegirPlatform platform)
    {
        using var env = new OperationEnvironment(engine);
        var web = env.Server(platform.WebServerName, "WebServer");
        return env.KindOf(platform, web).ScanPackages(env.Connect(web), platform.Root, platform.Name).Select(p => p.OfPlatformVersion(platform.Version)).ToList();
    }

    /// <summary>The platform's packages as the site has them; <paramref name="warn"/> hears why enabled states could not be read.</summary>
    public static IReadOnlyList<AegirPackage> OfSite(Engine engine, AegirSite site, Action<string> warn)
    {
        using var env = new OperationEnvironment(engine);
        var platform = engine.Store.GetFresh<AegirPlatform>(site.PlatformName, "Platform");
        var web = env.Server(platform.WebServerName, "WebServer");
        var kind = env.KindOf(platform, web);
        var packages = kind.ScanPackages(env.Connect(web), platform.Root, platform.Name);
        IReadOnlySet<string>? enabled = null;
        if (site.Status != SiteStatus.NotInstalled && site.DbName is not null && site.DbServerName is not null)
        {
            try
            {
                var db = env.Db(env.Server(site.DbServerName, "DbServer"));
                enabled = kind.EnabledPackages(db, Site.SiteParts.DatabaseOf(site, db));
            }
            catch (Exception ex) when (ex is AegirException or System.Data.Common.DbException)
            {
                warn($"Could not read which packages {site.Uri} has enabled: {ex.Message}");
            }
        }
        return packages.Select(p => p.OfPlatformVersion(platform.Version).ForSite(site.Name, enabled?.Contains(p.Name))).ToList();
    }
}
