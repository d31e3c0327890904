using Aegir.Core.IO;
using Aegir.Core.Contexts;
using Aegir.Core.Platforms;
using Aegir.Core.Services.Files;
using Aegir.Core.Tasks;

namespace Aegir.Core.Operations;

public sealed partial class Hosting
{
    /// <summary>Server verify: the web server's config tree and include (tested, reloaded), and database admin access.</summary>
    public AegirTask VerifyServer(AegirServer server) => Runner.Run("verify", server.Name, [], null, ctx =>
    {
        if (!server.Http.IsNull) Web(server).VerifyServer(ctx);
        if (!server.Db.IsNull) Db(server).Verify(ctx);
        if (server.Http.IsNull && server.Db.IsNull) ctx.Warn($"'@{server.Name}' has no services; there was nothing to verify.");
    });

    /// <summary>
    /// Platform verify: find the codebase and its kind and version, write what the kind needs (WordPress's
    /// shared wp-config.php), take write access to the code away from the web server, write the platform's
    /// web server include, and count its packages.
    /// </summary>
    public AegirTask VerifyPlatform(AegirPlatform platform) => Runner.Run("verify", platform.Name, [], null, ctx =>
    {
        var server = Store.GetFresh<AegirServer>(platform.WebServerName, "WebServer");
        var transport = TransportFor(server);
        var (kind, version) = ctx.Step($"Finding the codebase at {platform.Root}", () => PlatformKinds.Detect(platform.Root));
        ctx.Info($"The codebase is {kind.Name}{(version is null ? "" : " " + version)}.");
        if (platform.Kind != kind.Name || platform.Version != version)
        {
            var fresh = Store.GetFresh<AegirPlatform>(platform.Name, "Name");
            fresh.Kind = kind.Name;
            fresh.Version = version;
            SaveStep(ctx, $"Recording the platform as {kind.Name} {version}", fresh);
            platform = fresh;
        }
        kind.PreparePlatform(new PlatformJob { Ctx = ctx, Platform = platform, Transport = transport, Templates = _templates, Owner = Owner(server), WebGroup = WebGroup(server) });
        ctx.Step("Taking write access to the codebase away from the web server", () => new FileService(transport).ProtectCodebase(ctx, platform.Root, kind.WritablePaths));
        Web(server).WritePlatform(ctx, platform);
        var packages = kind.ScanPackages(platform.Root, platform.Name);
        ctx.Info($"Found {packages.Count} package(s): {string.Join(", ", packages.GroupBy(p => p.Type).Select(g => $"{g.Count()} {g.Key}"))}.");
    });

    /// <summary>Site verify: folders and their owners and modes, settings, vhost (tested, reloaded).</summary>
    public AegirTask VerifySite(AegirSite site) => Runner.Run("verify", site.Name, [site.PlatformName], null, ctx =>
    {
        site = Store.GetFresh<AegirSite>(site.Name, "Uri");
        if (site.Status == SiteStatus.NotInstalled)
            throw Errors.ErrorCatalog.StepFailed($"Verifying {site.Uri}", "the site is not installed", "Install it first (Install-AegirSite).");
        var (platform, web, db) = Parts(site);
        var kind = KindOf(platform);
        var job = Job(ctx, site, platform, web, db);
        ApplySiteFiles(job, kind);
        kind.WriteSiteSettings(job);
        Web(web).WriteSite(ctx, Vhost(job, kind, site.Status != SiteStatus.Disabled));
    });

    static void ApplySiteFiles(SiteJob job, IPlatformKind kind)
    {
        var files = new FileService(job.Transport);
        var owner = job.Owner;
        var ownerGroup = Posix.PrimaryGroup(owner);
        foreach (var dir in kind.SiteDirectories(job.Site.Uri))
        {
            var full = job.Full(dir.Path);
            bool existed = job.Transport.DirectoryExists(full);
            job.Ctx.Step($"Setting {dir.Path} to {Modes.Octal(dir.Mode)} {owner}:{(dir.WebWritable ? job.WebGroup : ownerGroup)}",
                () => files.EnsureDirectory(full, dir.Mode, owner, dir.WebWritable ? job.WebGroup : ownerGroup),
                existed ? null : () => job.Transport.Delete(full));
        }
    }
}
