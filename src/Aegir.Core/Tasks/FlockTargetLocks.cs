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
        var fileLock = FileLock.TryAcquire(Path.Combine(_dir, target + ".lock"), wait);
        if (fileLock is null)
        {
            var owner = ReadOwner(ownerPath);
            throw ErrorCatalog.TargetBusy(target, owner?.TaskId, owner?.ProcessId, owner?.Since, wait, owner?.What);
        }
        var stale = ReadOwner(ownerPath);
        AtomicFile.WriteAllBytes(ownerPath, JsonSerializer.SerializeToUtf8Bytes(
            new LockOwner(taskId, Environment.ProcessId, ProcessIdentity.CurrentStart, DateTimeOffset.Now, what, Worker)), durable: false);
        return new Lease(target, fileLock, ownerPath, stale);
    }

    public LockOwner? OwnerOf(string target) => ReadOwner(Path.Combine(_dir, target + ".owner"));

    /// <summary>The targets with an owner file; gates of the engine's own (".repair") are no targets.</summary>
    public IReadOnlyList<string> Owned()
        => Directory.Exists(_dir) ? Directory.EnumerateFiles(_dir, "*.owner").Select(f => Path.GetFileName(f)[..^".owner".Length]).Where(t => !t.StartsWith('.')).ToList() : [];

    static LockOwner? ReadOwner(string path)
    {
        try { return JsonSerializer.Deserialize<LockOwner>(File.ReadAllBytes(path)); }
        catch (Exception ex) when (ex is IOException or JsonException) { return null; }
    }

    sealed class Lease(string target, FileLock fileLock, string ownerPath, LockOwner? stale) : ITargetLease
    {
        public string Target => target;
        public LockOwner? StaleOwner => stale;

        /// <summary>The kernel holds a flock for as long as its holder lives: nothing lapses.</summary>
        public bool Renew() => true;

        public void Dispose()
        {
            try { File.Delete(ownerPath); } catch (IOException) { }
            fileLock.Dispose();
        }

        public void Abandon() => fileLock.Dispose();
    }
}
