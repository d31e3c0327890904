using Aegir.Core.Contexts;
using Aegir.Core.Operations.Platform;
using Aegir.Core.Queues;
using Aegir.Core.Queues.Workers;
using Aegir.Core.Tasks;

namespace Aegir.Core.Tests;

/// <summary>The worker registry as files, a worker's presence in it (heartbeats, counts, its removal), and who is alive.</summary>
public class WorkerRegistryTests
{
    static AegirWorker Worker(string name, string? id = null, TimeSpan? interval = null)
        => AegirWorker.ThisProcess(name, id ?? WorkerId.Current, QueueSetting.FileKind, interval ?? TimeSpan.FromSeconds(5));

    /// <summary>A pid that has ended, so no process has it now.</summary>
    static int EndedPid()
    {
        using var gone = System.Diagnostics.Process.Start("true")!;
        gone.WaitForExit();
        return gone.Id;
    }

    [Fact]
    public void An_entry_is_written_whole_owner_only_read_back_alive_and_removed()
    {
        using var home = new TestHome(seed: false);
        var registry = new FileWorkerRegistry(home.Path);
        Assert.Empty(registry.List());
        var me = Worker("w1") with { Current = ["t1"], Run = 3, Failed = 1 };
        registry.Put(me);

        var file = Assert.Single(Directory.GetFiles(registry.Folder));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(registry.Folder));
        Assert.DoesNotContain(":", Path.GetFileName(file));
        Assert.DoesNotContain("alive", File.ReadAllText(file), StringComparison.OrdinalIgnoreCase);
        var read = Assert.Single(registry.List());
        Assert.True(read.Alive);
        Assert.Equal((me.Name, me.Id, me.Host, me.Pid, me.Queue, 3, 1), (read.Name, read.Id, read.Host, read.Pid, read.Queue, read.Run, read.Failed));
        Assert.Equal(["t1"], read.Current);

        registry.Remove(me.Id);
        Assert.Empty(registry.List());
        registry.Remove(me.Id);   // twice is nothing
    }

    [Fact]
    public void A_worker_is_dead_once_its_process_on_this_machine_ended_or_it_missed_three_beats()
    {
        using var home = new TestHome(seed: false);
        var registry = new FileWorkerRegistry(home.Path);
        var now = DateTimeOffset.UtcNow;
        var interval = TimeSpan.FromSeconds(5);
        registry.Put(Worker("killed", "here:1:1") with { Pid = EndedPid() });
        registry.Put(Worker("elsewhere-fresh", "far:1:1") with { Host = "far-away", Pid = 1, Heartbeat = now - interval * 2 });
        registry.Put(Worker("elsewhere-silent", "far:2:1") with { Host = "far-away", Pid = 1, Heartbeat = now - interval * 4 });
        registry.Put(Worker("silent", "here:2:1") with { Heartbeat = now - interval * 4 });
        registry.Put(Worker("me", "here:3:1"));

        var alive = registry.List().ToDictionary(w => w.Name, w => w.Alive);
        Assert.Equal(new Dictionary<string, bool> { ["elsewhere-fresh"] = true, ["elsewhere-silent"] = false, ["killed"] = false, ["me"] = true, ["silent"] = false }, alive);
        // The same pid with another start is another process.
        Assert.False((Worker("reused") with { ProcessStart = ProcessIdentity.CurrentStart + 1 }).JudgedAt(now).Alive);
    }

    [Fact]
    public void Prune_removes_only_entries_dead_for_longer_than_asked_and_leaves_what_does_not_read()
    {
        using var home = new TestHome(seed: false);
        var registry = new FileWorkerRegistry(home.Path);
        var now = DateTimeOffset.UtcNow;
        registry.Put(Worker("old-dead", "a:1:1") with { Host = "far-away", Heartbeat = now.AddDays(-2) });
        registry.Put(Worker("new-dead", "a:2:1") with { Pid = EndedPid(), Heartbeat = now.AddHours(-1) });
        registry.Put(Worker("live", "a:3:1"));
        var foreign = Path.Combine(registry.Folder, "later-version.json");
        File.WriteAllText(foreign, "not json");

        Assert.Equal(1, registry.Prune(TimeSpan.FromDays(1)));
        Assert.Equal(["live", "new-dead"], registry.List().Select(w => w.Name));
        Assert.True(File.Exists(foreign));
    }

    [Fact]
    public void A_presence_beats_with_the_current_tasks_and_counts_and_leaves_the_registry_when_disposed()
    {
        using var home = new TestHome(seed: false);
        var registry = new FileWorkerRegistry(home.Path);
        var current = new List<string> { "t2", "t1" };
        var entry = Worker("w1", interval: TimeSpan.FromMilliseconds(100));
        using (var presence = WorkerPresence.Start(registry, entry, () => current))
        {
            var first = Assert.Single(registry.List());
            Assert.Empty(first.Current);
            presence.Ended(new AegirTask { Id = "t0", Status = AegirTaskStatus.Succeeded });
            presence.Ended(new AegirTask { Id = "t9", Status = AegirTaskStatus.Failed });
            Assert.True(SpinWait.SpinUntil(() => registry.List().SingleOrDefault() is { Run: 2 } w && w.Heartbeat > first.Heartbeat, TimeSpan.FromSeconds(10)));
            var later = Assert.Single(registry.List());
            Assert.Equal((2, 1), (later.Run, later.Failed));
            Assert.Equal(["t1", "t2"], later.Current);
            Assert.Equal(first.Started, later.Started);
        }
        Assert.Empty(registry.List());
        Thread.Sleep(300);
        Assert.Empty(registry.List());   // no beat after the stop writes it again
    }

    [Fact]
    public void A_queue_worker_says_which_tasks_it_runs_now()
    {
        using var hosting = new FakeHosting();
        hosting.Store.Create(new AegirPlatform("platform_p1") { Root = "/srv/p1" });
        var task = hosting.Engine.Enqueue(new LockPlatform.Parameters("platform_p1"));
        using var inStep = new ManualResetEventSlim();
        using var go = new ManualResetEventSlim();
        hosting.Runner.Faults = (_, _, after) =>
        {
            if (!after) { inStep.Set(); go.Wait(TimeSpan.FromSeconds(30)); }
            return null;
        };
        var worker = new QueueWorker(hosting.Engine, 2);
        Assert.Empty(worker.Current);
        var finished = new List<AegirTask>();
        var run = new Thread(() => worker.Run(continuous: false, finished.Add, CancellationToken.None));
        run.Start();

        Assert.True(inStep.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal([task.Id], worker.Current);
        go.Set();
        Assert.True(run.Join(TimeSpan.FromSeconds(30)));
        Assert.Empty(worker.Current);
        Assert.Equal(AegirTaskStatus.Succeeded, Assert.Single(finished).Status);
    }

    [Theory]
    [InlineData("web1")]
    [InlineData("queue-2.a_b@x")]
    public void A_worker_name_of_the_allowed_characters_is_taken(string name) => Assert.Equal(name, AegirWorker.CheckName("Name", name));

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("../up")]
    public void A_worker_name_with_other_characters_is_refused_saying_what_is_allowed(string name)
    {
        var ex = Assert.Throws<Errors.AegirException>(() => AegirWorker.CheckName("Name", name));
        Assert.Equal("InvalidValue", ex.ErrorId);
        Assert.Contains("letters, digits", ex.Message);
    }
}
