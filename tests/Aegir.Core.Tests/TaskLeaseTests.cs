using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Platform;
using Aegir.Core.Operations.Site;
using Aegir.Core.Tasks;

namespace Aegir.Core.Tests;

/// <summary>The contracts a broker implements too: leases acked and nacked, worker ids on records and locks, heartbeats.</summary>
public class TaskLeaseTests
{
    static LeaseRequest Everything(Engine engine, int max = 10, params string[] busy)
        => new(engine.Runner.Worker, max, busy.ToHashSet(StringComparer.Ordinal), _ => LeaseChoice.Take, engine.TargetsOf);

    static FakeHosting WithPlatforms(params string[] names)
    {
        var hosting = new FakeHosting();
        foreach (var name in names) hosting.Store.Create(new AegirPlatform(name) { Root = "/srv/" + name });
        return hosting;
    }

    [Fact]
    public void A_lease_names_its_task_and_worker_and_once_acked_after_its_run_the_queue_forgets_the_task()
    {
        using var hosting = WithPlatforms("platform_p1");
        var queued = hosting.Engine.Enqueue(new LockPlatform.Parameters("platform_p1"));
        Assert.Null(hosting.Runner.Store.Get(queued.Id)!.Worker);

        var lease = Assert.Single(hosting.Engine.Queue.Receive(Everything(hosting.Engine)));
        Assert.Equal((queued.Id, "lock", "platform_p1", hosting.Runner.Worker, 1), (lease.TaskId, lease.Type, lease.Target, lease.Worker, lease.Deliveries));
        Assert.Contains("platform_p1", lease.Targets);
        var outcome = hosting.Engine.RunQueued(lease.TaskId)!;
        hosting.Engine.Queue.Ack(lease);

        Assert.Equal(AegirTaskStatus.Succeeded, outcome.Task.Status);
        Assert.Empty(hosting.Engine.Queue.Pending());
        Assert.Empty(hosting.Engine.Queue.Receive(Everything(hosting.Engine)));
        var record = hosting.Runner.Store.Get(queued.Id)!;
        Assert.Equal(WorkerId.Current, record.Worker);
        Assert.StartsWith($"{Environment.MachineName}:{Environment.ProcessId}:", record.Worker);
    }

    [Fact]
    public void A_lease_nacked_to_be_requeued_keeps_its_place_and_counts_its_deliveries()
    {
        using var hosting = WithPlatforms("platform_p1");
        var first = hosting.Engine.Enqueue(new LockPlatform.Parameters("platform_p1"));
        var second = hosting.Engine.Enqueue(new UnlockPlatform.Parameters("platform_p1"));

        // One target, one task at a time, in the order they were queued.
        var lease = Assert.Single(hosting.Engine.Queue.Receive(Everything(hosting.Engine)));
        Assert.Equal(first.Id, lease.TaskId);
        hosting.Engine.Queue.Nack(lease, requeue: true);

        Assert.Equal([first.Id, second.Id], hosting.Engine.Queue.Pending().Select(p => p.Id));
        var again = Assert.Single(hosting.Engine.Queue.Receive(Everything(hosting.Engine)));
        Assert.Equal((first.Id, 2), (again.TaskId, again.Deliveries));
        Assert.Equal(AegirTaskStatus.Queued, hosting.Runner.Store.Get(first.Id)!.Status);
    }

    [Fact]
    public void A_lease_nacked_as_poison_leaves_the_queue_recorded_as_failed_with_why()
    {
        using var hosting = WithPlatforms("platform_p1");
        var queued = hosting.Engine.Enqueue(new LockPlatform.Parameters("platform_p1"));
        var lease = Assert.Single(hosting.Engine.Queue.Receive(Everything(hosting.Engine)));

        hosting.Engine.Queue.Nack(lease, requeue: false, "its worker died running it three times");

        var record = hosting.Runner.Store.Get(queued.Id)!;
        Assert.Equal((AegirTaskStatus.Failed, "TaskPoisoned"), (record.Status, record.ErrorId));
        Assert.Contains("its worker died running it three times", record.Error);
        Assert.Empty(hosting.Engine.Queue.Pending());
        Assert.False(hosting.Store.GetFresh<AegirPlatform>("platform_p1", "Name").Locked);   // it never ran
    }

    [Fact]
    public void A_receive_leases_nothing_on_a_target_the_worker_holds_and_no_more_than_it_asks()
    {
        using var hosting = WithPlatforms("platform_p1", "platform_p2", "platform_p3");
        var p1 = hosting.Engine.Enqueue(new LockPlatform.Parameters("platform_p1"));
        var p2 = hosting.Engine.Enqueue(new LockPlatform.Parameters("platform_p2"));
        var p3 = hosting.Engine.Enqueue(new LockPlatform.Parameters("platform_p3"));

        Assert.Equal([p2.Id], hosting.Engine.Queue.Receive(Everything(hosting.Engine, max: 1, "platform_p1")).Select(l => l.TaskId));
        Assert.Equal([p1.Id, p3.Id], hosting.Engine.Queue.Receive(Everything(hosting.Engine, max: 5, "platform_p2")).Select(l => l.TaskId));
        // A task left waiting holds back a later one on its target; one skipped does not.
        var waiting = new LeaseRequest("w", 5, new HashSet<string>(), q => q.Id == p1.Id ? LeaseChoice.Wait : LeaseChoice.Take, hosting.Engine.TargetsOf);
        Assert.Equal([p2.Id, p3.Id], hosting.Engine.Queue.Receive(waiting).Select(l => l.TaskId));
    }

    [Fact]
    public void A_lock_is_held_by_a_worker_id_and_its_dead_holder_is_named_to_the_next()
    {
        using var home = new TestHome(seed: false);
        var a = new FlockTargetLocks(home.Path, "web1:100:5");
        var b = new FlockTargetLocks(home.Path, "web2:200:6");
        Assert.Null(a.Heartbeat);

        var held = a.Acquire("site_x.test", "20260101-000000000-abcd", "task 20260101-000000000-abcd", TimeSpan.Zero);
        var owner = b.OwnerOf("site_x.test")!;
        Assert.Equal(("web1:100:5", "20260101-000000000-abcd", Environment.ProcessId), (owner.Worker, owner.TaskId, owner.ProcessId));
        Assert.Equal(["site_x.test"], b.Owned());
        var busy = Assert.Throws<AegirException>(() => b.Acquire("site_x.test", null, "a check", TimeSpan.FromMilliseconds(50)));
        Assert.Equal("TargetBusy", busy.ErrorId);
        Assert.True(held.Renew());

        held.Abandon();   // as a kill would: the lock goes, its owner stays named
        using (var next = b.Acquire("site_x.test", null, "a check", TimeSpan.Zero))
        {
            Assert.Equal("web1:100:5", next.StaleOwner?.Worker);
            Assert.Equal("web2:200:6", b.OwnerOf("site_x.test")!.Worker);
        }
        Assert.Null(a.OwnerOf("site_x.test"));
        Assert.Empty(a.Owned());
    }

    [Fact]
    public void An_engine_given_a_worker_id_records_it_on_its_tasks_and_its_locks()
    {
        using var home = new TestHome();
        var engine = new Engine(home.Store, backend: TaskBackend.Files("ci-runner-7"));
        var seen = new List<string?>();
        var task = engine.Runner.Run("verify", "platform_wp", [], _ => seen.Add(engine.Runner.Locks.OwnerOf("platform_wp")?.Worker));
        Assert.Equal(AegirTaskStatus.Succeeded, task.Status);
        Assert.Equal("ci-runner-7", engine.Runner.Store.Get(task.Id)!.Worker);
        Assert.Equal(["ci-runner-7"], seen);
    }

    /// <summary>A lock service whose leases lapse: it counts renewals, and lapses when told to.</summary>
    sealed class LapsingLocks(string home) : ITargetLocks
    {
        readonly FlockTargetLocks _inner = new(home, "lapsing");
        public int Renewals;
        public volatile bool Lapse;
        public string Worker => _inner.Worker;
        public TimeSpan? Heartbeat => TimeSpan.FromMilliseconds(20);
        public ITargetLease Acquire(string target, string? taskId, string what, TimeSpan wait) => new Lease(this, _inner.Acquire(target, taskId, what, wait));
        public LockOwner? OwnerOf(string target) => _inner.OwnerOf(target);
        public IReadOnlyList<string> Owned() => _inner.Owned();

        sealed class Lease(LapsingLocks locks, ITargetLease inner) : ITargetLease
        {
            public string Target => inner.Target;
            public LockOwner? StaleOwner => inner.StaleOwner;
            public bool Renew() { Interlocked.Increment(ref locks.Renewals); return !locks.Lapse; }
            public void Abandon() => inner.Abandon();
            public void Dispose() => inner.Dispose();
        }
    }

    [Fact]
    public void A_running_task_renews_its_leases_every_heartbeat_and_stops_when_one_lapses()
    {
        using var home = new TestHome(seed: false);
        var locks = new LapsingLocks(home.Path);
        var runner = new TaskRunner(home.Path, locks: locks);

        // Waits on what the heartbeat did, not on a time: a loaded machine delays timers.
        var kept = runner.Run("verify", "site_a.test", [], ctx => ctx.Step("wait for two renewals", () => SpinWait.SpinUntil(() => Volatile.Read(ref locks.Renewals) >= 2, 30_000), null));
        Assert.Equal(AegirTaskStatus.Succeeded, kept.Status);
        Assert.True(locks.Renewals >= 2, $"renewed {locks.Renewals} times");

        locks.Lapse = true;
        var lapsed = runner.Run("verify", "site_a.test", [], ctx =>
        {
            Assert.True(SpinWait.SpinUntil(() => ctx.Cancellation.IsCancellationRequested, 30_000), "the lapsed lease stopped the task");
            ctx.Step("after the lease lapsed", () => throw new InvalidOperationException("must not run"), null);
        });
        Assert.Equal((AegirTaskStatus.Failed, "TaskStopped"), (lapsed.Status, lapsed.ErrorId));
    }

    /// <summary>Upkeep that answers as told and remembers whom it ran for.</summary>
    sealed class FakeUpkeep(string? cronError) : ISiteUpkeep
    {
        public readonly List<string> Ran = [];
        public (string Line, string? Error) Cron(Engine engine, string site) { Ran.Add("cron " + site); return (cronError is null ? $"Cron of {site}: done in 0.1 s." : $"Cron of {site} failed: {cronError}", cronError); }
        public string Statistics(Engine engine, string site) { Ran.Add("statistics " + site); return $"Statistics of {site}: 1 users."; }
    }

    [Fact]
    public void Cron_and_statistics_travel_as_task_records_and_run_from_them()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        var site = new AegirSite("a.test") { PlatformName = "php", Status = SiteStatus.Installed };
        hosting.Store.Create(site);
        var upkeep = new FakeUpkeep(null);
        var engine = new Engine(hosting.Store, null, null, hosting, hosting) { Upkeep = upkeep };

        var cron = engine.Enqueue(new RunSiteCron.Parameters(site.Name));
        var statistics = engine.Enqueue(new CollectSiteStatistics.Parameters(site.Name));
        Assert.Equal(("cron", site.Name, site.Name), (cron.Type, cron.Target, (string?)cron.Parameters["site"]));
        Assert.Equal("statistics", statistics.Type);
        Assert.Equal([site.Name], engine.TargetsOf(new QueuedTask(cron.Id, cron.Type, cron.Target)));   // the site alone, as the schedule holds it

        Assert.Equal(AegirTaskStatus.Succeeded, engine.RunQueued(cron.Id)!.Task.Status);
        Assert.Equal(AegirTaskStatus.Succeeded, engine.RunQueued(statistics.Id)!.Task.Status);
        Assert.Equal(["cron " + site.Name, "statistics " + site.Name], upkeep.Ran);
        Assert.Contains(hosting.Runner.Store.Get(cron.Id)!.Log, e => e.Message == $"Cron of {site.Name}: done in 0.1 s.");
    }

    [Fact]
    public void A_cron_task_fails_when_its_cron_fails_and_an_engine_without_upkeep_says_why()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        var site = new AegirSite("a.test") { PlatformName = "php", Status = SiteStatus.Installed };
        hosting.Store.Create(site);
        var failing = new Engine(hosting.Store, null, null, hosting, hosting) { Upkeep = new FakeUpkeep("exit code 255: PHP Fatal error") };
        var failed = failing.Run(new RunSiteCron.Parameters(site.Name)).Task;
        Assert.True(failed.ErrorId == "CronFailed", failed.Error);
        Assert.Contains("exit code 255", failed.Error);

        var none = hosting.Engine.Run(new RunSiteCron.Parameters(site.Name)).Task;
        Assert.Equal(AegirTaskStatus.Failed, none.Status);
        Assert.Contains("without the schedules' upkeep", none.Error);
    }
}
