using System.Collections.Concurrent;
using System.Text.Json;
using Aegir.Core.IO;

namespace Aegir.Core.Tasks;

/// <summary>
/// Task records as private JSON files, <c>tasks/yyyy/mm/&lt;id&gt;.&lt;type&gt;.&lt;target&gt;.json</c>: the name says
/// what a record is about, so finding the tasks of a target or type reads only those files. Undo data (old config,
/// old records; they may hold secrets) lives beside it in <c>&lt;id&gt;.data/</c> until the task has ended.
/// Queued tasks also have a marker in <c>queue/</c>.
/// </summary>
public sealed class TaskStore(string home) : ITaskStore
{
    readonly ConcurrentDictionary<string, string> _paths = new(StringComparer.Ordinal);

    public string Home { get; } = home;
    public string TasksPath { get; } = Path.Combine(home, "tasks");
    public string QueuePath => QueueFolder(Home);

    /// <summary>Where the markers of queued tasks are (the file queue watches it).</summary>
    public static string QueueFolder(string home) => Path.Combine(home, "queue");

    static string MonthDir(string tasks, string id) => Path.Combine(tasks, id[..4], id[4..6]);

    string PathFor(AegirTask task) => _paths.GetOrAdd(task.Id, id => Path.Combine(MonthDir(TasksPath, id), $"{id}.{task.Type}.{task.Target}.json"));

    /// <summary>Writes the whole record. <paramref name="durable"/> also flushes it to disk; a kill never needs that, since the rename is atomic.</summary>
    public void Save(AegirTask task, bool durable = true)
    {
        var path = PathFor(task);
        EnsureMonth(Path.GetDirectoryName(path)!);
        byte[] bytes;
        lock (task) bytes = JsonSerializer.SerializeToUtf8Bytes(task, TaskJson.Default.AegirTask);
        AtomicFile.WriteAllBytes(path, bytes, durable: durable);
    }

    /// <summary>Deletes what a killed writer of the task's record left (its temp files): called once its process is gone.</summary>
    public void RemoveStaleTemps(AegirTask task)
    {
        var path = PathFor(task);
        var dir = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(dir)) return;
        foreach (var stale in Directory.EnumerateFiles(dir, AtomicFile.TempPrefix + Path.GetFileName(path) + ".*"))
            File.Delete(stale);
    }

    void EnsureMonth(string dir)
    {
        if (Directory.Exists(dir)) return;
        AtomicFile.EnsureHome(Home);
        AtomicFile.EnsurePrivateDirectory(TasksPath);
        AtomicFile.EnsurePrivateDirectory(Path.GetDirectoryName(dir)!);
        AtomicFile.EnsurePrivateDirectory(dir);
    }

    public AegirTask? Get(string id)
    {
        if (id.Length < 8 || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '-'))) return null;
        var path = _paths.TryGetValue(id, out var known) ? known : Find(id);
        return path is null ? null : Read(path);
    }

    string? Find(string id)
    {
        var dir = MonthDir(TasksPath, id);
        if (!Directory.Exists(dir)) return null;
        return Directory.EnumerateFiles(dir, id + ".*json").FirstOrDefault(f => Path.GetFileName(f) is var n && (n == id + ".json" || n.StartsWith(id + ".", StringComparison.Ordinal)));
    }

    internal static AegirTask? Read(string path)
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(path), TaskJson.Default.AegirTask); }
        catch (Exception ex) when (ex is IOException or JsonException) { return null; }
    }

    /// <summary>The month folders and their per-target indexes.</summary>
    public TaskMonths Months { get; init; } = new(Path.Combine(home, "tasks"));

    /// <summary>Id, type and target of recorded tasks, newest first, from their file names alone (records of older versions, named by id alone, are left out).</summary>
    public IEnumerable<(string Id, string Type, string Target)> Headers()
    {
        foreach (var month in Months.Newest())
            foreach (var name in TaskMonths.Names(month))
                if (TaskMonths.Split(name) is [var id, var type, var target]) yield return (id, type, target);
    }

    /// <summary>
    /// Tasks newest first whose type and target pass <paramref name="include"/> (decided from the file names, so
    /// only those are read); unreadable records are skipped. Records of older versions, named by id alone, are read to
    /// tell. Months are read newest first, one at a time, so taking the first few reads only the newest month or two.
    /// </summary>
    public IEnumerable<AegirTask> List(Func<string, string, bool>? include = null)
        => Months.Newest().SelectMany(month => Records(month, TaskMonths.Names(month), include));

    /// <summary>As <see cref="List(Func{string, string, bool}?)"/> for the tasks of <paramref name="targets"/> alone: each month's index names them.</summary>
    public IEnumerable<AegirTask> List(IReadOnlyCollection<string> targets, Func<string, string, bool>? include = null)
        => Months.Newest().SelectMany(month => Records(month, Months.NamesFor(month, targets), (type, target) => targets.Contains(target) && (include is null || include(type, target))));

    IEnumerable<AegirTask> Records(string month, List<string> names, Func<string, string, bool>? include)
    {
        foreach (var name in names)
        {
            var parts = TaskMonths.Split(name);
            if (parts.Length == 3 && include is not null && !include(parts[1], parts[2])) continue;
            var path = Path.Combine(month, name + ".json");
            var task = Read(path);
            if (task is null)
            {
                if (!File.Exists(path)) TaskMonths.Forget(month);   // the index named a record that is not there: rebuilt at the next read
                continue;
            }
            if (parts.Length != 3 && include is not null && !include(task.Type, task.Target)) continue;
            yield return task;
        }
    }

    // --- undo data ---

    string DataDir(AegirTask task) => Path.Combine(MonthDir(TasksPath, task.Id), task.Id + ".data");

    public void WriteData(AegirTask task, string name, byte[] bytes)
    {
        var dir = DataDir(task);
        EnsureMonth(Path.GetDirectoryName(dir)!);
        AtomicFile.EnsurePrivateDirectory(dir);
        AtomicFile.WriteAllBytes(Path.Combine(dir, name), bytes, durable: false);
    }

    public byte[]? ReadData(AegirTask task, string name)
    {
        try { return File.ReadAllBytes(Path.Combine(DataDir(task), name)); }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException) { return null; }
    }

    /// <summary>Deletes a finished task's undo data: nothing will undo it any more.</summary>
    public void DeleteData(AegirTask task)
    {
        var dir = DataDir(task);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    // --- queue markers ---

    string MarkerPath(AegirTask task) => Path.Combine(QueuePath, $"{task.Id}.{task.Type}.{task.Target}");

    public void MarkQueued(AegirTask task)
    {
        AtomicFile.EnsureHome(Home);
        AtomicFile.EnsurePrivateDirectory(QueuePath);
        File.WriteAllBytes(MarkerPath(task), []);
    }

    public void Unmark(AegirTask task)
    {
        try { File.Delete(MarkerPath(task)); } catch (IOException) { }
    }

    /// <summary>Ids of queued tasks, oldest first, whose type and target pass <paramref name="include"/>.</summary>
    public IReadOnlyList<string> Queued(Func<string, string, bool>? include = null)
        => QueuedHeaders().Where(h => include is null || include(h.Type, h.Target)).Select(h => h.Id).ToList();

    /// <summary>Id, type and target of each queued task, oldest first, from the markers' names alone.</summary>
    public IReadOnlyList<(string Id, string Type, string Target)> QueuedHeaders()
    {
        if (!Directory.Exists(QueuePath)) return [];
        return Directory.EnumerateFiles(QueuePath)
            .Select(Path.GetFileName)
            .Select(n => n!.Split('.', 3))
            .Where(p => p.Length == 3 && !p[0].StartsWith('.'))
            .OrderBy(p => p[0], StringComparer.Ordinal)
            .Select(p => (p[0], p[1], p[2]))
            .ToList();
    }

    // --- undos that wait for a server: undo/<id>.<target> for each target whose next task tries again ---

    string WaitingPath => Path.Combine(Home, "undo");

    /// <summary>Marks the targets whose next task tries again the task's waiting undos (none left: no marks).</summary>
    public void MarkWaitingUndo(AegirTask task)
    {
        var targets = WaitingUndo.Targets(task);
        if (targets.Count > 0)
        {
            AtomicFile.EnsureHome(Home);
            AtomicFile.EnsurePrivateDirectory(WaitingPath);
            foreach (var target in targets) File.WriteAllBytes(Path.Combine(WaitingPath, $"{task.Id}.{target}"), []);
        }
        foreach (var (id, target) in Waiting())
            if (id == task.Id && !targets.Contains(target))
                try { File.Delete(Path.Combine(WaitingPath, $"{id}.{target}")); } catch (IOException) { }
    }

    /// <summary>Each task whose undo waits, with each target whose next task tries it again, from the marks' names alone.</summary>
    public IReadOnlyList<(string Id, string Target)> Waiting()
    {
        if (!Directory.Exists(WaitingPath)) return [];
        return Directory.EnumerateFiles(WaitingPath).Select(Path.GetFileName).Select(n => n!.Split('.', 2))
            .Where(p => p.Length == 2 && !p[0].StartsWith('.')).Select(p => (p[0], p[1])).OrderBy(p => p.Item1, StringComparer.Ordinal).ToList();
    }

    /// <summary>The tasks, oldest first, whose waiting undo the next task on <paramref name="target"/> tries again.</summary>
    public IReadOnlyList<string> WaitingOn(string target) => Waiting().Where(w => w.Target == target).Select(w => w.Id).ToList();

    // --- stop requests: Stop-AegirTask asks, the process running the task sees it at its next step ---

    string StopPath(string id) => Path.Combine(QueuePath, "stop", id);

    public void RequestStop(string id)
    {
        AtomicFile.EnsureHome(Home);
        AtomicFile.EnsurePrivateDirectory(QueuePath);
        AtomicFile.EnsurePrivateDirectory(Path.Combine(QueuePath, "stop"));
        File.WriteAllBytes(StopPath(id), []);
    }

    public bool StopRequested(string id) => File.Exists(StopPath(id));

    public void ClearStop(string id)
    {
        try { File.Delete(StopPath(id)); } catch (IOException) { }
    }
}
