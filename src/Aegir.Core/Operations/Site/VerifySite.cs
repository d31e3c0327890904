using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Verifies an installed site against the truth, repairing what it can: its database is there (else it stops and
/// says so), its user reaches it from the web server's hosts only with its recorded password, the application's
/// tables are there; its folders, settings and vhost are rewritten (tested, reloaded); its page answers as a working
/// site. With <see cref="Parameters.Changes"/> the record changes first, in the same task (Aegir's save then verify),
/// so the vhost follows the record at once and a failure puts both back.
/// </summary>
public sealed class VerifySite : SiteOperation<VerifySite.Parameters>
{
    public sealed record Parameters(string Site, SiteChanges? Changes = null) : ISiteParameters;

    public override string Type => "verify";

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var site = SiteRules.Fresh(env, p.Site);
        SiteRules.Installed(site, "Verifying");
        if (p.Changes is { } changes)
        {
            var preview = env.Store.Preview<AegirSite>(site.Name, "Uri", changes.ApplyTo);
            if (preview.Changed)
                SiteSteps.Record<AegirSite>(plan, env, site.Name, $"record {string.Join(", ", preview.ChangedFields)} of {site.Uri}",
                    $"Recording {string.Join(", ", preview.ChangedFields)} of {site.Uri}", changes.ApplyTo);
            site = preview.Context;
        }
        var parts = SiteParts.Resolve(site, env);
        SiteSteps.Database(plan, parts);
        SiteSteps.Folders(plan, parts);
        SiteSteps.Reclaim(plan, parts);
        SiteSteps.Settings(plan, parts);
        SiteSteps.Vhost(plan, parts, () => site.Status != SiteStatus.Disabled);
        // A plain verify repairs toward the record: its repairs stay even when the site still does not answer.
        // With a change of the record, a site that stops answering puts the change back.
        if (p.Changes is null && env.Engine.Batch is null)
            plan.Add(site.Name, PlanAction.Check, "keep the repairs, whatever the check of the site's page finds", ctx => ctx.KeepChanges("the repairs stay"));
        SiteSteps.Answers(plan, parts, () => site.Status != SiteStatus.Disabled);
    }
}
