using Aegir.Core.Errors;
using Aegir.Core.IO;

namespace Aegir.Core.Tasks;

/// <summary>
/// Runs tasks: records each, locks its targets, repairs a task that died holding one of them, runs the body,
/// and on failure or cancellation recovers from the journal (undo, or finish past the point of no return).
/// Always returns the task, whatever happened; its Status says how it went.
/// </summary>
public sealed class TaskRunner(string home, ITaskObserver? observer = null, IJournalExecutor? executor = null)
{
    /// <summary>How long to wait for a target another task holds.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromSeconds(30);

    public TaskStore Store { get; } = new(home);

    /// <summary>Test hook: called before and after each journaled step; a returned exception is thrown there.</summary>
    internal Func<int, string, bool, Exception?>? Faults { get; set; }

    /// <summary>Runs a task now.</summary>
    public AegirTask Run(TaskRequest request, Action<TaskContext> body, CancellationToken cancellation = default)
        => Execute(NewTask(request, AegirTaskStatus.Running), request.Locks, body, cancellation, claim: false)!;

    /// <summary>Runs an ad-hoc task (no parameters) now.</summary>
    public AegirTask Run(string type, string target, IEnumerable<string> locks, Action<TaskContext> body)
        => Run(new TaskRequest(type, target, locks.ToList(), []), body);

    /// <summary>Records a task as queued and returns at once; <see cref="RunQueued"/> runs it.</summary>
    public AegirTask Enqueue(TaskRequest request)
    {
        var task = NewTask(request, AegirTaskStatus.Queued);
        Store.Save(task, durable: true);
        Store.MarkQueued(task);
        return task;
    }

    /// <summary>
    /// Claims a queued task (Queued to Running, by one process only: the claim happens under the target's lock)
    /// and runs it. Null when it was not queued any more, or its target stayed busy.
    /// </summary>
    public AegirTask? RunQueued(string id, IReadOnlyList<string> locks, Action<TaskContext> body, CancellationToken cancellation = default)
    {
        var task = Store.Get(id);
        if (task is not { Status: AegirTaskStatus.Queued }) return null;
        return Execute(task, locks, body, cancellation, claim: true);
    }

    /// <summary>
    /// Ends a queued task without running it (Stop-AegirTask), under its target's lock so that no worker claims it
    /// meanwhile. False when it was not queued any more, or its target stayed busy for <paramref name="wait"/>.
    /// </summary>
    public bool Cancel(string id, string why, TimeSpan wait)
    {
        if (Store.Get(id) is not { Status: AegirTaskStatus.Queued } queued) return false;
        TargetLock held;
        try { held = TargetLock.Acquire(Store.Home, queued.Target, null, $"the stop of task {id}", wait); }
        catch (AegirException ex) when (ex.ErrorId == "TargetBusy") { return false; }
        using var release = held;
        if (Store.Get(id) is not { Status: AegirTaskStatus.Queued } task) return false;
        var now = DateTimeOffset.Now;
        task.Status = AegirTaskStatus.Failed;
        task.ErrorId = "TaskStopped";
        task.Error = why;
        task.Finished = now;
        task.Log.Add(new TaskLogEntry(now, TaskLogLevel.Error, why));
        Store.Save(task, durable: true);
        Store.Unmark(task);
        return true;
    }

    /// <summary>
    /// Holds targets for a change of their records outside a task, after repairing a task that died holding one.
    /// <paramref name="log"/> hears about repairs.
    /// </summary>
    public IDisposable Hold(IEnumerable<string> targets, string what, Action<TaskLogLevel, string> log)
    {
        var held = Acquire(targets, null, what);
        try { RepairDead(held, null, log); }
        catch { foreach (var l in held) l.Dispose(); throw; }
        return new Releaser(held);
    }

    /// <summary>Repairs the task that died holding <paramref name="target"/>, when its owner file names a task whose process is gone.</summary>
    public void RepairAbandoned(string target, Action<TaskLogLevel, string> log)
    {
        if (TargetLock.OwnerOf(Store.Home, target) is { TaskId: not null } owner && !ProcessIdentity.IsAlive(owner.ProcessId, owner.ProcessStart))
            using (Hold([target], $"the repair of task {owner.TaskId}", log)) { }
    }

    sealed class Releaser(List<TargetLock> held) : IDisposable
    {
        public void Dispose() { foreach (var l in held) l.Dispose(); }
    }

    static AegirTask NewTask(TaskRequest request, AegirTaskStatus status)
    {
        var now = DateTimeOffset.Now;
        return new AegirTask
        {
            Id = AegirTask.NewId(now),
            Type = request.Type,
            Target = request.Target,
            Parameters = request.Parameters,
            Created = now,
            Status = status,
            Started = status == AegirTaskStatus.Running ? now : null,
            ProcessId = Environment.ProcessId,
            ProcessStart = ProcessIdentity.CurrentStart,
        };
    }

    AegirTask? Execute(AegirTask task, IReadOnlyList<string> locks, Action<TaskContext> body, CancellationToken cancellation, bool claim)
    {
        var ctx = new TaskContext(task, Store, observer, executor, new SecretMasker(), cancellation, Faults);
        var held = new List<TargetLock>();
        bool crashed = false, owned = !claim;   // a claim owns the record only once it found it still queued
        try
        {
            // The record is written once the locks are held: a task killed before that leaves no record that
            // could show as running forever, and one killed after is named by its locks' owner files.
            held = Acquire(locks.Append(task.Target), task.Id, $"task {task.Id}");
            if (!claim)
            {
                Store.Save(task, durable: false);
                ctx.Info($"Task {task.Type} on '@{task.Target}' started (task {task.Id}).");
            }
            else
            {
                if (Store.Get(task.Id) is not { Status: AegirTaskStatus.Queued }) return null;
                owned = true;
                task.Status = AegirTaskStatus.Running;
                task.Started = DateTimeOffset.Now;
                task.ProcessId = Environment.ProcessId;
                task.ProcessStart = ProcessIdentity.CurrentStart;
                Store.Save(task, durable: false);
                Store.Unmark(task);
                ctx.Info($"Task {task.Type} on '@{task.Target}' started (task {task.Id}, queued {task.Created:yyyy-MM-dd HH:mm:ss}).");
            }
            RepairDead(held, task.Id, ctx.Log);
            body(ctx);
            bool warned;
            lock (task) warned = task.Log.Any(e => e.Level == TaskLogLevel.Warning);
            task.Status = warned ? AegirTaskStatus.Warning : AegirTaskStatus.Succeeded;
            ctx.Info($"Task {task.Type} on '@{task.Target}' {(warned ? "finished with warnings" : "succeeded")}.");
        }
        catch (SimulatedCrash)
        {
            crashed = true;
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (!owned) return null;   // not claimed (the target stayed busy): the task stays queued
            var (message, id) = ex switch
            {
                AegirException a => (a.Message, a.ErrorId),
                OperationCanceledException => (ErrorCatalog.TaskStopped(task.Type, task.Target).Message, "TaskStopped"),
                _ => ($"{ex.GetType().Name}: {ex.Message}", "TaskFailed"),
            };
            ctx.Log(TaskLogLevel.Error, message);
            if (ex is not AegirException and not OperationCanceledException) ctx.Debug(ex.ToString());   // a fault of the module itself: where it was
            ctx.Recover();
            task.Status = AegirTaskStatus.Failed;
            task.Error = ctx.Masker.Apply(message);
            task.ErrorId = id;
        }
        finally
        {
            if (crashed) foreach (var l in held) l.Abandon();
            else if (!owned) foreach (var l in held) l.Dispose();
            else
            {
                task.Finished = DateTimeOffset.Now;
                try
                {
                    Store.Save(task, durable: true);
                    Store.ClearStop(task.Id);
                    if (!task.Journal.Any(e => e.State == JournalState.Failed)) Store.DeleteData(task);
                }
                finally { foreach (var l in held) l.Dispose(); }
            }
        }
        return task;
    }

    /// <summary>Locks in one fixed order for every task, so two tasks that need the same pair cannot deadlock.</summary>
    List<TargetLock> Acquire(IEnumerable<string> targets, string? taskId, string what)
    {
        var held = new List<TargetLock>();
        try
        {
            foreach (var name in targets.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                held.Add(TargetLock.Acquire(Store.Home, name, taskId, what, LockWait));
        }
        catch
        {
            foreach (var l in held) l.Dispose();
            throw;
        }
        return held;
    }

    /// <summary>A lock whose last holder died names that holder's task: recover it from its journal, once.</summary>
    void RepairDead(IReadOnlyList<TargetLock> held, string? self, Action<TaskLogLevel, string> log)
    {
        string byWhom = self is null ? "a change of a context record" : $"task {self}";
        foreach (var l in held)
        {
            if (l.StaleOwner is not { } owner || (owner.TaskId is not null && owner.TaskId == self)) continue;
            if (owner.TaskId is null)
            {
                log(TaskLogLevel.Debug, $"The last {owner.What} on '@{l.Target}' (process {owner.ProcessId}) ended without releasing its lock; it wrote its record whole or not at all.");
                continue;
            }
            Repair(owner, l.Target, byWhom, log);
        }
    }

    void Repair(TargetLock.Owner owner, string target, string byWhom, Action<TaskLogLevel, string> log)
    {
        // One repairer at a time: a task holding several targets is found by whoever takes any of them first.
        using var gate = FileLock.TryAcquire(Path.Combine(Store.Home, "locks", ".repair"), LockWait)
            ?? throw ErrorCatalog.TargetBusy("repair", null, null, null, LockWait, "the repair of another dead task");
        var dead = Store.Get(owner.TaskId!);
        if (dead is null || dead.IsFinished) return;
        log(TaskLogLevel.Warning, $"Took over the lock on '@{target}' from task {dead.Id}: its process {owner.ProcessId} ended without releasing it. Repairing that task ({dead.Type} on '@{dead.Target}') from its journal.");
        var before = dead.Journal.ToDictionary(e => e.Step, e => e.State);
        var deadCtx = new TaskContext(dead, Store, null, executor, new SecretMasker(), CancellationToken.None, Faults);
        deadCtx.Log(TaskLogLevel.Error, $"The process running this task ({owner.ProcessId}) ended before the task did; {byWhom} repairs it.");
        var left = deadCtx.Recover();
        var changed = dead.Journal.Where(e => before[e.Step] != e.State).ToList();
        foreach (var e in changed)
            log(e.State == JournalState.Failed ? TaskLogLevel.Error : TaskLogLevel.Info,
                $"Repair of task {dead.Id}: {(e.State switch { JournalState.Undone => "undid", JournalState.Done => "finished", _ => "could not repair" })} '{e.Description}'{(e.Problem is null ? "" : $" ({e.Problem})")}.");
        dead.Status = AegirTaskStatus.Failed;
        dead.Finished ??= DateTimeOffset.Now;
        Store.Unmark(dead);
        dead.ErrorId = "TaskProcessGone";
        dead.Error = $"The process running this task ({owner.ProcessId}) ended before the task did. {byWhom} repaired it: "
                     + (changed.Count == 0 ? "it had changed nothing." : $"{changed.Count(e => e.State != JournalState.Failed)} change(s) put right")
                     + (left.Count == 0 ? "" : $"; {left.Count} could not be, check them by hand: {string.Join("; ", left)}")
                     + ". Run the task again if it is still wanted.";
        deadCtx.Log(TaskLogLevel.Error, dead.Error);
        Store.Save(dead, durable: true);
        if (left.Count == 0) Store.DeleteData(dead);
    }
}
