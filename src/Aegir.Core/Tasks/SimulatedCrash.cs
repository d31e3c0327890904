using Aegir.Core.Errors;

namespace Aegir.Core.Tasks;

/// <summary>Thrown by tests' fault injection to stand for a kill: nothing after it runs in this process, not even a rollback.</summary>
internal sealed class SimulatedCrash : Exception
{
    public SimulatedCrash() : base("simulated kill") { }
}
