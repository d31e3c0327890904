namespace Aegir.Core.Tasks;

/// <summary>
/// Where queued tasks wait for a worker. Files under $AEGIR_HOME are the embedded default (<see cref="FileTaskQueue"/>);
/// a message broker can carry the same contract when workers on many machines share the work. A worker receives a
/// lease on a task, runs it, and acks the lease once the task's result is recorded, or nacks it: requeued when it was
/// not run (its target was held elsewhere), dropped as poison when it never will be.
/// </summary>
public interface ITaskQueue
{
    /// <summary>Records a task as queued and returns it at once.</summary>
    AegirTask Enqueue(TaskRequest request);

    /// <summary>
    /// Leases on up to <see cref="LeaseRequest.Max"/> tasks the worker may start now: oldest first, one at a time per
    /// target, a later task on a target waiting behind an earlier one. Empty when none is due; never blocks.
    /// </summary>
    IReadOnlyList<TaskLease> Receive(LeaseRequest request);

    /// <summary>The task's result is recorded: the queue forgets it.</summary>
    void Ack(TaskLease lease);

    /// <summary>
    /// The task was not run to its end by this lease. <paramref name="requeue"/>: it waits again, in its place, for a later
    /// delivery. Otherwise it is poison (delivered too often, or unreadable): it leaves the queue, recorded as failed with
    /// <paramref name="why"/>.
    /// </summary>
    void Nack(TaskLease lease, bool requeue, string? why = null);

    /// <summary>The tasks waiting, oldest first (for listing; a worker receives leases instead).</summary>
    IReadOnlyList<QueuedTask> Pending();

    /// <summary>Blocks until a task may have been added, <paramref name="timeout"/> has passed, or <paramref name="cancellation"/> is set.</summary>
    void WaitForWork(TimeSpan timeout, CancellationToken cancellation);
}
