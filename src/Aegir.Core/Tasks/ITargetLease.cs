namespace Aegir.Core.Tasks;

/// <summary>A target's lock as held: released by Dispose.</summary>
public interface ITargetLease : IDisposable
{
    string Target { get; }

    /// <summary>Who held the lock last and died without releasing it; null when it was released properly.</summary>
    LockOwner? StaleOwner { get; }

    /// <summary>Shared holders that died without releasing it (found by an exclusive holder, who alone can tell); none when none did.</summary>
    IReadOnlyList<LockOwner> StaleShared => [];

    /// <summary>Keeps the lease alive for another heartbeat; false when it has lapsed (another holder may have it).</summary>
    bool Renew();

    /// <summary>Lets go as a killed holder would: the owner stays named (for tests that stand in for a kill).</summary>
    void Abandon();
}
