using Aegir.Core.Errors;
using Aegir.Core.IO;
using Aegir.Core.Tasks;

namespace Aegir.Core.Schedules;

/// <summary>
/// The task retention setting applied by the queue's schedule round, once an hour at most (the time of the last run is
/// the mtime of <c>state/task-retention</c>, so a worker run once a minute by cron reads the store hourly too).
/// </summary>
public static class TaskRetentionRun
{
    public const string Key = "retention:tasks";
    /// <summary>What the work holds: no context is named so, and none is locked (it lets go only of ended tasks).</summary>
    public const string Target = "task records";
    public static readonly TimeSpan Every = TimeSpan.FromHours(1);

    static string Mark(string home) => Path.Combine(home, "state", "task-retention");

    /// <summary>When the retention is next due (now or earlier: due); null when no retention is set.</summary>
    public static DateTimeOffset? NextDue(string home)
    {
        if (!File.Exists(TaskRetention.PathIn(home))) return null;
        var mark = Mark(home);
        return File.Exists(mark) ? new DateTimeOffset(File.GetLastWriteTimeUtc(mark), TimeSpan.Zero) + Every : DateTimeOffset.MinValue;
    }

    /// <summary>Lets go of the records the setting no longer keeps; says how many.</summary>
    public static string Run(string home, DateTimeOffset now)
    {
        AtomicFile.EnsureHome(home);
        AtomicFile.EnsurePrivateDirectory(Path.GetDirectoryName(Mark(home))!);
        File.WriteAllBytes(Mark(home), []);
        try
        {
            var retention = TaskRetention.Read(home);
            var pruning = new TaskPruning(new TaskStore(home));
            var gone = pruning.Delete(pruning.Find(retention, now));
            return $"Task retention ({retention}): {gone} task record(s) let go.";
        }
        catch (AegirException ex) { return $"Task retention failed: {ex.Message}"; }
    }
}
