namespace Aegir.Core.Tasks;

/// <summary>
/// What an engine's tasks run on: where their records live, the target locks, and the queue, each made for a
/// $AEGIR_HOME (the queue for the runner that records and claims its tasks). <see cref="Files"/> is the embedded
/// default: records and queue markers under $AEGIR_HOME, flock for the locks.
/// </summary>
public sealed record TaskBackend(Func<string, ITaskStore> Store, Func<string, ITargetLocks> Locks, Func<TaskRunner, ITaskQueue> Queue)
{
    /// <summary>How often a queued task whose worker died is begun, its journal repaired before each retry (<see cref="TaskRunner.RetryDead"/>); 0: not retried.</summary>
    public int RetryDead { get; init; }

    /// <summary>Sends queued tasks of servers with workers of their own to those workers (a broker's queue only).</summary>
    public IServerDispatch? Remote { get; init; }

    /// <param name="worker">The worker id locks and records name; this process's (<see cref="WorkerId.Current"/>) when null.</param>
    public static TaskBackend Files(string? worker = null)
        => new(home => new TaskStore(home), home => new FlockTargetLocks(home, worker), runner => new FileTaskQueue(runner));
}
