using Aegir.Core.Operations;
using Aegir.Core.Tasks;

namespace Aegir.Core.Queues;

/// <summary>
/// Runs queued tasks: oldest first, in parallel up to the throttle, never two at once that share a target (a
/// migrate holds its site and both platforms); a later task on a busy target waits behind the earlier one, so each
/// target's tasks run in the order they were queued. A task whose worker died is repaired from its journal and
/// marked failed, and the queue goes on. When <c>stop</c> is set nothing new starts; running tasks stop at their
/// next step and roll back (or finish, past their point of no return).
/// </summary>
public sealed class QueueWorker(Engine engine, int throttle)
{
    /// <summary>How often a continuous worker looks for dead workers' tasks and for work it was not told of.</summary>
    public TimeSpan Rescan { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether this worker runs queued tasks; one that runs only the schedules never asks the queue for work, so on a
    /// broker it never consumes (a consumer that will not run what it is handed would hold its partitions from the
    /// workers that would).
    /// </summary>
    public bool Tasks { get; init; } = true;

    /// <summary>Hears of repairs and of tasks the worker could not start.</summary>
    public Action<TaskLogLevel, string>? Log { get; init; }

    /// <summary>Work due besides the queued tasks (site crons, statistics, scheduled backups); asked at most once a second.</summary>
    public Schedules.IWorkSchedule? Schedule { get; init; }

    readonly SemaphoreSlim _wake = new(0);
    readonly int _throttle = Math.Max(1, throttle);
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _current = new(StringComparer.Ordinal);

    /// <summary>The ids of the queued tasks running now (read from any thread: a worker's heartbeat says them).</summary>
    public IReadOnlyCollection<string> Current => [.. _current.Keys];

    /// <summary>
    /// Runs what is queued, calling <paramref name="finished"/> on this thread as each task ends. Once
    /// (<paramref name="continuous"/> false): returns when nothing it can run is left (a task whose target another
    /// process holds stays queued). Continuous: runs until <paramref name="stop"/>, waking within moments of a new task.
    /// </summary>
    public void Run(bool continuous, Action<AegirTask> finished, CancellationToken stop)
    {
        var running = new Dictionary<string, (Task<TaskOutcome?> Work, IReadOnlyList<string> Targets)>(StringComparer.Ordinal);
        var scheduled = new Dictionary<string, (Task<string> Work, IReadOnlyList<string> Targets)>(StringComparer.Ordinal);
        var lastSchedule = DateTime.MinValue;
        var nextDue = DateTimeOffset.MaxValue;
        bool leftWaiting = false;
        bool ranSinceRetry = false;
        var passedOver = new HashSet<string>(StringComparer.Ordinal);
        var lastScan = DateTime.MinValue;
        using var listening = continuous && Tasks ? Listen(stop) : null;
        while (true)
        {
            foreach (var (id, run) in running.Where(r => r.Value.Work.IsCompleted).ToList())
            {
                running.Remove(id);
                if (run.Work.IsFaulted) Log?.Invoke(TaskLogLevel.Error, $"Task {id} could not be run: {run.Work.Exception!.GetBaseException().Message}");
                else if (run.Work.Result is { } outcome) { finished(outcome.Task); ranSinceRetry = true; }
                else if (!continuous) passedOver.Add(id);   // its target was held elsewhere, or another worker took it: not tried again in this pass
            }
            foreach (var (key, work) in scheduled.Where(w => w.Value.Work.IsCompleted).ToList())
            {
                scheduled.Remove(key);
                if (work.Work.IsFaulted) Log?.Invoke(TaskLogLevel.Warning, $"{key}: {work.Work.Exception!.GetBaseException().Message}");
                else Log?.Invoke(Schedules.ScheduledWork.IsWarning(work.Work.Result) ? TaskLogLevel.Warning : TaskLogLevel.Info, work.Work.Result);
            }
            bool started = false;
            if (!stop.IsCancellationRequested)
            {
                if (DateTime.UtcNow - lastScan >= Rescan)
                {
                    RepairDeadWorkers();
                    lastScan = DateTime.UtcNow;
                }
                started = Tasks && StartDue(running, scheduled.Count, passedOver, continuous, stop);
                // Scheduled work takes what the tasks leave of the throttle: asked again when some was left waiting, when
                // the next falls due, and (for a continuous worker) at most once a second otherwise.
                if (Schedule is not null && (!continuous || leftWaiting || DateTimeOffset.UtcNow >= nextDue || DateTime.UtcNow - lastSchedule >= TimeSpan.FromSeconds(1)))
                {
                    lastSchedule = DateTime.UtcNow;
                    (bool any, leftWaiting) = StartScheduled(running, scheduled, continuous);
                    started |= any;
                    nextDue = leftWaiting ? DateTimeOffset.MaxValue : Schedule.NextDue ?? DateTimeOffset.MaxValue;
                }
            }
            if (running.Count == 0 && scheduled.Count == 0 && (stop.IsCancellationRequested || (!continuous && !started)))
            {
                // Once: a task passed over while its target was busy (a lock not yet let go) is tried again after the
                // rest have run, for as long as that makes progress; one another process holds stays queued.
                if (stop.IsCancellationRequested || continuous || passedOver.Count == 0 || !ranSinceRetry) return;
                passedOver.Clear();
                ranSinceRetry = false;
                continue;
            }
            var sleep = Rescan;
            if (nextDue - DateTimeOffset.UtcNow is var untilDue && untilDue < sleep) sleep = untilDue < TimeSpan.Zero ? TimeSpan.Zero : untilDue;
            try { _wake.Wait(sleep, running.Count == 0 && scheduled.Count == 0 ? stop : CancellationToken.None); }
            catch (OperationCanceledException) { }
        }
    }

    /// <summary>Starts each task the queue leases: oldest first, whose targets no running or earlier waiting task holds; true when it started any.</summary>
    bool StartDue(Dictionary<string, (Task<TaskOutcome?> Work, IReadOnlyList<string> Targets)> running, int scheduledRunning, HashSet<string> passedOver, bool continuous, CancellationToken stop)
    {
        var free = _throttle - running.Count - scheduledRunning;
        if (free <= 0) return false;
        var request = new LeaseRequest(engine.Runner.Worker, free, running.Values.SelectMany(r => r.Targets).ToHashSet(StringComparer.Ordinal),
            queued => running.ContainsKey(queued.Id) || BatchReload(queued) ? LeaseChoice.Skip
                : !continuous && passedOver.Contains(queued.Id) ? LeaseChoice.Wait : LeaseChoice.Take,
            engine.TargetsOf);
        var leases = engine.Queue.Receive(request);
        foreach (var lease in leases)
        {
            _current[lease.TaskId] = 0;
            // A thread of its own: a task blocks on its programs' pipes, whose copying needs the thread pool free.
            var work = Task.Factory.StartNew(() => Run(lease, stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            work.ContinueWith(_ => _wake.Release(), TaskScheduler.Default);
            running[lease.TaskId] = (work, lease.Targets);
        }
        return leases.Count > 0;
    }

    /// <summary>
    /// Runs a leased task; acks the lease once its result is recorded, or nacks it with requeue when it was not claimed
    /// (its target held elsewhere, or another worker took it) or its run broke off before a result. A simulated crash
    /// leaves it as a kill would.
    /// </summary>
    TaskOutcome? Run(TaskLease lease, CancellationToken stop)
    {
        TaskOutcome? outcome;
        try
        {
            try { outcome = engine.RunQueued(lease.TaskId, stop); }
            catch (Exception ex) when (ex is not SimulatedCrash)
            {
                engine.Queue.Nack(lease, requeue: true);
                throw;
            }
            if (outcome is null) engine.Queue.Nack(lease, requeue: true);
            else engine.Queue.Ack(lease);
        }
        finally { _current.TryRemove(lease.TaskId, out _); }
        return outcome;
    }

    /// <summary>
    /// Starts the schedule's due work whose target no running task or work holds, within the throttle (the longest
    /// waiting first). Says whether it started any, and whether due work was left waiting. A single pass starts each
    /// piece of due work once.
    /// </summary>
    (bool Started, bool LeftWaiting) StartScheduled(Dictionary<string, (Task<TaskOutcome?> Work, IReadOnlyList<string> Targets)> running, Dictionary<string, (Task<string> Work, IReadOnlyList<string> Targets)> scheduled, bool continuous)
    {
        bool started = false, left = false;
        var busy = running.Values.SelectMany(r => r.Targets).Concat(scheduled.Values.SelectMany(s => s.Targets)).ToHashSet(StringComparer.Ordinal);
        foreach (var work in Schedule!.Due(DateTimeOffset.UtcNow))
        {
            if (scheduled.ContainsKey(work.Key) || _done.Contains(work.Key)) continue;
            if (running.Count + scheduled.Count >= _throttle || work.Targets.Any(busy.Contains))
            {
                left = true;
                continue;
            }
            var task = Task.Factory.StartNew(work.Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            task.ContinueWith(_ => _wake.Release(), TaskScheduler.Default);
            scheduled[work.Key] = (task, work.Targets);
            busy.UnionWith(work.Targets);
            if (!continuous) _done.Add(work.Key);
            started = true;
        }
        return (started, left);
    }

    /// <summary>In a single pass, the scheduled work already run (a failing cron is not run again in the same pass).</summary>
    readonly HashSet<string> _done = new(StringComparer.Ordinal);

    /// <summary>A reload a pipeline deferred to its end belongs to that pipeline while its process lives.</summary>
    bool BatchReload(QueuedTask queued)
        => queued.Type == "reload" && engine.Runner.Store.Get(queued.Id) is { } task && ProcessIdentity.IsAlive(task.ProcessId, task.ProcessStart);

    /// <summary>How often a worker tries again the undos that failed tasks left waiting for a server.</summary>
    public TimeSpan RetryWaiting { get; init; } = TimeSpan.FromMinutes(1);

    DateTime _lastRetry = DateTime.MinValue;

    /// <summary>
    /// Finds the tasks whose process died holding a target (its lock's owner is gone) and repairs each from its
    /// journal; now and then, tries again the undos failed tasks left waiting for a server.
    /// </summary>
    void RepairDeadWorkers()
    {
        foreach (var target in engine.Runner.Locks.Owned())
        {
            try { engine.Runner.Settle(target, (level, message) => Log?.Invoke(level, message)); }
            catch (Errors.AegirException ex) { Log?.Invoke(TaskLogLevel.Warning, $"A task died holding '@{target}' and could not be repaired yet: {ex.Message}"); }
        }
        if (DateTime.UtcNow - _lastRetry < RetryWaiting) return;
        _lastRetry = DateTime.UtcNow;
        foreach (var target in engine.Runner.Store.Waiting().Select(w => w.Target).Distinct(StringComparer.Ordinal).ToList())
        {
            try { engine.Runner.Settle(target, (level, message) => Log?.Invoke(level == TaskLogLevel.Warning ? TaskLogLevel.Info : level, message)); }
            catch (Errors.AegirException ex) { Log?.Invoke(TaskLogLevel.Debug, ex.Message); }
        }
    }

    /// <summary>Wakes the worker when the queue hears of a new task.</summary>
    IDisposable Listen(CancellationToken stop)
    {
        var done = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var thread = new Thread(() =>
        {
            while (!done.IsCancellationRequested)
            {
                engine.Queue.WaitForWork(Rescan, done.Token);
                _wake.Release();
            }
        }) { IsBackground = true, Name = "aegir-queue-listener" };
        thread.Start();
        return new Stopper(done, thread, engine.Queue);
    }

    sealed class Stopper(CancellationTokenSource done, Thread thread, ITaskQueue queue) : IDisposable
    {
        public void Dispose()
        {
            done.Cancel();
            thread.Join(TimeSpan.FromSeconds(5));
            done.Dispose();
            (queue as IDisposable)?.Dispose();   // stops listening; a later wait listens again
        }
    }
}
