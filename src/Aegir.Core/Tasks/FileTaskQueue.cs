using System.Collections.Concurrent;
using Aegir.Core.IO;

namespace Aegir.Core.Tasks;

/// <summary>
/// The queue as files: each queued task has a marker in $AEGIR_HOME/queue named id.type.target (so listing it reads
/// no record). A waiting worker hears of a new marker from the kernel (inotify, through FileSystemWatcher) rather
/// than reading the folder over and over. The task's record stays the truth: a worker claims a leased task by its
/// record, under its target's lock, and a worker that dies mid-task is repaired from its journal by the next holder of
/// its target rather than redelivered.
/// </summary>
public sealed class FileTaskQueue(TaskRunner runner) : ITaskQueue, IDisposable
{
    readonly SemaphoreSlim _signal = new(0);
    FileSystemWatcher? _watcher;
    readonly object _gate = new();

    /// <summary>How many times each task still queued was leased in this process (a nack with requeue leases it again).</summary>
    readonly ConcurrentDictionary<string, int> _deliveries = new(StringComparer.Ordinal);

    public AegirTask Enqueue(TaskRequest request) => runner.Enqueue(request);

    public IReadOnlyList<TaskLease> Receive(LeaseRequest request)
    {
        var leases = new List<TaskLease>();
        var busy = new HashSet<string>(request.Busy, StringComparer.Ordinal);
        foreach (var queued in Pending())
        {
            if (leases.Count >= request.Max) break;
            var choice = request.Choose(queued);
            if (choice == LeaseChoice.Skip) continue;
            var targets = request.TargetsOf(queued);
            bool free = !targets.Any(busy.Contains);
            busy.UnionWith(targets);   // a later task on these targets waits behind this one
            if (!free || choice == LeaseChoice.Wait) continue;
            leases.Add(new TaskLease(queued.Id, queued.Type, queued.Target, targets, request.Worker, _deliveries.AddOrUpdate(queued.Id, 1, (_, n) => n + 1)));
        }
        return leases;
    }

    /// <summary>The claim took the task's marker already (under its target's lock); this forgets its deliveries.</summary>
    public void Ack(TaskLease lease)
    {
        _deliveries.TryRemove(lease.TaskId, out _);
        runner.Store.Unmark(new AegirTask { Id = lease.TaskId, Type = lease.Type, Target = lease.Target });
    }

    /// <summary>Requeued: its marker stays where it was, so it keeps its place. Poison: it ends as a stopped task does, under its target's lock.</summary>
    public void Nack(TaskLease lease, bool requeue, string? why = null)
    {
        if (requeue) return;
        _deliveries.TryRemove(lease.TaskId, out _);
        runner.Cancel(lease.TaskId, $"The queue gave this task up after {lease.Deliveries} deliveries: {why ?? "it could not be run"}.", runner.LockWait, "TaskPoisoned");
    }

    public IReadOnlyList<QueuedTask> Pending()
        => runner.Store.QueuedHeaders().Select(h => new QueuedTask(h.Id, h.Type, h.Target)).ToList();

    public void WaitForWork(TimeSpan timeout, CancellationToken cancellation)
    {
        Watch();
        try { _signal.Wait(timeout, cancellation); }
        catch (OperationCanceledException) { }
        // One wake-up covers every marker made meanwhile: the caller lists them all.
        while (_signal.CurrentCount > 0 && _signal.Wait(0)) { }
    }

    void Watch()
    {
        lock (_gate)
        {
            if (_watcher is not null) return;
            var folder = TaskStore.QueueFolder(runner.Store.Home);
            AtomicFile.EnsureHome(runner.Store.Home);
            AtomicFile.EnsurePrivateDirectory(folder);
            _watcher = new FileSystemWatcher(folder) { NotifyFilter = NotifyFilters.FileName, IncludeSubdirectories = false };
            _watcher.Created += (_, _) => _signal.Release();
            _watcher.Renamed += (_, _) => _signal.Release();
            _watcher.Error += (_, _) => _signal.Release();   // events were lost: a look at the folder finds what they said
            _watcher.EnableRaisingEvents = true;
        }
    }

    /// <summary>Stops listening (the kernel's watch is released); a later <see cref="WaitForWork"/> listens again.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _watcher?.Dispose();
            _watcher = null;
        }
    }
}
