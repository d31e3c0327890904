using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Site;

/// <summary>An operation on one site: it holds the site and its platform, and changes its platform's web server config.</summary>
public abstract class SiteOperation<TParameters> : Operation<TParameters> where TParameters : class, ISiteParameters
{
    public override ContextType TargetType => ContextType.Site;
    public override string TargetOf(TParameters p) => p.Site;
    public override IReadOnlyList<string> LocksOf(TParameters p, ContextStore store) => [store.GetFresh<AegirSite>(p.Site, "Uri").PlatformName];
    public override IReadOnlyList<string> WebServersOf(TParameters p, ContextStore store)
        => LocksOf(p, store).Select(store.TryGet).OfType<AegirPlatform>().Select(x => x.WebServerName).Distinct().ToList();
}
