using Aegir.Core.Errors;

namespace Aegir.Core.Tasks;

/// <summary>
/// Runs tasks: records each, locks its targets, repairs a task that died holding one of them, runs the body,
/// and on failure or cancellation recovers from the journal (undo, or finish past the point of no return).
/// Always returns the task, whatever happened; its Status says how it went.
/// </summary>
/// <param name="store">Where records live; files under <paramref name="home"/> when null.</param>
/// <param name="locks">Target locks; flock under <paramref name="home"/>, held as this process's worker id, when null.</param>
public sealed class TaskRunner(string home, ITaskObserver? observer = null, IJournalExecutor? executor = null, ITaskStore? store = null, ITargetLocks? locks = null)
{
    /// <summary>How long to wait for a target another task holds.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A queued task whose worker died in it is queued again after its repair, while it was begun at most this often
    /// (0: it fails, TaskProcessGone). For a queue that gives the task back on its worker's death (a broker): the
    /// repair that undid what the dead run changed and the retry are one story.
    /// </summary>
    public int RetryDead { get; init; }

    public ITaskStore Store { get; } = store ?? new TaskStore(home);

    public ITargetLocks Locks { get; } = locks ?? new FlockTargetLocks(home);

    /// <summary>The worker id tasks run under, as their records and their locks name it.</summary>
    public string Worker => Locks.Worker;

    /// <summary>Test hook: called before and after each journaled step; a returned exception is thrown there.</summary>
    internal Func<int, string, bool, Exception?>? Faults { get; set; }

    /// <summary>Runs a task now.</summary>
    public AegirTask Run(TaskRequest request, Action<TaskContext> body, CancellationToken cancellation = default)
        => Execute(NewTask(request, AegirTaskStatus.Running), request.Locks, body, cancellation, claim: false, request.Shared)!;

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
    /// Records a task another machine queued, under its id, as queued here (a server's own worker runs what the
    /// control machine sent); the record already here when there is one.
    /// </summary>
    public AegirTask Adopt(string id, TaskRequest request, DateTimeOffset created)
    {
        if (Store.Get(id) is { } known) return known;
        var task = new AegirTask { Id = id, Type = request.Type, Target = request.Target, Parameters = request.Parameters, Created = created, Status = AegirTaskStatus.Queued };
        Store.Save(task, durable: true);
        Store.MarkQueued(task);
        return task;
    }

    /// <summary>
    /// Claims a queued task (Queued to Running, by one process only: the claim happens under the target's lock)
    /// and runs it. Null when it was not queued any more, or its target stayed busy.
    /// </summary>
    /// <param name="shared">Those of <paramref name="locks"/> the task may hold shared with others.</param>
    public AegirTask? RunQueued(string id, IReadOnlyList<string> locks, Action<TaskContext> body, CancellationToken cancellation = default, IReadOnlyList<string>? shared = null)
    {
        var task = Store.Get(id);
        if (task is not { Status: AegirTaskStatus.Queued }) return null;
        return Execute(task, locks, body, cancellation, claim: true, shared ?? []);
    }

    /// <summary>
    /// Ends a queued task without running it (Stop-AegirTask), under its target's lock so that no worker claims it
    /// meanwhile. False when it was not queued any more, or its target stayed busy for <paramref name="wait"/>.
    /// </summary>
    public bool Cancel(string id, string why, TimeSpan wait, string errorId = "TaskStopped")
    {
        if (Store.Get(id) is not { Status: AegirTaskStatus.Queued } queued) return false;
        ITargetLease held;
        try { held = Locks.Acquire(queued.Target, null, $"the stop of task {id}", wait); }
        catch (AegirException ex) when (ex.ErrorId == "TargetBusy") { return false; }
        using var release = held;
        if (Store.Get(id) is not { Status: AegirTaskStatus.Queued } task) return false;
        var now = DateTimeOffset.Now;
        task.Status = AegirTaskStatus.Failed;
        task.ErrorId = errorId;
        task.Error = why;
        task.Finished = now;
        task.Log.Add(new TaskLogEntry(now, TaskLogLevel.Error, why));
        Store.Save(task, durable: true);
        Store.Unmark(task);
        return true;
    }

    /// <summary>
    /// Holds targets for a change of their records outside a task, after repairing a task that died holding one and
    /// trying again undos left waiting on them. <paramref name="log"/> hears about repairs.
    /// </summary>
    public IDisposable Hold(IEnumerable<string> targets, string what, Action<TaskLogLevel, string> log)
    {
        var held = Acquire(targets, null, what, LockWait);
        try { Settle(held, null, what, log); }
        catch { foreach (var l in held) l.Dispose(); throw; }
        return new Releaser(held);
    }

    /// <summary>
    /// Brings a target to what it will be before anyone decides on it (does it exist?): repairs the task that died
    /// holding it and tries again the undos left waiting on it. A target a live task holds is left to that task.
    /// Throws UndoPending when an undo that keeps its record still waits.
    /// </summary>
    public void Settle(string target, Action<TaskLogLevel, string> log)
    {
        if (Locks.OwnerOf(target) is null && Store.WaitingOn(target).Count == 0) return;
        List<ITargetLease> held;
        try { held = Acquire([target], null, $"a check of '@{target}'", TimeSpan.Zero); }
        catch (AegirException ex) when (ex.ErrorId == "TargetBusy") { return; }   // whoever holds it repairs it
        using (new Releaser(held)) Settle(held, null, $"a check of '@{target}'", log);
    }

    /// <summary>
    /// Repairs each task that died holding another target (a site whose install a killed pipeline cut off) whose
    /// journal changed something on <paramref name="server"/>: the server's next task or verify finds it, not only
    /// the next task on that site, which nobody may think to run.
    /// </summary>
    public void SettleTouching(string server, Action<TaskLogLevel, string> log)
    {
        foreach (var target in Locks.Owned())
        {
            // Whether its holder died is the lock's to say (Settle takes it only when free); a live task is left alone.
            if (target == server || Locks.OwnerOf(target) is not { TaskId: { } id }) continue;
            if (Store.Get(id) is { IsFinished: false } task && task.Journal.Any(e => Touches(e.Undo, server) || Touches(e.Forward, server)))
                Settle(target, log);
        }
    }

    static bool Touches(JournalAction? action, string server)
        => action is not null && action.Args.TryGetValue("server", out var name) && name == server;

    /// <summary>Repairs what died holding these targets, then tries again the undos left waiting on them; <paramref name="what"/> does it when not a task.</summary>
    void Settle(List<ITargetLease> held, string? self, string what, Action<TaskLogLevel, string> log)
    {
        var byWhom = self is null ? what : $"task {self}";
        RepairDead(held, self, byWhom, log);
        RetryWaiting(held, self, Capitalise(byWhom), log);
    }

    static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    sealed class Releaser(List<ITargetLease> held) : IDisposable
    {
        public void Dispose() { foreach (var l in held) l.Dispose(); }
    }

    AegirTask NewTask(TaskRequest request, AegirTaskStatus status)
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
            Worker = status == AegirTaskStatus.Running ? Worker : null,
        };
    }

    AegirTask? Execute(AegirTask task, IReadOnlyList<string> locks, Action<TaskContext> body, CancellationToken cancellation, bool claim, IReadOnlyList<string> shared)
    {
        using var lapsed = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var ctx = new TaskContext(task, Store, observer, executor, new SecretMasker(), lapsed.Token, Faults);
        var held = new List<ITargetLease>();
        LeaseHeartbeat? heartbeat = null;
        bool crashed = false, owned = !claim;   // a claim owns the record only once it found it still queued
        try
        {
            // The record is written once the locks are held: a task killed before that leaves no record that
            // could show as running forever, and one killed after is named by its locks' owner files.
            held = Acquire(locks.Append(task.Target), task.Id, $"task {task.Id}", LockWait, shared.Where(s => s != task.Target).ToHashSet(StringComparer.Ordinal));
            heartbeat = LeaseHeartbeat.Start(Locks.Heartbeat, held, lapsed);
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
                task.Worker = Worker;
                task.Tries = (task.Tries ?? 0) + 1;
                Store.Save(task, durable: false);
                Store.Unmark(task);
                ctx.Info($"Task {task.Type} on '@{task.Target}' started (task {task.Id}, queued {task.Created:yyyy-MM-dd HH:mm:ss}).");
            }
            Settle(held, task.Id, "", ctx.Log);
            body(ctx);
            // Asked to stop during its last step, which ran to its end (a step that reports no progress cannot be stopped midway).
            if (Store.StopRequested(task.Id))
                ctx.Warn("Stop-AegirTask asked this task to stop, but it came during its last step, which runs to its end: the task finished all the same.");
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
                AggregateException { InnerExceptions: [AegirException a] } => (a.Message, a.ErrorId),
                OperationCanceledException => (ErrorCatalog.TaskStopped(task.Type, task.Target).Message, "TaskStopped"),
                _ => (TaskErrors.ModuleFault(task, ex).Message, "TaskFailed"),
            };
            ctx.Log(TaskLogLevel.Error, message);
            if (ex is not AegirException and not OperationCanceledException) ctx.Debug(ex.ToString());   // a fault of the module itself: where it was
            ctx.Recover();
            if (WaitingUndo.Undos(task).Count > 0) message += " " + TaskErrors.UndoWaits(task);
            task.Status = AegirTaskStatus.Failed;
            task.Error = ctx.Masker.Apply(message);
            task.ErrorId = id;
        }
        finally
        {
            heartbeat?.Dispose();
            if (crashed) foreach (var l in held) l.Abandon();
            else if (!owned) foreach (var l in held) l.Dispose();
            else
            {
                task.Finished = DateTimeOffset.Now;
                try
                {
                    Store.Save(task, durable: true);
                    Store.ClearStop(task.Id);
                    if (!KeepsData(task)) Store.DeleteData(task);
                }
                finally { foreach (var l in held) l.Dispose(); }
            }
        }
        return task;
    }

    /// <summary>Locks in one fixed order for every task, so two tasks that need the same pair cannot deadlock.</summary>
    /// <param name="shared">Targets held shared: others may hold them shared too, never exclusive meanwhile.</param>
    List<ITargetLease> Acquire(IEnumerable<string> targets, string? taskId, string what, TimeSpan wait, IReadOnlySet<string>? shared = null)
    {
        var held = new List<ITargetLease>();
        try
        {
            foreach (var name in targets.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                held.Add(shared?.Contains(name) == true ? Locks.AcquireShared(name, taskId, what, wait) : Locks.Acquire(name, taskId, what, wait));
        }
        catch
        {
            foreach (var l in held) l.Dispose();
            throw;
        }
        return held;
    }

    /// <summary>A lock whose last holder died names that holder's task: recover it from its journal, once.</summary>
    void RepairDead(IReadOnlyList<ITargetLease> held, string? self, string byWhom, Action<TaskLogLevel, string> log)
    {
        foreach (var (l, owner) in held.SelectMany(l => l.StaleShared.Prepend(l.StaleOwner).OfType<LockOwner>().Select(o => (l, o))))
        {
            if (owner.TaskId is not null && owner.TaskId == self) continue;
            if (owner.TaskId is null)
            {
                log(TaskLogLevel.Debug, $"The last {owner.What} on '@{l.Target}' (process {owner.ProcessId}) ended without releasing its lock; it wrote its record whole or not at all.");
                continue;
            }
            Repair(owner, l.Target, byWhom, log);
        }
    }

    void Repair(LockOwner owner, string target, string byWhom, Action<TaskLogLevel, string> log)
    {
        // One repairer at a time: a task holding several targets is found by whoever takes any of them first.
        using var gate = RepairGate("the repair of another dead task");
        var dead = Store.Get(owner.TaskId!);
        if (dead is null || dead.IsFinished) return;
        log(TaskLogLevel.Warning, $"Took over the lock on '@{target}' from task {dead.Id}: its process {owner.ProcessId} ended without releasing it. Repairing that task ({dead.Type} on '@{dead.Target}') from its journal.");
        var before = dead.Journal.ToDictionary(e => e.Step, e => e.State);
        // It ended when it was last heard of, not when this repair found it: its record must not overlap the repairer's.
        var lastHeard = dead.Log.Count > 0 ? dead.Log[^1].Time : dead.Started ?? dead.Created;
        var deadCtx = new TaskContext(dead, Store, null, executor, new SecretMasker(), CancellationToken.None, Faults);
        deadCtx.Log(TaskLogLevel.Error, $"The process running this task ({owner.ProcessId}) ended before the task did; {byWhom} repairs it.");
        var left = deadCtx.Recover();
        var changed = dead.Journal.Where(e => before[e.Step] != e.State).ToList();
        foreach (var e in changed) log(e.State is JournalState.Failed or JournalState.Waiting ? TaskLogLevel.Error : TaskLogLevel.Info, $"Repair of task {dead.Id}: {Outcome(e)}.");
        dead.Repaired = DateTimeOffset.Now;
        if (Requeue(dead, changed, left, owner, byWhom)) return;
        dead.Status = AegirTaskStatus.Failed;
        dead.Finished ??= lastHeard;
        Store.Unmark(dead);
        dead.ErrorId = "TaskProcessGone";
        dead.Error = $"The process running this task ({owner.ProcessId}) ended before the task did. {Capitalise(byWhom)} repaired it: "
                     + (changed.Count == 0 ? "it had changed nothing." : $"{changed.Count(e => e.State is not (JournalState.Failed or JournalState.Waiting))} change(s) put right")
                     + (left.Count == 0 ? "" : $"; {left.Count} could not be, check them by hand: {string.Join("; ", left)}")
                     + ". " + (WaitingUndo.Undos(dead).Count > 0 ? TaskErrors.UndoWaits(dead) + " " : "") + "Run the task again if it is still wanted.";
        deadCtx.Log(TaskLogLevel.Error, dead.Error);
        // Its process may have been killed while it wrote the record: what it left goes, now the record is whole.
        Store.RemoveStaleTemps(dead);
        Store.Save(dead, durable: true);
        if (!KeepsData(dead)) Store.DeleteData(dead);
    }

    /// <summary>
    /// Queues a repaired task again when the queue retries dead workers' tasks, the task came from the queue and has
    /// tries left, and its repair put everything back as it was: no undo failed or waits, and it had not passed its
    /// point of no return (then it was finished forward, and a second run would do it twice).
    /// </summary>
    bool Requeue(AegirTask dead, IReadOnlyList<JournalEntry> changed, IReadOnlyList<string> left, LockOwner owner, string byWhom)
    {
        if (RetryDead <= 0 || dead.Tries is not { } tries || tries >= RetryDead || left.Count > 0 || WaitingUndo.Undos(dead).Count > 0
            || dead.Journal.Any(e => e.Forward is not null) || Store.StopRequested(dead.Id)) return false;
        var why = $"The worker running this task ({dead.Worker ?? $"process {owner.ProcessId}"}) ended before the task did. {Capitalise(byWhom)} repaired it from its journal ("
                  + (changed.Count == 0 ? "it had changed nothing" : $"{changed.Count} change(s) undone") + $"), and queued it again: try {tries + 1} of at most {RetryDead}.";
        lock (dead)
        {
            dead.Log.Add(new TaskLogEntry(DateTimeOffset.Now, TaskLogLevel.Warning, why));
            dead.Journal.Clear();   // what the dead run did is undone and told in the log; the next run journals afresh
        }
        dead.Status = AegirTaskStatus.Queued;
        dead.Started = null;
        dead.Finished = null;
        dead.Worker = null;
        Store.RemoveStaleTemps(dead);
        Store.Save(dead, durable: true);
        Store.MarkQueued(dead);
        return true;
    }

    /// <summary>One repair at a time among all workers, through the target locks (a name no context has: it starts with a dot).</summary>
    ITargetLease RepairGate(string busyWith)
    {
        try { return Locks.Acquire(".repair", null, "a repair", LockWait); }
        catch (AegirException ex) when (ex.ErrorId == "TargetBusy") { throw ErrorCatalog.TargetBusy("repair", null, null, null, LockWait, busyWith); }
    }

    static string Outcome(JournalEntry e)
        => $"{e.State switch { JournalState.Undone => "undid", JournalState.Done => "finished", JournalState.Waiting => "could not undo yet", _ => "could not repair" }} '{e.Description}'{(e.Problem is null ? "" : $" ({e.Problem})")}";

    /// <summary>A task keeps its undo data while something of it is left to do: by hand (failed) or by a later task (waiting).</summary>
    static bool KeepsData(AegirTask task) => task.Journal.Any(e => e.State is JournalState.Failed or JournalState.Waiting);

    /// <summary>
    /// Tries again, once each, the undos that failed tasks left waiting on these targets. One that still waits
    /// refuses the holder of a record it keeps (nothing may change that record before it is put back); the holder of
    /// one of its servers only hears of it.
    /// </summary>
    void RetryWaiting(IReadOnlyList<ITargetLease> held, string? self, string byWhom, Action<TaskLogLevel, string> log)
    {
        var tried = new Dictionary<string, AegirTask?>(StringComparer.Ordinal);
        foreach (var l in held)
            foreach (var id in Store.WaitingOn(l.Target))
            {
                if (id == self) continue;
                bool first = !tried.TryGetValue(id, out var waiting);
                if (first) tried[id] = waiting = Retry(id, held, self, byWhom, log);
                if (waiting is null) continue;
                if (WaitingUndo.Records(waiting).Contains(l.Target)) throw TaskErrors.UndoPending(l.Target, waiting);
                if (first) log(TaskLogLevel.Warning, $"The undo of task {id} ({waiting.Type} on '@{waiting.Target}') still waits: {string.Join("; ", WaitingUndo.Undos(waiting))}.");
            }
    }

    /// <summary>
    /// Tries again one task's waiting undos, holding its target (taken now if no one holds it; if someone does, they
    /// try). Returns the task when something of it still waits, null when its undo is done.
    /// </summary>
    AegirTask? Retry(string id, IReadOnlyList<ITargetLease> held, string? self, string byWhom, Action<TaskLogLevel, string> log)
    {
        if (Store.Get(id) is not { } task) return null;
        ITargetLease? extra = null;
        if (!held.Any(h => h.Target == task.Target))
        {
            try { extra = Locks.Acquire(task.Target, self, $"the undo left waiting by task {id}", TimeSpan.Zero); }
            catch (AegirException ex) when (ex.ErrorId == "TargetBusy") { return task; }
        }
        try
        {
            if (extra is not null) RepairDead([extra], self, byWhom, log);
            using var gate = RepairGate("the repair of another task");
            task = Store.Get(id) ?? task;
            if (!task.Journal.Any(e => e.State == JournalState.Waiting))
            {
                Store.MarkWaitingUndo(task);
                return null;
            }
            var ctx = new TaskContext(task, Store, null, executor, new SecretMasker(), CancellationToken.None, Faults);
            var before = task.Journal.ToDictionary(e => e.Step, e => e.State);
            var failed = ctx.RetryWaiting();
            var changed = task.Journal.Where(e => before[e.Step] != e.State).ToList();
            if (changed.Count == 0) return task;   // it all waits as it did: nothing to write
            foreach (var e in changed) log(e.State == JournalState.Undone ? TaskLogLevel.Info : TaskLogLevel.Error, $"Undo left waiting by task {id}: {Outcome(e)}.");
            var done = !task.Journal.Any(e => e.State == JournalState.Waiting);
            ctx.Info($"{byWhom} tried again the undo this task left waiting" + (!done ? "; some of it still waits." : failed.Count == 0 ? ": it is done." : $": it is done but for {string.Join("; ", failed)}."));
            if (done)
            {
                task.Error += $" {byWhom} finished its undo {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss}" + (failed.Count == 0 ? "." : $", but for {string.Join("; ", failed)}: check those by hand.");
                log(TaskLogLevel.Warning, $"Finished the undo that task {id} ({task.Type} on '@{task.Target}') left waiting.");
            }
            Store.Save(task, durable: true);
            if (!KeepsData(task)) Store.DeleteData(task);
            return done ? null : task;
        }
        finally { extra?.Dispose(); }
    }
}
