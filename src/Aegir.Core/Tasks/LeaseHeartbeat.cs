namespace Aegir.Core.Tasks;

/// <summary>
/// Renews a running task's leases every heartbeat of a lock service whose leases lapse. A lease that lapsed stops the
/// task at its next step (it rolls back), since another worker may take the target now. Flock needs none.
/// </summary>
sealed class LeaseHeartbeat : IDisposable
{
    readonly Timer _timer;

    LeaseHeartbeat(TimeSpan every, IReadOnlyList<ITargetLease> held, CancellationTokenSource lapsed)
        => _timer = new Timer(_ =>
        {
            if (held.Select(l => l.Renew()).ToList().Contains(false)) lapsed.Cancel();   // each renewed, lapsed or not
        }, null, every, every);

    public static LeaseHeartbeat? Start(TimeSpan? every, IReadOnlyList<ITargetLease> held, CancellationTokenSource lapsed)
        => every is { } interval && held.Count > 0 ? new LeaseHeartbeat(interval, held, lapsed) : null;

    public void Dispose()
    {
        using var done = new ManualResetEvent(false);
        if (_timer.Dispose(done)) done.WaitOne();   // no renewal runs after its leases are let go
    }
}
