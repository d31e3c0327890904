using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Platform;
using Aegir.Core.Queues;
using Aegir.Core.Tasks;

namespace Aegir.Core.Tests;

public class QueueWorkerTests
{
    /// <summary>The most tasks that ran at one moment, from their records' start and end times.</summary>
    static int MostAtOnce(IEnumerable<AegirTask> tasks)
        => tasks.SelectMany(t => new[] { (Time: t.Started!.Value, Step: 1), (Time: t.Finished!.Value, Step: -1) })
            .OrderBy(e => e.Time).ThenBy(e => e.Step)
            .Aggregate((Now: 0, Most: 0), (acc, e) => (acc.Now + e.Step, Math.Max(acc.Most, acc.Now + e.Step))).Most;

    [Fact]
    public void Two_hundred_tasks_over_twenty_targets_run_at_most_throttle_at_once_and_never_two_on_one_target()
    {
        using var hosting = new FakeHosting();
        for (int i = 0; i < 20; i++) hosting.Store.Create(new AegirPlatform($"platform_p{i}") { Root = $"/srv/p{i}" });
        var queued = new List<AegirTask>();
        for (int round = 0; round < 10; round++)
            for (int i = 0; i < 20; i++)
                queued.Add(hosting.Engine.Enqueue(round % 2 == 0 ? new LockPlatform.Parameters($"platform_p{i}") : new UnlockPlatform.Parameters($"platform_p{i}")));

        var finished = new List<AegirTask>();
        new QueueWorker(hosting.Engine, 4).Run(continuous: false, finished.Add, CancellationToken.None);

        Assert.Equal(200, finished.Count);
        var records = queued.Select(q => hosting.Runner.Store.Get(q.Id)!).ToList();
        Assert.All(records, t => Assert.Equal(AegirTaskStatus.Succeeded, t.Status));
        Assert.Empty(hosting.Runner.Store.Queued());
        int most = MostAtOnce(records);
        Assert.InRange(most, 2, 4);
        foreach (var target in records.GroupBy(t => t.Target))
        {
            // In the order queued, each after the one before had finished.
            var inOrder = target.OrderBy(t => t.Id, StringComparer.Ordinal).ToList();
            for (int i = 1; i < inOrder.Count; i++) Assert.True(inOrder[i].Started >= inOrder[i - 1].Finished, $"{target.Key}: task {inOrder[i].Id} started before {inOrder[i - 1].Id} ended");
        }
        Assert.All(Enumerable.Range(0, 20), i => Assert.False(hosting.Store.GetFresh<AegirPlatform>($"platform_p{i}", "Name").Locked));
    }

    [Fact]
    public void A_task_whose_worker_died_is_repaired_marked_failed_and_the_queue_goes_on()
    {
        using var hosting = new FakeHosting();
        hosting.Store.Create(new AegirPlatform("platform_p1") { Root = "/srv/p1" });
        hosting.Store.Create(new AegirPlatform("platform_p2") { Root = "/srv/p2" });
        var dying = hosting.Engine.Enqueue(new LockPlatform.Parameters("platform_p1"));
        hosting.Runner.Faults = (_, _, _) => new SimulatedCrash();
        Assert.Throws<SimulatedCrash>(() => hosting.Engine.RunQueued(dying.Id));
        hosting.Runner.Faults = null;
        Assert.Equal(AegirTaskStatus.Running, hosting.Runner.Store.Get(dying.Id)!.Status);
        // The lock's owner file names a process that has ended, as after a kill.
        var ownerFile = Path.Combine(hosting.Store.Home, "locks", "platform_p1.owner");
        var owner = System.Text.Json.JsonSerializer.Deserialize<LockOwner>(File.ReadAllText(ownerFile))!;
        using (var gone = System.Diagnostics.Process.Start("true")!) { gone.WaitForExit(); owner = owner with { ProcessId = gone.Id }; }
        File.WriteAllText(ownerFile, System.Text.Json.JsonSerializer.Serialize(owner));
        var next = hosting.Engine.Enqueue(new LockPlatform.Parameters("platform_p2"));

        var log = new List<string>();
        var finished = new List<AegirTask>();
        new QueueWorker(hosting.Engine, 2) { Log = (_, m) => log.Add(m) }.Run(continuous: false, finished.Add, CancellationToken.None);

        var dead = hosting.Runner.Store.Get(dying.Id)!;
        Assert.Equal((AegirTaskStatus.Failed, "TaskProcessGone"), (dead.Status, dead.ErrorId));
        Assert.Contains(dead.Log, e => e.Message.Contains("ended before the task did"));
        Assert.Contains(log, m => m.Contains(dying.Id));
        Assert.Equal([next.Id], finished.Select(t => t.Id));
        Assert.Equal(AegirTaskStatus.Succeeded, finished[0].Status);
    }

    [Fact]
    public void A_queued_task_whose_target_is_gone_fails_saying_why_instead_of_staying_queued()
    {
        using var hosting = new FakeHosting();
        hosting.Store.Create(new AegirPlatform("platform_p1") { Root = "/srv/p1" });
        var task = hosting.Engine.Enqueue(new LockPlatform.Parameters("platform_p1"));
        hosting.Store.Remove("platform_p1");
        var outcome = hosting.Engine.RunQueued(task.Id)!;
        Assert.Equal(AegirTaskStatus.Failed, outcome.Task.Status);
        Assert.Contains("platform_p1", outcome.Task.Error);
        Assert.Empty(hosting.Runner.Store.Queued());
    }

    [Fact]
    public void Stopping_starts_nothing_new()
    {
        using var hosting = new FakeHosting();
        hosting.Store.Create(new AegirPlatform("platform_p1") { Root = "/srv/p1" });
        var task = hosting.Engine.Enqueue(new LockPlatform.Parameters("platform_p1"));
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var finished = new List<AegirTask>();
        new QueueWorker(hosting.Engine, 2).Run(continuous: true, finished.Add, stop.Token);
        Assert.Empty(finished);
        Assert.Equal(AegirTaskStatus.Queued, hosting.Runner.Store.Get(task.Id)!.Status);
    }
}
