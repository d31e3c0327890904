using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Site;

/// <summary>Enables or disables a site: its vhost serves the site again, or a "site disabled" page.</summary>
public abstract class SiteStateOperation<TParameters>(bool enable) : SiteOperation<TParameters> where TParameters : class, ISiteParameters
{
    public override void Plan(TParameters p, OperationPlan plan, OperationEnvironment env)
    {
        var site = SiteRules.Fresh(env, p.Site);
        SiteRules.Installed(site, enable ? "Enabling" : "Disabling");
        var target = enable ? SiteStatus.Installed : SiteStatus.Disabled;
        var parts = SiteParts.Resolve(site, env);
        if (site.Status == target)
            plan.Add(site.Name, PlanAction.Check, $"{site.Uri} is already {(enable ? "enabled" : "disabled")}: write its vhost again",
                ctx => ctx.Info($"{site.Uri} is already {(enable ? "enabled" : "disabled")}; writing its vhost again."));
        SiteSteps.Vhost(plan, parts, () => enable);
        if (site.Status != target)
            SiteSteps.Record<AegirSite>(plan, env, site.Name, $"record {site.Uri} as {target}", $"Marking the site {target}", s => s.Status = target);
        SiteSteps.Answers(plan, parts, () => enable);
    }
}

