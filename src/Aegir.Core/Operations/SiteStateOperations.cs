using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;

namespace Aegir.Core.Operations;

public sealed partial class Hosting
{
    /// <summary>Enables or disables a site: its vhost serves the site again, or a "site disabled" page.</summary>
    public AegirTask SetSiteEnabled(AegirSite site, bool enabled) => Runner.Run(enabled ? "enable" : "disable", site.Name, [site.PlatformName], null, ctx =>
    {
        site = Store.GetFresh<AegirSite>(site.Name, "Uri");
        if (site.Status == SiteStatus.NotInstalled)
            throw ErrorCatalog.StepFailed($"{(enabled ? "Enabling" : "Disabling")} {site.Uri}", "the site is not installed", "Install it first (Install-AegirSite).");
        var target = enabled ? SiteStatus.Installed : SiteStatus.Disabled;
        if (site.Status == target) ctx.Info($"{site.Uri} is already {(enabled ? "enabled" : "disabled")}; writing its vhost again.");
        var (platform, web, db) = Parts(site);
        var kind = KindOf(platform);
        Web(web).WriteSite(ctx, Vhost(Job(ctx, site, platform, web, db), kind, enabled));
        if (site.Status != target)
        {
            site.Status = target;
            SaveStep(ctx, $"Marking the site {target}", site);
        }
    });
}
