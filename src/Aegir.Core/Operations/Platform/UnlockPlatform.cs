using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Platform;

public sealed class UnlockPlatform() : PlatformLockOperation<UnlockPlatform.Parameters>(locked: false)
{
    public sealed record Parameters(string Platform) : IPlatformParameters;
    public override string Type => "unlock";
}
