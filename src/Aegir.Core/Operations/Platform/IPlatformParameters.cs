using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Platform;

/// <summary>Parameters that name one platform.</summary>
public interface IPlatformParameters
{
    string Platform { get; }
}
