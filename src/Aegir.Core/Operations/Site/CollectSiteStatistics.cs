namespace Aegir.Core.Operations.Site;

/// <summary>A site's statistics as a task (<see cref="SiteUpkeepOperation{TParameters}"/>).</summary>
public sealed class CollectSiteStatistics : SiteUpkeepOperation<CollectSiteStatistics.Parameters>
{
    public sealed record Parameters(string Site) : ISiteParameters;

    public override string Type => "statistics";

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var site = SiteRules.Fresh(env, p.Site);
        SiteRules.Installed(site, "Collecting the statistics of");
        plan.Add(site.Name, PlanAction.Record, $"collect the statistics of {site.Uri}", ctx =>
        {
            var line = SiteUpkeep.Of(env.Engine, "Collecting the statistics of " + site.Uri).Statistics(env.Engine, site.Name);
            // A client over its quota is the schedule's warning; in a task it is the task's.
            if (line.IndexOf(" Warning: ", StringComparison.Ordinal) is var at and >= 0)
            {
                ctx.Info(line[..at]);
                ctx.Warn(line[(at + " Warning: ".Length)..]);
            }
            else ctx.Info(line);
        });
    }
}
