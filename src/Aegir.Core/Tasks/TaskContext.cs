using Aegir.Core.Errors;

namespace Aegir.Core.Tasks;

/// <summary>
/// What an operation sees while its task runs: the log (secrets masked), progress, cancellation, and steps.
/// A step that changes something is journaled with its undo before it acts, so a failure, a Ctrl+C or a kill
/// can be undone: in this process by <see cref="Recover"/>, in another by the repair of the next task.
/// </summary>
public sealed class TaskContext
{
    readonly ITaskStore _store;
    readonly ITaskObserver? _observer;
    readonly IJournalExecutor? _executor;
    readonly Func<int, string, bool, Exception?>? _faults;
    int _dataCount;

    internal TaskContext(AegirTask task, ITaskStore store, ITaskObserver? observer, IJournalExecutor? executor, SecretMasker masker,
        CancellationToken cancellation, Func<int, string, bool, Exception?>? faults = null)
    {
        Task = task;
        _store = store;
        _observer = observer;
        _executor = executor;
        _faults = faults;
        Masker = masker;
        Cancellation = cancellation;
    }

    public AegirTask Task { get; }

    public SecretMasker Masker { get; }

    /// <summary>Cancelled by Ctrl+C or a stopping worker: the task stops at the next step and rolls back.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>Registers a value that must never appear in the log.</summary>
    public void Secret(string? value) => Masker.Add(value);

    public void Log(TaskLogLevel level, string message)
    {
        var entry = new TaskLogEntry(DateTimeOffset.Now, level, Masker.Apply(message));
        lock (Task) Task.Log.Add(entry);
        _observer?.OnLog(Task, entry);
    }

    public void Info(string message) => Log(TaskLogLevel.Info, message);
    public void Warn(string message) => Log(TaskLogLevel.Warning, message);
    public void Debug(string message) => Log(TaskLogLevel.Debug, message);

    public void Progress(int percent, string activity)
    {
        _observer?.OnProgress(Task, Math.Clamp(percent, 0, 100), Masker.Apply(activity));
        // A long step that reports its progress (an archive written, a dump loaded) hears Stop-AegirTask too, at most
        // once a second: it stops there and is undone, as a task stopped between steps is.
        if (_depth > 0 && Environment.TickCount64 >= _nextStopCheck)
        {
            _nextStopCheck = Environment.TickCount64 + 1000;
            if (_store.StopRequested(Task.Id))
                throw new OperationCanceledException("Stop-AegirTask asked this task to stop: it stops in the middle of a step.");
        }
    }

    /// <summary>
    /// A token cancelled once Stop-AegirTask asks this task to stop (looked for once a second), for a step that waits
    /// on one long command: the command is ended, and the step throws so that the task is undone.
    /// </summary>
    public StopWatch WatchForStop() => new(() => _store.StopRequested(Task.Id));

    public sealed class StopWatch : IDisposable
    {
        readonly CancellationTokenSource _stop = new();
        readonly Timer _timer;

        internal StopWatch(Func<bool> asked) => _timer = new Timer(_ => { if (asked()) _stop.Cancel(); }, null, 1000, 1000);

        public CancellationToken Token => _stop.Token;

        /// <summary>Throws when the stop came, so the task rolls back as one stopped between steps does.</summary>
        public void ThrowIfStopped(string what)
        {
            if (_stop.IsCancellationRequested) throw new OperationCanceledException($"Stop-AegirTask asked this task to stop: {what} was ended.");
        }

        public void Dispose()
        {
            _timer.Dispose();
            _stop.Dispose();
        }
    }

    int _depth;
    long _nextStopCheck;

    /// <summary>Runs a step that changes nothing by itself, or whose change an earlier step's undo covers.</summary>
    public void Step(string description, Action action) => Run(description, () => { action(); return 0; }, null);

    /// <summary>Runs a step whose change <paramref name="undo"/> reverses; journaled before it acts.</summary>
    public void Step(string description, Action action, JournalAction? undo) => Run(description, () => { action(); return 0; }, undo);

    /// <summary>Runs a step that yields a value.</summary>
    public T Step<T>(string description, Func<T> action, JournalAction? undo = null) => Run(description, action, undo);

    T Run<T>(string description, Func<T> action, JournalAction? undo)
    {
        Cancellation.ThrowIfCancellationRequested();
        Info(description);
        JournalEntry? entry = null;
        if (undo is not null)
        {
            entry = Journal(description, JournalState.Started, undo, null);
            _store.Save(Task, durable: false);
        }
        T result;
        try
        {
            Fault(entry?.Step ?? 0, description, after: false);
            _depth++;
            try { result = action(); }
            finally { _depth--; }
            Fault(entry?.Step ?? 0, description, after: true);
        }
        catch (AegirException ex) when (ex.NothingChanged && entry is not null)
        {
            entry.State = JournalState.Void;
            _store.Save(Task, durable: false);
            throw;
        }
        catch (Exception ex) when (Wrap(description, ex) is { } wrapped) { throw wrapped; }
        // Done is saved with the next write of the record: a kill before it finds the step Started, which a repair
        // undoes just the same, so the write after each step would buy nothing but time.
        if (entry is not null) entry.State = JournalState.Done;
        return result;
    }

    /// <summary>
    /// The point of no return: writes down every remaining change (each a journal action), then does them in
    /// order. From here a failure or a kill never rolls back: a repair finishes what is left. A change that
    /// fails is logged and the rest still run; the task then fails, saying what to finish by hand.
    /// </summary>
    public void Commit(IReadOnlyList<JournalAction> changes)
    {
        Info($"Point of no return: {string.Join("; ", changes.Select(c => c.Description))}.");
        var entries = changes.Select(c => Journal(c.Description, JournalState.Pending, null, c)).ToList();
        _store.Save(Task, durable: true);
        var failed = Finish(entries);
        if (failed.Count > 0)
            throw ErrorCatalog.StepFailed(ErrorIds.CommitIncomplete, "Finishing the task", $"{failed.Count} change(s) past the point of no return failed: {string.Join("; ", failed)}",
                "Do them by hand (the task log says why each failed), then verify the target.");
    }

    /// <summary>
    /// From here on a failure does not undo what came before (a verify's repairs stay whatever the checks after them
    /// find). Journaled, so a repair after a kill keeps them too.
    /// </summary>
    public void KeepChanges(string why)
    {
        Journal($"Keeping the changes so far: {why}", JournalState.Done, null, JournalActions.None);
        _store.Save(Task, durable: false);
        Debug($"From here on a failure keeps the changes so far: {why}.");
    }

    /// <summary>
    /// Journals a temporary file or folder before it is made (<paramref name="remove"/> deletes it, safe to do twice),
    /// so that whatever becomes of the task it does not stay behind: disposing the result deletes it now, and a
    /// failure or a kill before that leaves it to the recovery, which deletes it whether it undoes or finishes.
    /// </summary>
    public IDisposable Temporary(string description, JournalAction remove, Action delete)
    {
        var entry = Journal(description, JournalState.Started, remove, null, temporary: true);
        _store.Save(Task, durable: false);
        Fault(entry.Step, description, after: false);
        return new TemporaryPath(this, entry, delete);
    }

    sealed class TemporaryPath(TaskContext ctx, JournalEntry entry, Action delete) : IDisposable
    {
        public void Dispose()
        {
            if (entry.State != JournalState.Started) return;
            ctx.Fault(entry.Step, entry.Description, after: true);
            delete();
            entry.State = JournalState.Undone;   // saved with the next write: a repair before it deletes it again, which is harmless
        }
    }

    JournalEntry Journal(string description, JournalState state, JournalAction? undo, JournalAction? forward, bool temporary = false)
    {
        var entry = new JournalEntry { Step = Task.Journal.Count + 1, Description = Masker.Apply(description), Undo = undo, Forward = forward, State = state, Temporary = temporary };
        lock (Task) Task.Journal.Add(entry);
        return entry;
    }

    List<string> Finish(IEnumerable<JournalEntry> entries)
    {
        var failed = new List<string>();
        foreach (var entry in entries)
        {
            Info(Capitalise(entry.Description));
            try
            {
                Fault(entry.Step, entry.Description, after: false);
                Execute(entry.Forward!);
                entry.State = JournalState.Done;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException and not SimulatedCrash)
            {
                entry.State = JournalState.Failed;
                entry.Problem = Masker.Apply(ErrorCatalog.Plain(ex));
                failed.Add($"{entry.Description} ({entry.Problem})");
                Log(TaskLogLevel.Error, $"Could not {entry.Description}: {entry.Problem}.");
            }
            _store.Save(Task, durable: false);
        }
        return failed;
    }

    void Execute(JournalAction action)
    {
        if (_executor is null) throw new InvalidOperationException("this task runner has no journal executor");
        _executor.Run(action, this);
    }

    void Fault(int step, string description, bool after)
    {
        if (_faults?.Invoke(step, description, after) is { } fault) throw fault;
    }

    /// <summary>
    /// A failure of a step in the catalogue's words (null: thrown as it is). Work done in parallel fails with each of
    /// its failures: one is that failure, several are named each in its own words, never "One or more errors occurred".
    /// </summary>
    Exception? Wrap(string description, Exception ex) => ex switch
    {
        AegirException or OperationCanceledException or SimulatedCrash => null,
        AggregateException all when all.Flatten().InnerExceptions is [var one] => Wrap(description, one) ?? one,
        AggregateException all => ErrorCatalog.StepFailed(ErrorIds.StepFailed, description, Masker.Apply(ErrorCatalog.Plain(all)), "See the task log for the steps before it."),
        IOException when ErrorCatalog.IsDiskFull(ex.Message) => ErrorCatalog.DiskFull(description, Masker.Apply(ex.Message)),
        IOException or UnauthorizedAccessException or InvalidOperationException or System.Data.Common.DbException
            => ErrorCatalog.StepFailed(ErrorIds.StepFailed, description, Masker.Apply(ex.Message), "See the task log for the steps before it."),
        _ => null,
    };

    /// <summary>Keeps bytes the undo of a step needs (old config, an old record) in a private file of this task.</summary>
    public string SaveData(byte[] bytes)
    {
        var name = $"{Interlocked.Increment(ref _dataCount)}-{Guid.NewGuid().ToString("N")[..6]}";
        _store.WriteData(Task, name, bytes);
        return name;
    }

    public byte[] LoadData(string name) => _store.ReadData(Task, name)
        ?? throw ErrorCatalog.StepFailed(ErrorIds.UndoDataMissing, $"Reading what task {Task.Id} saved for its undo", $"its data file {name} is gone", "Check the target by hand, then verify it.");

    /// <summary>
    /// Puts things right after a failure, a cancellation or a kill: a task past its point of no return finishes
    /// its pending changes; any other undoes, in reverse, every change that started and was not undone yet.
    /// Temporary files go either way. Each entry is marked as it goes, so a kill during recovery leaves the rest
    /// to the next repair. Returns what could not be undone or finished (an undo that waits for its server is
    /// not in it: it is tried again later, see <see cref="WaitingUndo"/>).
    /// </summary>
    internal IReadOnlyList<string> Recover()
    {
        if (Task.Journal.Any(e => e.Forward is not null))
        {
            var forward = Task.Journal.Where(e => e.Forward is not null && e.State is JournalState.Pending or JournalState.Started).ToList();
            var failed = new List<string>();
            if (forward.Count > 0)
            {
                Warn($"The task was past its point of no return; finishing {forward.Count} change(s).");
                failed = Finish(forward);
                Info(failed.Count == 0 ? "Finished what the task had left to do." : $"{failed.Count} change(s) could not be finished: {string.Join("; ", failed)}.");
            }
            var temporaries = Task.Journal.Where(e => e.Temporary && e.State == JournalState.Started).Reverse().ToList();
            if (temporaries.Count > 0) failed.AddRange(Undo(temporaries));
            return failed;
        }

        var pending = Task.Journal.Where(e => e.State is JournalState.Started or JournalState.Done).Reverse().ToList();
        if (pending.Count == 0) return [];
        Warn($"Undoing {pending.Count} change(s) in reverse order.");
        var notUndone = Undo(pending);
        var waiting = WaitingUndo.Undos(Task);
        Info(notUndone.Count == 0 && waiting.Count == 0
            ? $"Undid {pending.Count} change(s); the target is as it was before the task."
            : (notUndone.Count == 0 ? "" : $"{notUndone.Count} change(s) could not be undone: {string.Join("; ", notUndone)}. ")
              + (waiting.Count == 0 ? "" : TaskErrors.UndoWaits(Task) + " ")
              + "The target is not as it was before the task.");
        return notUndone;
    }

    /// <summary>Tries again the undos that waited for their server (and the record changes kept behind them); returns what failed outright.</summary>
    internal IReadOnlyList<string> RetryWaiting()
    {
        var waiting = Task.Journal.Where(e => e.State == JournalState.Waiting).Reverse().ToList();
        return waiting.Count == 0 ? [] : Undo(waiting);
    }

    /// <summary>
    /// Undoes entries in the order given. One whose server does not answer waits, to be tried again; so does every
    /// change of a record after it (the record stays, so it shows what is left and its next task tries again).
    /// An entry that waits as it did already is neither logged nor written again.
    /// </summary>
    List<string> Undo(IReadOnlyList<JournalEntry> entries)
    {
        var failed = new List<string>();
        JournalEntry? first = null;
        // A server that did not answer one undo is not asked again in this pass: each try would wait out its timeout.
        var silent = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var was = (entry.State, entry.Problem);
            if (first is not null && JournalActions.ChangesRecord(entry.Undo!))
            {
                entry.State = JournalState.Waiting;
                entry.Problem = $"kept until '{first.Undo!.Description}' is done";
                if (was.State != JournalState.Waiting) Warn($"Not undone yet: {entry.Undo!.Description}, which waits until '{first.Undo.Description}' is done.");
            }
            else if (entry.Undo!.Args.TryGetValue("server", out var server) && silent.TryGetValue(server, out var why))
            {
                entry.State = JournalState.Waiting;
                entry.Problem = why;
                if (was.State != JournalState.Waiting)
                    Log(TaskLogLevel.Error, $"Could not undo '{entry.Description}' ({entry.Undo.Description}) now: {why} It waits, and is tried again later.");
            }
            else
            {
                try
                {
                    Execute(entry.Undo!);
                    entry.State = JournalState.Undone;
                    entry.Problem = null;
                    Info($"Undid: {entry.Description}");
                }
                catch (AegirException ex) when (ex.Kind == AegirErrorKind.ResourceUnavailable)
                {
                    entry.State = JournalState.Waiting;
                    entry.Problem = Masker.Apply(ErrorCatalog.Plain(ex));
                    first ??= entry;
                    if (ex.ErrorId == ErrorIds.ServerUnreachable && entry.Undo.Args.TryGetValue("server", out var away)) silent.TryAdd(away, entry.Problem);
                    if (was.State != JournalState.Waiting)
                        Log(TaskLogLevel.Error, $"Could not undo '{entry.Description}' ({entry.Undo!.Description}) now: {entry.Problem} It waits, and is tried again later.");
                }
                catch (Exception ex) when (ex is not OutOfMemoryException and not SimulatedCrash)
                {
                    entry.State = JournalState.Failed;
                    entry.Problem = Masker.Apply(ErrorCatalog.Plain(ex));
                    failed.Add(entry.Description);
                    Log(TaskLogLevel.Error, $"Could not undo '{entry.Description}' ({entry.Undo!.Description}): {entry.Problem}. Check it by hand, then verify the target.");
                }
            }
            if ((entry.State, entry.Problem) != was) _store.Save(Task, durable: false);
        }
        _store.MarkWaitingUndo(Task);
        return failed;
    }

    static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}

