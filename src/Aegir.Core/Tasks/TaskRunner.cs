using Aegir.Core.Errors;

namespace Aegir.Core.Tasks;

/// <summary>
/// Runs an operation as a task: records it, locks its targets, runs it, and on failure runs the undos
/// of its finished steps in reverse. Always returns the task, whatever happened; its Status says how it went.
/// </summary>
public sealed class TaskRunner(string home, ITaskObserver? observer = null)
{
    readonly TaskStore _store = new(home);

    /// <summary>How long to wait for a target another task holds.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromSeconds(30);

    public TaskStore Store => _store;

    public AegirTask Run(string type, string target, IEnumerable<string> locks, IReadOnlyDictionary<string, string>? options,
        Action<TaskContext> body, SecretMasker? masker = null)
    {
        var now = DateTimeOffset.Now;
        var task = new AegirTask
        {
            Id = AegirTask.NewId(now),
            Type = type,
            Target = target,
            Created = now,
            Status = AegirTaskStatus.Running,
            Started = now,
            ProcessId = Environment.ProcessId,
            Options = options is null ? new(StringComparer.Ordinal) : new(options, StringComparer.Ordinal),
        };
        var ctx = new TaskContext(task, _store, observer, masker ?? new SecretMasker());
        var held = new List<TargetLock>();
        try
        {
            _store.Save(task);
            ctx.Info($"Task {type} on '@{target}' started (task {task.Id}).");
            // One fixed order for every task, so two tasks that need the same pair cannot deadlock.
            foreach (var name in locks.Append(target).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                held.Add(TargetLock.Acquire(home, name, task, LockWait, _store, ctx.Warn));
            body(ctx);
            bool warned;
            lock (task) warned = task.Log.Any(e => e.Level == TaskLogLevel.Warning);
            task.Status = warned ? AegirTaskStatus.Warning : AegirTaskStatus.Succeeded;
            ctx.Info($"Task {type} on '@{target}' {(warned ? "finished with warnings" : "succeeded")}.");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var message = ex is AegirException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            ctx.Log(TaskLogLevel.Error, message);
            ctx.Rollback();
            task.Status = AegirTaskStatus.Failed;
            task.Error = ctx.Masker.Apply(message);
            task.ErrorId = (ex as AegirException)?.ErrorId ?? "TaskFailed";
        }
        finally
        {
            task.Finished = DateTimeOffset.Now;
            try { _store.Save(task); }
            finally { foreach (var l in held) l.Dispose(); }
        }
        return task;
    }
}
