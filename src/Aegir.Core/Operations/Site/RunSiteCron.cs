using Aegir.Core.Errors;

namespace Aegir.Core.Operations.Site;

/// <summary>A site's cron as a task (<see cref="SiteUpkeepOperation{TParameters}"/>); it fails when the cron fails.</summary>
public sealed class RunSiteCron : SiteUpkeepOperation<RunSiteCron.Parameters>
{
    public sealed record Parameters(string Site) : ISiteParameters;

    public override string Type => "cron";

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var site = SiteRules.Fresh(env, p.Site);
        plan.Add(site.Name, PlanAction.Run, $"run the cron of {site.Uri}", ctx =>
        {
            var (line, error) = SiteUpkeep.Of(env.Engine, "Running the cron of " + site.Uri).Cron(env.Engine, site.Name);
            if (error is not null)
                throw ErrorCatalog.StepFailed(ErrorIds.CronFailed, $"The cron of {site.Uri}", error, "Fix what it reports (Get-AegirSite -Unhealthy shows it too), then run it again.");
            ctx.Info(line);
        });
    }
}
