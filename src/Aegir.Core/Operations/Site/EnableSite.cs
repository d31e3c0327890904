using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Site;

/// <summary>Serves a disabled site again.</summary>
public sealed class EnableSite() : SiteStateOperation<EnableSite.Parameters>(enable: true)
{
    public sealed record Parameters(string Site) : ISiteParameters;
    public override string Type => "enable";
}
