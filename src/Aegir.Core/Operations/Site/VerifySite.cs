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
        // A plain verify repairs toward the record: its repairs stay when the site did not answer before either. A
        // verify that breaks a site that answered (a bad server setting) puts everything back, as does one with a
        // change of the record that stops the site answering.
        var plain = p.Changes is null && env.Engine.Batch is null;
        string? before = null;
        if (plain)
            plan.Add(site.Name, PlanAction.Check, $"note how http://{site.Redirection ?? site.Uri}/ answers before anything changes", _ => before = Before(parts));
        SiteSteps.Database(plan, parts);
        SiteSteps.Folders(plan, parts);
        SiteSteps.Reclaim(plan, parts);
        SiteSteps.Settings(plan, parts);
        SiteAccess.Plan(plan, parts);
        SiteSteps.Vhost(plan, parts, () => site.Status != SiteStatus.Disabled, p.Changes is { } c ? CertificateGiven.Of(c.CertificatePath, c.CertificateKeyPath) : null);
        if (plain)
            plan.Add(site.Name, PlanAction.Check, "keep the repairs if the site did not answer before them; else put them back if it does not answer after",
                ctx =>
                {
                    if (before is not null) ctx.KeepChanges($"the site did not answer before them either ({before})");
                    else ctx.Debug("The site answered before this verify: if it does not now, everything this verify changed is put back.");
                });
        SiteSteps.Answers(plan, parts, () => site.Status != SiteStatus.Disabled);
        AcmeIssuance.PlanWanted(plan, parts);
        SiteIndexCheck.Plan(plan, env, site.Name);
    }

    /// <summary>What was wrong with the site's page before the verify; null when it answered as it should.</summary>
    static string? Before(SiteParts parts)
    {
        try { return SiteSteps.Judge(parts); }
        catch (IOException ex) { return ex.Message; }
    }
}
