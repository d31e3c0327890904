using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Site;

/// <summary>Parameters that name one site.</summary>
public interface ISiteParameters
{
    string Site { get; }
}
