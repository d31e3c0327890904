using System.Text.Json;
using Aegir.Core.Errors;
using Aegir.Core.IO;

namespace Aegir.Core.Tasks;

/// <summary>
/// One change at a time per target. The lock is a flock on <c>locks/name.lock</c>, which the kernel drops when
/// its holder dies; <c>locks/name.owner</c> says who holds it (a task, or a change of a context record). An owner
/// file found by the next holder means the last one died holding it: <see cref="StaleOwner"/> names it, so its
/// task can be repaired instead of showing as running forever.
/// </summary>
public sealed class TargetLock : IDisposable
{
    public sealed record Owner(string? TaskId, int ProcessId, long ProcessStart, DateTimeOffset Since, string What);

    readonly FileLock _lock;
    readonly string _ownerPath;

    TargetLock(string target, FileLock fileLock, string ownerPath, Owner? stale)
    {
        Target = target;
        _lock = fileLock;
        _ownerPath = ownerPath;
        StaleOwner = stale;
    }

    public string Target { get; }

    /// <summary>Who held the lock last and died without releasing it; null when it was released properly.</summary>
    public Owner? StaleOwner { get; }

    public static TargetLock Acquire(string home, string target, string? taskId, string what, TimeSpan wait)
    {
        var dir = Path.Combine(home, "locks");
        AtomicFile.EnsureHome(home);
        AtomicFile.EnsurePrivateDirectory(dir);
        var ownerPath = Path.Combine(dir, target + ".owner");
        var fileLock = FileLock.TryAcquire(Path.Combine(dir, target + ".lock"), wait);
        if (fileLock is null)
        {
            var owner = ReadOwner(ownerPath);
            throw ErrorCatalog.TargetBusy(target, owner?.TaskId, owner?.ProcessId, owner?.Since, wait, owner?.What);
        }
        var stale = ReadOwner(ownerPath);
        AtomicFile.WriteAllBytes(ownerPath, JsonSerializer.SerializeToUtf8Bytes(
            new Owner(taskId, Environment.ProcessId, ProcessIdentity.CurrentStart, DateTimeOffset.Now, what)), durable: false);
        return new TargetLock(target, fileLock, ownerPath, stale);
    }

    /// <summary>Who holds (or last held without releasing) a target's lock; null when nobody does.</summary>
    public static Owner? OwnerOf(string home, string target) => ReadOwner(Path.Combine(home, "locks", target + ".owner"));

    static Owner? ReadOwner(string path)
    {
        try { return JsonSerializer.Deserialize<Owner>(File.ReadAllBytes(path)); }
        catch (Exception ex) when (ex is IOException or JsonException) { return null; }
    }

    public void Dispose()
    {
        try { File.Delete(_ownerPath); } catch (IOException) { }
        _lock.Dispose();
    }

    /// <summary>Lets go as a killed process would: the owner file stays (for tests that stand in for a kill).</summary>
    internal void Abandon() => _lock.Dispose();
}
