using Aegir.Core.Errors;
using Aegir.Core.Tasks;

namespace Aegir.Core.Tests;

/// <summary>
/// Shared target locks (the platforms of moves that run side by side): many shared holders at once, none beside an
/// exclusive one, and a shared holder that dies is repaired by the next exclusive holder.
/// </summary>
public class SharedLockTests
{
    static JournalAction Act(string name) => new("test", $"undo {name}", new() { ["name"] = name });

    sealed class RecordingExecutor : IJournalExecutor
    {
        public readonly List<string> Done = [];
        public void Run(JournalAction action, TaskContext ctx) { lock (Done) Done.Add(action.Arg("name")); }
    }

    [Fact]
    public void Shared_holders_hold_together_and_keep_an_exclusive_one_out()
    {
        using var home = new TestHome(seed: false);
        var locks = new FlockTargetLocks(home.Path);
        using (var first = locks.AcquireShared("platform_v2", "t1", "task t1", TimeSpan.Zero))
        using (var second = locks.AcquireShared("platform_v2", "t2", "task t2", TimeSpan.Zero))
        {
            var busy = Assert.Throws<AegirException>(() => locks.Acquire("platform_v2", "t3", "task t3", TimeSpan.Zero));
            Assert.Equal("TargetBusy", busy.ErrorId);
            Assert.NotNull(locks.OwnerOf("platform_v2"));
            Assert.Empty(locks.Owned());   // shared holders are no target's owner for the repairs that walk them
        }
        using (var exclusive = locks.Acquire("platform_v2", "t3", "task t3", TimeSpan.Zero))
        {
            Assert.Empty(exclusive.StaleShared);   // the shared holders let go properly
            Assert.Equal("TargetBusy", Assert.Throws<AegirException>(() => locks.AcquireShared("platform_v2", "t4", "task t4", TimeSpan.Zero)).ErrorId);
        }
        Assert.Null(locks.OwnerOf("platform_v2"));
    }

    [Fact]
    public async Task Two_tasks_that_hold_a_target_shared_run_at_once_and_one_that_needs_it_whole_waits()
    {
        using var home = new TestHome(seed: false);
        var runner = new TaskRunner(home.Path) { LockWait = TimeSpan.FromMilliseconds(300) };
        using var both = new Barrier(2);
        AegirTask Move(string site) => runner.Run(new TaskRequest("migrate", site, ["platform_v1", "platform_v2"], []) { Shared = ["platform_v1", "platform_v2"] },
            _ => Assert.True(both.SignalAndWait(TimeSpan.FromSeconds(20)), "the other move never ran beside this one"));
        var a = Task.Run(() => Move("a.example"));
        var b = Task.Run(() => Move("b.example"));
        Assert.Equal(AegirTaskStatus.Succeeded, (await a).Status);
        Assert.Equal(AegirTaskStatus.Succeeded, (await b).Status);

        // A task that needs the platform whole (a verify of it) does not start beside a move.
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var c = Task.Run(() => runner.Run(new TaskRequest("migrate", "c.example", ["platform_v2"], []) { Shared = ["platform_v2"] }, _ => { held.Set(); release.Wait(TimeSpan.FromSeconds(20)); }));
        Assert.True(held.Wait(TimeSpan.FromSeconds(20)));
        var verify = runner.Run("verify", "platform_v2", [], _ => { });
        release.Set();
        Assert.Equal(AegirTaskStatus.Failed, verify.Status);
        Assert.Equal("TargetBusy", verify.ErrorId);
        Assert.Equal(AegirTaskStatus.Succeeded, (await c).Status);
    }

    [Fact]
    public void A_shared_holder_that_died_is_repaired_by_the_next_task_that_holds_the_target_whole()
    {
        using var home = new TestHome(seed: false);
        var executor = new RecordingExecutor();
        var runner = new TaskRunner(home.Path, null, executor);
        // A move killed half way (a simulated kill: nothing after it runs, its locks let go as a dead process's).
        Assert.Throws<SimulatedCrash>(() => runner.Run(new TaskRequest("migrate", "a.example", ["platform_v2"], []) { Shared = ["platform_v2"] }, ctx =>
        {
            ctx.Step("Made the site's folders on v2", () => { }, Act("folders"));
            throw new SimulatedCrash();
        }));
        var dead = Assert.Single(runner.Store.List());
        Assert.Equal(AegirTaskStatus.Running, dead.Status);

        var verify = runner.Run("verify", "platform_v2", [], _ => { });
        Assert.Contains(verify.Log, e => e.Message.Contains($"from task {dead.Id}"));
        Assert.Equal(["folders"], executor.Done);
        var after = runner.Store.Get(dead.Id)!;
        Assert.Equal(AegirTaskStatus.Failed, after.Status);
        Assert.Equal("TaskProcessGone", after.ErrorId);
        Assert.Null(runner.Locks.OwnerOf("platform_v2"));   // its owner file went with the repair
        Assert.Equal(AegirTaskStatus.Succeeded, runner.Run("verify", "platform_v2", [], _ => { }).Status);
    }

    [Fact]
    public void An_exclusive_holder_that_died_is_repaired_by_the_next_shared_holder_and_named_no_more()
    {
        using var home = new TestHome(seed: false);
        var executor = new RecordingExecutor();
        var runner = new TaskRunner(home.Path, null, executor);
        Assert.Throws<SimulatedCrash>(() => runner.Run("verify", "platform_v2", [], ctx =>
        {
            ctx.Step("Wrote the platform's config", () => { }, Act("config"));
            throw new SimulatedCrash();
        }));
        var dead = Assert.Single(runner.Store.List());
        var move = runner.Run(new TaskRequest("migrate", "a.example", ["platform_v2"], []) { Shared = ["platform_v2"] }, _ => { });
        Assert.Equal(AegirTaskStatus.Warning, move.Status);   // it says whose lock it took over
        Assert.Equal(["config"], executor.Done);
        Assert.Equal("TaskProcessGone", runner.Store.Get(dead.Id)!.ErrorId);
        Assert.Null(runner.Locks.OwnerOf("platform_v2"));
        Assert.DoesNotContain("platform_v2", runner.Locks.Owned());
    }
}
