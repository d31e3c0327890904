using System.Text.Json;
using Aegir.Core.Errors;
using Aegir.Core.IO;

namespace Aegir.Core.Tasks;

/// <summary>
/// One task at a time per target. The lock is a flock on <c>locks/name.lock</c>, which the kernel drops when
/// its holder dies; <c>locks/name.owner</c> says who holds it. An owner file found by the next holder means
/// the last one died: its task is marked failed instead of showing as running forever.
/// </summary>
public sealed class TargetLock : IDisposable
{
    sealed record Owner(string TaskId, int ProcessId, DateTimeOffset Since);

    readonly FileLock _lock;
    readonly string _ownerPath;

    TargetLock(FileLock fileLock, string ownerPath)
    {
        _lock = fileLock;
        _ownerPath = ownerPath;
    }

    public static TargetLock Acquire(string home, string target, AegirTask task, TimeSpan wait, TaskStore store, Action<string> warn)
    {
        var dir = Path.Combine(home, "locks");
        AtomicFile.EnsureHome(home);
        AtomicFile.EnsurePrivateDirectory(dir);
        var ownerPath = Path.Combine(dir, target + ".owner");
        var fileLock = FileLock.TryAcquire(Path.Combine(dir, target + ".lock"), wait);
        if (fileLock is null)
        {
            var owner = ReadOwner(ownerPath);
            throw ErrorCatalog.TargetBusy(target, owner?.TaskId, owner?.ProcessId, owner?.Since, wait);
        }
        var stale = ReadOwner(ownerPath);
        if (stale is not null)
        {
            warn($"Took over the lock on '@{target}' from task {stale.TaskId}: its process {stale.ProcessId} ended without releasing it.");
            if (store.Get(stale.TaskId) is { Status: AegirTaskStatus.Running or AegirTaskStatus.Queued } dead)
            {
                dead.Status = AegirTaskStatus.Failed;
                dead.Finished = DateTimeOffset.Now;
                dead.Error = $"The process running this task ({stale.ProcessId}) ended before the task did. Run the task again; verify the target first.";
                dead.ErrorId = "TaskProcessGone";
                dead.Log.Add(new TaskLogEntry(DateTimeOffset.Now, TaskLogLevel.Error, dead.Error));
                store.Save(dead);
            }
        }
        AtomicFile.WriteAllBytes(ownerPath, JsonSerializer.SerializeToUtf8Bytes(new Owner(task.Id, Environment.ProcessId, DateTimeOffset.Now)));
        return new TargetLock(fileLock, ownerPath);
    }

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
}
