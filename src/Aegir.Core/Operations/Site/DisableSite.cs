using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Site;

/// <summary>Answers every request of a site with a "site disabled" page; nothing is deleted.</summary>
public sealed class DisableSite() : SiteStateOperation<DisableSite.Parameters>(enable: false)
{
    public sealed record Parameters(string Site) : ISiteParameters;
    public override string Type => "disable";
}
