using Aegir.Core.Tasks;

namespace Aegir.Core.Operations;

/// <summary>A task that ran, and what it handed back to its caller (never stored: an admin password).</summary>
public sealed record TaskOutcome(AegirTask Task, object? Result)
{
    public bool Succeeded => Task.Status is AegirTaskStatus.Succeeded or AegirTaskStatus.Warning;
}
