using Aegir.Core.Schedules;
using Aegir.Core.Tasks;

namespace Aegir.Core.Tests;

/// <summary>Letting old task records go: never a queued or running task, one whose undo waits, or a target's newest.</summary>
public sealed class TaskPruningTests : IDisposable
{
    readonly TestHome _home = new(seed: false);
    readonly TaskStore _store;
    readonly TaskPruning _pruning;
    static readonly DateTimeOffset Cut = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public TaskPruningTests()
    {
        _store = new TaskStore(_home.Path);
        _pruning = new TaskPruning(_store);
    }

    public void Dispose() => _home.Dispose();

    AegirTask Save(string id, string target, AegirTaskStatus status = AegirTaskStatus.Succeeded, string type = "verify")
    {
        var task = new AegirTask { Id = id, Type = type, Target = target, Status = status, Created = TaskPruning.Created(id)!.Value };
        _store.Save(task, durable: false);
        return task;
    }

    List<string> Left() => _store.Headers().Select(h => h.Id).Reverse().ToList();

    [Fact]
    public void Old_tasks_go_but_each_targets_newest_stays_whatever_its_age()
    {
        Save("20240101-000000000-0001", "a.example");
        Save("20240102-000000000-0001", "a.example");
        Save("20240103-000000000-0001", "a.example");
        Save("20240104-000000000-0001", "server_master");
        Save("20240701-000000000-0001", "b.example");
        Save("20240102-000000000-0002", "b.example");

        var expired = _pruning.Find(Cut);
        Assert.Equal(["20240101-000000000-0001", "20240102-000000000-0001", "20240102-000000000-0002"], expired.Select(e => e.Id));
        Assert.Equal(3, _pruning.Delete(expired));
        Assert.Equal(["20240103-000000000-0001", "20240104-000000000-0001", "20240701-000000000-0001"], Left());
        Assert.Empty(_pruning.Find(Cut));
    }

    [Fact]
    public void Queued_running_and_waiting_undo_tasks_are_kept()
    {
        var queued = Save("20240101-000000000-0001", "a.example", AegirTaskStatus.Queued);
        _store.MarkQueued(queued);
        Save("20240102-000000000-0001", "a.example", AegirTaskStatus.Running);   // its process may be gone: a repair settles it, not retention
        var waiting = new AegirTask
        {
            Id = "20240103-000000000-0001", Type = "install", Target = "a.example", Status = AegirTaskStatus.Failed,
            Journal = [new JournalEntry { Step = 1, Description = "create the database", State = JournalState.Waiting, Undo = new JournalAction("db.drop", "drop the database", new() { ["server"] = "server_db" }) }],
        };
        _store.Save(waiting, durable: false);
        _store.MarkWaitingUndo(waiting);
        var unmarked = new AegirTask { Id = "20240104-000000000-0001", Type = "install", Target = "a.example", Status = AegirTaskStatus.Failed, Journal = waiting.Journal };
        _store.Save(unmarked, durable: false);   // its undo waits though its mark is missing: its record says so
        Save("20240105-000000000-0001", "a.example", AegirTaskStatus.Failed);
        Save("20240106-000000000-0001", "a.example");

        Assert.Equal(["20240105-000000000-0001"], _pruning.Find(Cut).Select(e => e.Id));
        Assert.Equal(["20240105-000000000-0001"], _pruning.Find(null, keepPerTarget: 1).Select(e => e.Id));
    }

    [Fact]
    public void Keeping_the_newest_few_of_each_target_keeps_them_whatever_their_age()
    {
        for (var day = 1; day <= 5; day++) Save($"2024010{day}-000000000-0001", "a.example");
        Save("20240101-000000000-0002", "b.example");

        Assert.Equal(["20240101-000000000-0001", "20240102-000000000-0001"], _pruning.Find(Cut, keepPerTarget: 3).Select(e => e.Id));
        Assert.Equal(["20240101-000000000-0001", "20240102-000000000-0001"], _pruning.Find(null, keepPerTarget: 3).Select(e => e.Id));
        // Kept for a span or among the newest: both rules must let a task go.
        Assert.Empty(_pruning.Find(new TaskRetention("30d", 3), new DateTimeOffset(2024, 1, 20, 0, 0, 0, TimeSpan.Zero)));
        Assert.Empty(_pruning.Find(new TaskRetention(null, null), Cut));
    }

    [Fact]
    public void A_record_goes_with_its_undo_data_queue_marker_and_stop_request_and_an_emptied_month_with_its_index()
    {
        var old = Save("20240101-000000000-0001", "a.example");
        _store.WriteData(old, "old.yml", [1, 2]);
        _store.MarkQueued(old);   // a marker its record outlived (the record says it ended): it goes with the record
        _store.RequestStop(old.Id);
        Save("20240701-000000000-0001", "a.example");
        var month = Path.Combine(_store.TasksPath, "2024", "01");
        File.WriteAllText(TaskMonths.IndexPath(month), "stale");
        File.WriteAllText(Path.Combine(month, ".tmp-20240101-000000000-0001.verify.a.example.json.0badf00d"), "{");   // what a writer killed mid-write left

        Assert.Equal(1, _pruning.Delete(_pruning.Find(Cut)));
        Assert.False(Directory.Exists(month));
        Assert.False(File.Exists(TaskMonths.IndexPath(month)));
        Assert.False(_store.StopRequested(old.Id));
        Assert.Empty(_store.QueuedHeaders());
        Assert.Null(_store.Get(old.Id));
        Assert.Equal(["20240701-000000000-0001"], Left());
    }

    [Fact]
    public void A_prune_stopped_midway_leaves_whole_records_and_the_next_finishes_it()
    {
        for (var day = 1; day <= 6; day++)
        {
            var t = Save($"2024010{day}-000000000-0001", "a.example");
            _store.WriteData(t, "old.yml", [1]);
        }
        // What a kill between a record's undo data and the record leaves: a finished record without its data.
        _store.DeleteData(_store.Get("20240101-000000000-0001")!);
        using var stop = new CancellationTokenSource();
        var expired = _pruning.Find(Cut);
        Assert.Equal(5, expired.Count);
        Assert.Equal(2, _pruning.Delete(expired.Take(2)));
        foreach (var left in Left())
            Assert.NotNull(_store.Get(left));
        Assert.Equal(3, _pruning.Delete(_pruning.Find(Cut)));
        Assert.Equal(["20240106-000000000-0001"], Left());
        Assert.Equal(["20240106-000000000-0001.data"], Directory.GetDirectories(Path.Combine(_store.TasksPath, "2024", "01")).Select(Path.GetFileName));
    }

    [Fact]
    public void The_schedule_round_applies_the_retention_setting_hourly()
    {
        using var hosting = new FakeHosting();
        var store = new TaskStore(hosting.Store.Home);
        var now = DateTimeOffset.UtcNow;
        string Id(int daysAgo) => (now - TimeSpan.FromDays(daysAgo)).UtcDateTime.ToString("yyyyMMdd-HHmmssfff") + "-0001";
        foreach (var days in new[] { 100, 95, 10 })
            store.Save(new AegirTask { Id = Id(days), Type = "verify", Target = "blog.test", Status = AegirTaskStatus.Succeeded }, durable: false);

        var schedules = new SiteSchedules(hosting.Engine, ScheduleKinds.Retention);
        Assert.DoesNotContain(schedules.Due(now), w => w.Key == TaskRetentionRun.Key);   // no retention set: every record is kept
        TaskRetention.Of("90d", null).Save(hosting.Store.Home);
        var work = Assert.Single(schedules.Due(now), w => w.Key == TaskRetentionRun.Key);
        Assert.Contains("2 task record(s) let go", work.Run());
        Assert.Equal([Id(10)], store.Headers().Select(h => h.Id));
        Assert.DoesNotContain(schedules.Due(now), w => w.Key == TaskRetentionRun.Key);
        Assert.True(schedules.NextDue > now + TimeSpan.FromMinutes(59));
    }
}
