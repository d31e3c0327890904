using Aegir.Core.Tasks;

namespace Aegir.Core.Tasks;

/// <summary>
/// Where queued tasks wait for a worker. Files under $AEGIR_HOME are the embedded default
/// (<see cref="FileTaskQueue"/>); a message broker can carry the same contract when workers on many machines share
/// the work. The task's record stays the truth: a worker claims a task by its record, under its target's lock.
/// </summary>
public interface ITaskQueue
{
    /// <summary>Records a task as queued and returns it at once.</summary>
    AegirTask Add(TaskRequest request);

    /// <summary>The tasks waiting, oldest first.</summary>
    IReadOnlyList<QueuedTask> Pending();

    /// <summary>Blocks until a task may have been added, <paramref name="timeout"/> has passed, or <paramref name="cancellation"/> is set.</summary>
    void WaitForWork(TimeSpan timeout, CancellationToken cancellation);
}
