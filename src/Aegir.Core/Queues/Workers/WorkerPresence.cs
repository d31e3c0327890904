using Aegir.Core.Tasks;

namespace Aegir.Core.Queues.Workers;

/// <summary>
/// A running worker's entry in the registry: written at start, again at every heartbeat with the tasks it runs now and
/// how many it ran and failed, and removed when disposed (a clean stop). A worker killed leaves its entry, which
/// readers judge dead by its missed beats (and, on its own machine, its process gone).
/// </summary>
public sealed class WorkerPresence : IDisposable
{
    readonly IWorkerRegistry _registry;
    readonly Func<IReadOnlyCollection<string>> _current;
    readonly Timer _timer;
    readonly object _gate = new();
    AegirWorker _entry;
    int _run, _failed;
    bool _disposed;

    WorkerPresence(IWorkerRegistry registry, AegirWorker entry, Func<IReadOnlyCollection<string>> current)
    {
        _registry = registry;
        _entry = entry;
        _current = current;
        _timer = new Timer(_ => Beat(), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Hears of a heartbeat that could not be written (it is tried again at the next).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>The entry as last written.</summary>
    public AegirWorker Entry { get { lock (_gate) return _entry; } }

    /// <summary>Writes <paramref name="entry"/> now (a failure here is the caller's: nothing has started) and beats every <see cref="AegirWorker.Interval"/>.</summary>
    public static WorkerPresence Start(IWorkerRegistry registry, AegirWorker entry, Func<IReadOnlyCollection<string>> current, Action<string>? log = null)
    {
        var presence = new WorkerPresence(registry, entry, current) { Log = log };
        registry.Put(entry);
        presence._timer.Change(entry.Interval, entry.Interval);
        return presence;
    }

    /// <summary>Counts a task that ended (run; failed too when it failed).</summary>
    public void Ended(AegirTask task)
    {
        Interlocked.Increment(ref _run);
        if (task.Status == AegirTaskStatus.Failed) Interlocked.Increment(ref _failed);
    }

    /// <summary>Writes the entry as it is now.</summary>
    public void Beat()
    {
        lock (_gate)
        {
            if (_disposed) return;
            var next = _entry with { Heartbeat = DateTimeOffset.UtcNow, Current = [.. _current().Order(StringComparer.Ordinal)], Run = Volatile.Read(ref _run), Failed = Volatile.Read(ref _failed) };
            try
            {
                _registry.Put(next);
                _entry = next;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { Log?.Invoke($"The worker's heartbeat could not be written: {ex.Message}"); }
        }
    }

    /// <summary>Stops beating and removes the entry.</summary>
    public void Dispose()
    {
        using (var done = new ManualResetEvent(false))
            if (_timer.Dispose(done)) done.WaitOne();   // no beat writes the entry again after it is removed
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            try { _registry.Remove(_entry.Id); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { Log?.Invoke($"The worker's entry could not be removed: {ex.Message}"); }
        }
    }
}
