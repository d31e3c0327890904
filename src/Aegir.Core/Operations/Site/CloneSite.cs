using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Copies a site to a new uri (Aegir's clone): a fresh backup (never an older one) deployed as an independent site
/// with its own database and folders, without aliases or redirection, on the same or another platform and database
/// server. The source is not changed.
/// </summary>
public sealed class CloneSite : SiteOperation<CloneSite.Parameters>
{
    public sealed record Parameters(string Site, string NewUri, string? Platform = null, string? DbServer = null) : ISiteParameters;

    public override string Type => "clone";

    public override IReadOnlyList<string> LocksOf(Parameters p, ContextStore store)
        => [.. base.LocksOf(p, store), .. p.Platform is { } to ? new[] { to } : [], Validate.SiteHost("NewUri", p.NewUri)];


    public override void Check(Parameters p, ContextStore store)
    {
        SiteCopies.Check(store, p.Site, p.NewUri);
        // The copy is one more site of the same client: refused before any task when the client has no room for it.
        if (store.ReadFresh(p.Site) is AegirSite { ClientName: { } client })
            ClientSiteLimit.CheckRoom(store, new AegirSite(Validate.SiteHost("NewUri", p.NewUri)) { ClientName = client });
    }

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var site = SiteRules.Fresh(env, p.Site);
        SiteRules.Installed(site, "Copying");
        var source = SiteParts.Resolve(site, env);
        var copy = SiteCopies.NewSite(env, site, p.NewUri, rename: false, p.Platform, p.DbServer);
        var target = SiteParts.Resolve(copy, env);
        SiteCopies.Plan(plan, env, source, target, keepSource: true, $"to copy to {copy.Uri}");
    }
}
