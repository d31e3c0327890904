using System.Text.Json;
using Aegir.Core.Errors;
using Aegir.Core.IO;

namespace Aegir.Core.Tasks;

/// <summary>
/// Target locks on this machine. A lock is a flock on <c>locks/name.lock</c>, which the kernel drops when its holder
/// dies (so it needs no heartbeat); <c>locks/name.owner</c> says who holds it (a task, or a change of a context record).
/// An owner file found by the next holder means the last one died holding it: the lease's StaleOwner names it, so its
/// task can be repaired instead of showing as running forever.
/// </summary>
public sealed class FlockTargetLocks(string home, string? worker = null) : ITargetLocks
{
    readonly string _dir = Path.Combine(home, "locks");

    public string Worker { get; } = worker ?? WorkerId.Current;

    public TimeSpan? Heartbeat => null;

    public ITargetLease Acquire(string target, string? taskId, string what, TimeSpan wait)
    {
        AtomicFile.EnsureHome(home);
        AtomicFile.EnsurePrivateDirectory(_dir);
        var ownerPath = Path.Combine(_dir, target + ".owner");
        // Writer preference: announced, this waiter keeps new shared holders out, so a stream of overlapping moves
        // cannot starve it; the holders already in finish and let it in.
        var waiters = Path.Combine(_dir, target + ".waiting");
        AtomicFile.EnsurePrivateDirectory(waiters);
        var waiterPath = Path.Combine(waiters, $"{taskId ?? "hold"}-{Guid.NewGuid():N}.owner");
        AtomicFile.WriteAllBytes(waiterPath, JsonSerializer.SerializeToUtf8Bytes(
            new LockOwner(taskId, Environment.ProcessId, ProcessIdentity.CurrentStart, DateTimeOffset.Now, what, Worker)), durable: false);
        FileLock? fileLock;
        try { fileLock = FileLock.TryAcquire(Path.Combine(_dir, target + ".lock"), wait); }
        finally { TryDelete(waiterPath); }
        if (fileLock is null)
        {
            var owner = ReadOwner(ownerPath);
            if (owner is null && SharedOwners(target).Select(o => o.Owner).Where(o => ProcessIdentity.IsAlive(o.ProcessId, o.ProcessStart)).ToList() is { Count: > 0 } holders)
                throw ErrorCatalog.TargetBusyShared(target,
                    holders.Select(h => h.TaskId is null ? $"{h.What} (process {h.ProcessId}, since {h.Since:HH:mm:ss})" : $"task {h.TaskId} ({h.What}, since {h.Since:HH:mm:ss})").ToList(),
                    holders.Select(h => h.TaskId).OfType<string>().ToList(), wait);
            throw ErrorCatalog.TargetBusy(target, owner?.TaskId, owner?.ProcessId, owner?.Since, wait, owner?.What);
        }
        var stale = ReadOwner(ownerPath);
        // Shared holders' owner files left beside an exclusive lock are dead holders': repaired by this holder, then gone.
        var deadShared = SharedOwners(target).ToList();
        AtomicFile.WriteAllBytes(ownerPath, JsonSerializer.SerializeToUtf8Bytes(
            new LockOwner(taskId, Environment.ProcessId, ProcessIdentity.CurrentStart, DateTimeOffset.Now, what, Worker)), durable: false);
        return new Lease(target, fileLock, ownerPath, stale, deadShared);
    }

    /// <summary>
    /// A shared lock: a LOCK_SH on the same lock file, and an owner file of its own in <c>locks/name.shared/</c>. An
    /// exclusive holder's owner file found here is a dead holder's (no exclusive lock lives beside a shared one); dead
    /// shared holders are left to the next exclusive holder, the only one that can tell them from live ones.
    /// </summary>
    public ITargetLease AcquireShared(string target, string? taskId, string what, TimeSpan wait)
    {
        AtomicFile.EnsureHome(home);
        AtomicFile.EnsurePrivateDirectory(_dir);
        var deadline = DateTime.UtcNow + wait;
        for (var delay = 5; LiveWaiter(target) is { } waiter; delay = Math.Min(delay * 2, 200))
        {
            if (DateTime.UtcNow >= deadline)
                throw ErrorCatalog.TargetBusy(target, waiter.TaskId, waiter.ProcessId, waiter.Since, wait, waiter.What);
            Thread.Sleep(delay);
        }
        var left = deadline - DateTime.UtcNow;
        var fileLock = FileLock.TryAcquire(Path.Combine(_dir, target + ".lock"), left > TimeSpan.Zero ? left : TimeSpan.Zero, shared: true);
        if (fileLock is null)
        {
            var owner = OwnerOf(target);
            throw ErrorCatalog.TargetBusy(target, owner?.TaskId, owner?.ProcessId, owner?.Since, wait, owner?.What);
        }
        var readers = Path.Combine(_dir, target + ".shared");
        AtomicFile.EnsurePrivateDirectory(readers);
        var ownerPath = Path.Combine(readers, $"{taskId ?? "hold"}-{Guid.NewGuid():N}.owner");
        AtomicFile.WriteAllBytes(ownerPath, JsonSerializer.SerializeToUtf8Bytes(
            new LockOwner(taskId, Environment.ProcessId, ProcessIdentity.CurrentStart, DateTimeOffset.Now, what, Worker)), durable: false);
        // A dead exclusive holder's file goes when this holder lets go (after the repair its lease asks for): none can be live meanwhile.
        var exclusive = Path.Combine(_dir, target + ".owner");
        var stale = ReadOwner(exclusive);
        return new Lease(target, fileLock, ownerPath, stale, stale is null ? [] : [(exclusive, stale)], shared: true);
    }

    /// <summary>The exclusive holder, else one of the shared holders (live or dead).</summary>
    public LockOwner? OwnerOf(string target) => ReadOwner(Path.Combine(_dir, target + ".owner")) ?? SharedOwners(target).Select(o => o.Owner).FirstOrDefault();

    /// <summary>A live exclusive waiter announced for the target (a dead one's file is removed, not waited for).</summary>
    LockOwner? LiveWaiter(string target)
    {
        var waiters = Path.Combine(_dir, target + ".waiting");
        if (!Directory.Exists(waiters)) return null;
        foreach (var file in Directory.EnumerateFiles(waiters, "*.owner"))
        {
            if (ReadOwner(file) is not { } waiter) continue;
            if (ProcessIdentity.IsAlive(waiter.ProcessId, waiter.ProcessStart)) return waiter;
            TryDelete(file);
        }
        return null;
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
    }

    /// <summary>The owner files of a target's shared holders.</summary>
    IEnumerable<(string Path, LockOwner Owner)> SharedOwners(string target)
    {
        var readers = Path.Combine(_dir, target + ".shared");
        if (!Directory.Exists(readers)) yield break;
        foreach (var file in Directory.EnumerateFiles(readers, "*.owner"))
            if (ReadOwner(file) is { } owner) yield return (file, owner);
    }

    /// <summary>The targets with an owner file; gates of the engine's own (".repair") are no targets.</summary>
    public IReadOnlyList<string> Owned()
        => Directory.Exists(_dir) ? Directory.EnumerateFiles(_dir, "*.owner").Select(f => Path.GetFileName(f)[..^".owner".Length]).Where(t => !t.StartsWith('.')).ToList() : [];

    static LockOwner? ReadOwner(string path)
    {
        try { return JsonSerializer.Deserialize<LockOwner>(File.ReadAllBytes(path)); }
        catch (Exception ex) when (ex is IOException or JsonException) { return null; }
    }

    /// <param name="dead">Owner files of dead holders, deleted with this lease (not when it is abandoned): the dead shared
    /// holders an exclusive lease found, or the dead exclusive holder a shared one found.</param>
    sealed class Lease(string target, FileLock fileLock, string ownerPath, LockOwner? stale, IReadOnlyList<(string Path, LockOwner Owner)> dead, bool shared = false) : ITargetLease
    {
        public string Target => target;
        public LockOwner? StaleOwner => stale;
        public IReadOnlyList<LockOwner> StaleShared { get; } = shared ? [] : dead.Select(d => d.Owner).ToList();

        /// <summary>The kernel holds a flock for as long as its holder lives: nothing lapses.</summary>
        public bool Renew() => true;

        public void Dispose()
        {
            try
            {
                File.Delete(ownerPath);
                foreach (var (path, _) in dead) File.Delete(path);
            }
            catch (IOException) { }
            fileLock.Dispose();
        }

        public void Abandon() => fileLock.Dispose();
    }
}
