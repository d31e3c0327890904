using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Gives a site a new uri (Aegir's migrate with a new name): a fresh backup deployed under the new uri on the same
/// platform, its aliases and redirection following (www.old becomes www.new), the application's stored address
/// rewritten; the old uri's vhost, record, database and folders go, the last two past the point of no return.
/// </summary>
public sealed class RenameSite : SiteOperation<RenameSite.Parameters>
{
    public sealed record Parameters(string Site, string NewUri) : ISiteParameters;

    public override string Type => "rename";

    /// <summary>The new name is held too, so nothing else takes it meanwhile.</summary>
    public override IReadOnlyList<string> LocksOf(Parameters p, ContextStore store) => [.. base.LocksOf(p, store), Validate.SiteHost("NewUri", p.NewUri)];

    public override void Check(Parameters p, ContextStore store) => SiteCopies.Check(store, p.Site, p.NewUri);

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var site = SiteRules.Fresh(env, p.Site);
        SiteRules.Installed(site, "Renaming");
        var source = SiteParts.Resolve(site, env);
        var target = SiteParts.Resolve(SiteCopies.NewSite(env, site, p.NewUri, rename: true), env);
        SiteCopies.Plan(plan, env, source, target, keepSource: false, $"before renaming to {target.Site.Uri}");
    }
}
