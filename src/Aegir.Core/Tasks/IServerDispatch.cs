using Aegir.Core.Contexts;

namespace Aegir.Core.Tasks;

/// <summary>
/// Sends a queued task to be run on a server by a worker of that server's own, instead of here: which server (if any)
/// runs a task on these contexts, and the run itself, which holds the task's context here until its answer comes.
/// </summary>
public interface IServerDispatch
{
    /// <summary>The server whose own worker runs a task on <paramref name="target"/> and <paramref name="locks"/>; null to run it here.</summary>
    AegirServer? ServerFor(ContextStore store, string target, IEnumerable<string> locks);

    /// <summary>Runs the task there and waits for its end; throws what the task failed with there.</summary>
    void Run(AegirTask task, AegirServer server, IReadOnlyList<string> locks, TaskContext ctx, ContextStore store);
}
