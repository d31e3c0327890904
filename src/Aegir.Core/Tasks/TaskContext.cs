using Aegir.Core.Errors;

namespace Aegir.Core.Tasks;

/// <summary>
/// What an operation sees while its task runs: the log (secrets masked), progress, and steps that each
/// leave an undo, so a failure can put back what the task already did.
/// </summary>
public sealed class TaskContext
{
    readonly Stack<(string Description, Action Undo)> _undo = new();
    readonly TaskStore _store;
    readonly ITaskObserver? _observer;

    internal TaskContext(AegirTask task, TaskStore store, ITaskObserver? observer, SecretMasker masker)
    {
        Task = task;
        _store = store;
        _observer = observer;
        Masker = masker;
    }

    public AegirTask Task { get; }

    public SecretMasker Masker { get; }

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

    public void Progress(int percent, string activity) => _observer?.OnProgress(Task, Math.Clamp(percent, 0, 100), Masker.Apply(activity));

    /// <summary>Runs one step; when it succeeds and has an undo, the undo is kept until the task ends.</summary>
    public void Step(string description, Action action, Action? undo = null)
        => Step<object?>(description, () => { action(); return null; }, undo is null ? null : _ => undo);

    /// <summary>Runs one step that yields a value; the undo may depend on it.</summary>
    public T Step<T>(string description, Func<T> action, Func<T, Action>? undo = null)
    {
        Info(description);
        T result;
        try { result = action(); }
        catch (AegirException) { throw; }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or System.Data.Common.DbException)
        {
            throw ErrorCatalog.StepFailed(description, Masker.Apply(ex.Message), "See the task log for the steps before it.");
        }
        if (undo is not null) _undo.Push((description, undo(result)));
        _store.Save(Task);
        return result;
    }

    /// <summary>Registers an undo for work done outside <see cref="Step"/>.</summary>
    public void OnUndo(string description, Action undo) => _undo.Push((description, undo));

    internal void Rollback()
    {
        if (_undo.Count == 0) return;
        Warn($"Undoing {_undo.Count} step(s) in reverse order.");
        int undone = 0;
        while (_undo.TryPop(out var item))
        {
            try
            {
                item.Undo();
                Info($"Undid: {item.Description}");
                undone++;
            }
            catch (Exception ex)
            {
                Log(TaskLogLevel.Error, $"Could not undo '{item.Description}': {ex.Message}. Check it by hand, then verify the target.");
            }
        }
        Info($"Undid {undone} step(s); the target is as it was before the task, apart from any undo reported above as failed.");
    }
}
