using System.Globalization;

namespace Aegir.Core.Tasks;

/// <summary>
/// Which task records may go, and letting them go. Never one that is queued or running, whose undo still waits, or the
/// newest of its target (what the target last had done stays readable); records of older versions, named by id alone,
/// are kept. A record goes last, after its undo data, queue marker and stop request, so a kill midway leaves at most a
/// finished record without its undo data (as every finished task is) and never undo data nobody can find.
/// </summary>
public sealed class TaskPruning(TaskStore store)
{
    /// <summary>A record that may go: where it is, and what it is.</summary>
    public sealed record Expired(string Month, string Name, string Id, string Type, string Target);

    /// <summary>
    /// The records older than <paramref name="before"/> (null: any age) beyond the newest <paramref name="keepPerTarget"/>
    /// (at least one) of their target, oldest first, whose records say they have ended with nothing left to undo.
    /// </summary>
    public IReadOnlyList<Expired> Find(DateTimeOffset? before, int keepPerTarget = 1)
    {
        var keep = Math.Max(1, keepPerTarget);
        var waiting = store.Waiting().Select(w => w.Id).ToHashSet(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var found = new List<Expired>();
        foreach (var month in store.Months.Newest())
            foreach (var name in TaskMonths.Names(month))
            {
                if (TaskMonths.Split(name) is not [var id, var type, var target]) continue;
                seen.TryGetValue(target, out var rank);
                seen[target] = rank + 1;
                if (rank < keep || waiting.Contains(id)) continue;
                if (before is { } cut && !(Created(id) is { } at && at < cut)) continue;
                found.Add(new Expired(month, name, id, type, target));
            }
        found.Reverse();
        return found.Where(Ended).ToList();
    }

    /// <summary>The records the retention setting lets go now (none when it is not set).</summary>
    public IReadOnlyList<Expired> Find(TaskRetention retention, DateTimeOffset now)
        => !retention.IsSet ? []
            : Find(retention.KeepForSpan is { } span ? now - span : null, retention.KeepPerTarget ?? 1);

    /// <summary>When the task was made, from its id (yyyyMMdd-HHmmssfff-xxxx, UTC).</summary>
    public static DateTimeOffset? Created(string id)
        => id.Length >= 18 && DateTime.TryParseExact(id[..18], "yyyyMMdd-HHmmssfff", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            ? new DateTimeOffset(at, TimeSpan.Zero) : null;

    /// <summary>
    /// Its record says it ended (a queued task's record says Queued before its marker is made), and nothing of its undo
    /// waits; an unreadable record is kept. A marker its record outlived goes with it.
    /// </summary>
    static bool Ended(Expired e)
        => TaskStore.Read(Path.Combine(e.Month, e.Name + ".json")) is { IsFinished: true } task
           && !task.Journal.Any(j => j.State == JournalState.Waiting);

    /// <summary>Lets the records go, each whole; returns how many went. Emptied months go too.</summary>
    public int Delete(IEnumerable<Expired> expired, CancellationToken cancellation = default)
    {
        var n = 0;
        foreach (var month in expired.GroupBy(e => e.Month, StringComparer.Ordinal))
        {
            var gone = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in month)
            {
                if (cancellation.IsCancellationRequested) break;
                var task = new AegirTask { Id = e.Id, Type = e.Type, Target = e.Target };
                store.DeleteData(task);
                store.Unmark(task);
                store.ClearStop(e.Id);
                try
                {
                    File.Delete(Path.Combine(e.Month, e.Name + ".json"));
                    gone.Add(e.Name + ".json");
                    n++;
                }
                catch (IOException) { }
            }
            RemoveTemps(month.Key, gone);
            RemoveIfEmpty(month.Key);
            if (cancellation.IsCancellationRequested) break;
        }
        return n;
    }

    /// <summary>What killed writers of the deleted records left (their temp files), found in one look at the month.</summary>
    static void RemoveTemps(string month, HashSet<string> gone)
    {
        foreach (var temp in Directory.EnumerateFiles(month, IO.AtomicFile.TempPrefix + "*"))
        {
            var name = Path.GetFileName(temp)[IO.AtomicFile.TempPrefix.Length..];
            var dot = name.LastIndexOf('.');
            if (dot > 0 && gone.Contains(name[..dot])) File.Delete(temp);
        }
    }

    /// <summary>A month (and then its year) with nothing left goes, with its index.</summary>
    static void RemoveIfEmpty(string month)
    {
        try
        {
            if (Directory.EnumerateFileSystemEntries(month).Any()) return;
            Directory.Delete(month);
            TaskMonths.Forget(month);
            var year = Path.GetDirectoryName(month)!;
            if (!Directory.EnumerateFileSystemEntries(year).Any()) Directory.Delete(year);
        }
        catch (IOException) { }   // a task was written there meanwhile
    }
}
