using Aegir.Core.IO;
using Aegir.Core.Tasks;

namespace Aegir.Core.Tasks;

/// <summary>
/// The queue as files: each queued task has a marker in $AEGIR_HOME/queue named id.type.target (so listing it reads
/// no record). A waiting worker hears of a new marker from the kernel (inotify, through FileSystemWatcher) rather
/// than reading the folder over and over.
/// </summary>
public sealed class FileTaskQueue(TaskRunner runner) : ITaskQueue, IDisposable
{
    readonly SemaphoreSlim _signal = new(0);
    FileSystemWatcher? _watcher;
    readonly object _gate = new();

    public AegirTask Add(TaskRequest request) => runner.Enqueue(request);

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
            AtomicFile.EnsureHome(runner.Store.Home);
            AtomicFile.EnsurePrivateDirectory(runner.Store.QueuePath);
            _watcher = new FileSystemWatcher(runner.Store.QueuePath) { NotifyFilter = NotifyFilters.FileName, IncludeSubdirectories = false };
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
