using Aegir.Core.Contexts;
using Aegir.Core.Operations.Platform;
using Aegir.Core.Operations.Site;
using Aegir.Core.Queues;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

/// <summary>
/// A queue that gives a dead worker's task back (a broker) runs it again: the repair undoes what the dead run did
/// before the retry, a task past its point of no return or out of tries is not run twice.
/// </summary>
public class DeadWorkerRetryTests
{
    static readonly TaskBackend Retrying = TaskBackend.Files() with { RetryDead = 3 };

    static InstallSite.Parameters NewSite(string uri, string platform) => new(uri, null, null, new SiteDefinition(uri, platform));

    static bool Installer(CommandSpec run) => FakeTransport.Unwrapped(run) is { Program: "php", Arguments: [var script, ..] } && script.EndsWith("/wordpress-install.php", StringComparison.Ordinal);

    static List<AegirTask> RunQueue(FakeHosting hosting)
    {
        var finished = new List<AegirTask>();
        new QueueWorker(hosting.Engine, 2).Run(continuous: false, finished.Add, CancellationToken.None);
        return finished;
    }

    [Fact]
    public void An_install_whose_worker_died_is_undone_then_run_again_and_the_site_is_made_once()
    {
        using var hosting = new FakeHosting(backend: Retrying);
        hosting.Platform("wp", "wordpress");
        var queued = hosting.Engine.Enqueue(NewSite("blog.test", "wp"));
        hosting.Server.Handler = spec => Installer(spec) ? throw hosting.Kill() : FakeTransport.Ok;
        Assert.Throws<SimulatedCrash>(() => hosting.Engine.RunQueued(queued.Id));
        hosting.Revive();
        hosting.AnswerAsUsual();
        Assert.NotEmpty(hosting.Databases.Databases);   // what the dead run made

        var finished = RunQueue(hosting);

        var task = Assert.Single(finished);
        Assert.Equal(queued.Id, task.Id);
        Assert.True(task.Status is AegirTaskStatus.Succeeded or AegirTaskStatus.Warning, task.Error);
        Assert.Equal(2, task.Tries);
        Assert.Contains(task.Log, e => e.Message.Contains("queued it again: try 2 of at most 3"));
        // The repair undid the dead run's database before the retry made its own: one database, the site's.
        Assert.Single(hosting.Databases.Databases);
        Assert.Equal(hosting.Store.Get<AegirSite>("blog.test", "Site").DbName, hosting.Databases.Databases.Single());
        Assert.True(hosting.Server.FileExists(hosting.VhostPath("blog.test")));
        Assert.Empty(hosting.Runner.Store.Queued());
    }

    [Fact]
    public void A_task_that_kills_its_worker_each_time_fails_after_its_tries()
    {
        using var hosting = new FakeHosting(backend: Retrying);
        hosting.Store.Create(new AegirPlatform("platform_p1") { Root = "/srv/p1" });
        var queued = hosting.Engine.Enqueue(new LockPlatform.Parameters("platform_p1"));
        for (int i = 1; i <= 3; i++)
        {
            hosting.Runner.Faults = (_, _, _) => new SimulatedCrash();
            Assert.Throws<SimulatedCrash>(() => hosting.Engine.RunQueued(queued.Id));
            hosting.Runner.Faults = null;
            hosting.Engine.Settle(["platform_p1"]);
            var after = hosting.Runner.Store.Get(queued.Id)!;
            Assert.Equal(i, after.Tries);
            Assert.Equal(i < 3 ? AegirTaskStatus.Queued : AegirTaskStatus.Failed, after.Status);
        }
        var dead = hosting.Runner.Store.Get(queued.Id)!;
        Assert.Equal("TaskProcessGone", dead.ErrorId);
        Assert.Empty(RunQueue(hosting));
        Assert.False(hosting.Store.GetFresh<AegirPlatform>("platform_p1", "Name").Locked);
    }

    [Fact]
    public void Without_retries_a_dead_workers_task_fails_as_before()
    {
        using var hosting = new FakeHosting();
        hosting.Store.Create(new AegirPlatform("platform_p1") { Root = "/srv/p1" });
        var queued = hosting.Engine.Enqueue(new LockPlatform.Parameters("platform_p1"));
        hosting.Runner.Faults = (_, _, _) => new SimulatedCrash();
        Assert.Throws<SimulatedCrash>(() => hosting.Engine.RunQueued(queued.Id));
        hosting.Runner.Faults = null;
        hosting.Engine.Settle(["platform_p1"]);
        Assert.Equal((AegirTaskStatus.Failed, "TaskProcessGone", 1), (hosting.Runner.Store.Get(queued.Id)!.Status, hosting.Runner.Store.Get(queued.Id)!.ErrorId, hosting.Runner.Store.Get(queued.Id)!.Tries));
    }

    [Fact]
    public void A_task_killed_past_its_point_of_no_return_is_finished_forward_not_run_twice()
    {
        using var hosting = new FakeHosting(backend: Retrying);
        hosting.Platform("wp", "wordpress");
        var install = hosting.Run(NewSite("blog.test", "wp"));
        Assert.True(install.Succeeded, install.Task.Error);
        var delete = hosting.Engine.Enqueue(new DeleteSite.Parameters("blog.test"));
        // Killed at the first step once the journal holds a change to finish forward: past the point of no return.
        hosting.Runner.Faults = (_, _, _) => hosting.Runner.Store.Get(delete.Id)!.Journal.Any(e => e.Forward is not null) ? new SimulatedCrash() : null;
        Assert.Throws<SimulatedCrash>(() => hosting.Engine.RunQueued(delete.Id));
        hosting.Runner.Faults = null;
        hosting.Engine.Settle(["blog.test"]);
        var after = hosting.Runner.Store.Get(delete.Id)!;
        Assert.Contains(after.Log, e => e.Message.Contains("past its point of no return"));
        Assert.Equal(AegirTaskStatus.Failed, after.Status);
        Assert.False(hosting.Store.Exists("blog.test"));
        Assert.Equal(1, after.Tries);
        Assert.Empty(RunQueue(hosting));
    }
}
