namespace Aegir.Core.Tasks;

/// <summary>
/// One change at a time per target, whoever asks. Holders are named by a worker id (<see cref="WorkerId"/>) and a
/// task id. A lock service that cannot tell when a holder dies gives leases that lapse unless renewed every
/// <see cref="Heartbeat"/>; flock (<see cref="FlockTargetLocks"/>, the default) needs none, the kernel drops a dead
/// holder's lock.
/// </summary>
public interface ITargetLocks
{
    /// <summary>The worker id holders acquire under.</summary>
    string Worker { get; }

    /// <summary>How often a held lease must be renewed (<see cref="ITargetLease.Renew"/>); null when it never lapses while its holder lives.</summary>
    TimeSpan? Heartbeat { get; }

    /// <summary>
    /// Takes a target's lock, waiting up to <paramref name="wait"/>; throws TargetBusy (naming the holder) when it stays
    /// held. The lease says who held it last and died without letting go, so that task can be repaired.
    /// </summary>
    ITargetLease Acquire(string target, string? taskId, string what, TimeSpan wait);

    /// <summary>
    /// Takes a target's lock shared: many holders at once (moves of several sites onto one platform), none beside an
    /// exclusive holder. A lock service without shared locks takes it exclusive, which is correct, only slower.
    /// </summary>
    ITargetLease AcquireShared(string target, string? taskId, string what, TimeSpan wait) => Acquire(target, taskId, what, wait);

    /// <summary>Who holds (or last held without releasing) a target's lock; null when nobody does.</summary>
    LockOwner? OwnerOf(string target);

    /// <summary>The targets that have an owner: held now, or left by a holder that died (names that start with a dot, the engine's own gates, left out).</summary>
    IReadOnlyList<string> Owned();
}
