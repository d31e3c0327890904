using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Platform;

public sealed class LockPlatform() : PlatformLockOperation<LockPlatform.Parameters>(locked: true)
{
    public sealed record Parameters(string Platform) : IPlatformParameters;
    public override string Type => "lock";
}
