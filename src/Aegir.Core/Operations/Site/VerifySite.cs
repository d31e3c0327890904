using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Verifies an installed site: its folders with their owners and modes, its settings, its vhost (tested,
/// reloaded). With <see cref="Parameters.Changes"/> the record changes first, in the same task (Aegir's save
/// then verify), so the vhost follows the record at once and a failure puts both back.
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
        SiteSteps.Folders(plan, parts);
        SiteSteps.Settings(plan, parts);
        SiteSteps.Vhost(plan, parts, () => site.Status != SiteStatus.Disabled);
    }
}
