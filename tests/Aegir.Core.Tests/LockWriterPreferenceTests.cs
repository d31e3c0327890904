using System.Text.Json;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;

namespace Aegir.Core.Tests;

/// <summary>
/// An exclusive waiter (a verify of a platform) beside a pipeline of moves holding the platform shared: announced, it
/// keeps new shared holders out and gets in when the ones already in finish, instead of timing out.
/// </summary>
public class LockWriterPreferenceTests
{
    /// <summary>An exclusive waiter's announcement for platform_v2, as a waiting verify leaves it.</summary>
    static string Announce(TestHome home, int pid, long start)
    {
        var waiting = Path.Combine(home.Path, "locks", "platform_v2.waiting");
        Directory.CreateDirectory(waiting);
        var path = Path.Combine(waiting, "verify-0.owner");
        File.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(new LockOwner("verify", pid, start, DateTimeOffset.Now, "task verify")));
        return path;
    }

    [Fact]
    public async Task An_exclusive_waiter_gets_in_between_overlapping_shared_holders()
    {
        using var home = new TestHome(seed: false);
        var locks = new FlockTargetLocks(home.Path);
        using var stop = new ManualResetEventSlim();
        var holders = new List<Thread>();
        var failures = new List<Exception>();
        // Overlapping moves: a new one every 50 ms, each holding the platform 400 ms, so it is never free of them.
        var pipeline = new Thread(() =>
        {
            for (var i = 0; !stop.Wait(50); i++)
            {
                var n = i;
                var holder = new Thread(() =>
                {
                    try
                    {
                        using var lease = locks.AcquireShared("platform_v2", $"m{n}", $"task m{n}", TimeSpan.FromSeconds(20));
                        Thread.Sleep(400);
                    }
                    catch (Exception ex) { lock (failures) failures.Add(ex); }
                });
                holder.Start();
                lock (holders) holders.Add(holder);
            }
        });
        pipeline.Start();
        await Task.Delay(500);
        try
        {
            using var exclusive = locks.Acquire("platform_v2", "verify", "task verify", TimeSpan.FromSeconds(5));
            Assert.Equal("verify", locks.OwnerOf("platform_v2")?.TaskId);
        }
        finally
        {
            stop.Set();
            pipeline.Join();
            lock (holders) foreach (var holder in holders) holder.Join();
        }
        Assert.Empty(failures);   // the moves that waited behind it got in afterwards
    }

    [Fact]
    public void A_waiter_kept_out_by_shared_holders_names_their_tasks()
    {
        using var home = new TestHome(seed: false);
        var locks = new FlockTargetLocks(home.Path);
        using var move = locks.AcquireShared("platform_v2", "move1", "task move1", TimeSpan.Zero);
        var busy = Assert.Throws<AegirException>(() => locks.Acquire("platform_v2", "verify", "task verify", TimeSpan.Zero));
        Assert.Equal("TargetBusy", busy.ErrorId);
        Assert.Contains("task move1", busy.Message);
        Assert.Contains("Get-AegirTask -Id move1", busy.Message);
        // Its announcement went with it: new moves get in.
        using var next = locks.AcquireShared("platform_v2", "move2", "task move2", TimeSpan.Zero);
    }

    [Fact]
    public void A_dead_waiters_announcement_keeps_nobody_out()
    {
        using var home = new TestHome(seed: false);
        var locks = new FlockTargetLocks(home.Path);
        var dead = Announce(home, int.MaxValue, 1);
        using var move = locks.AcquireShared("platform_v2", "move1", "task move1", TimeSpan.Zero);
        Assert.False(File.Exists(dead));
    }

    [Fact]
    public void A_live_waiter_keeps_new_shared_holders_out()
    {
        using var home = new TestHome(seed: false);
        var locks = new FlockTargetLocks(home.Path);
        Announce(home, Environment.ProcessId, ProcessIdentity.CurrentStart);
        var busy = Assert.Throws<AegirException>(() => locks.AcquireShared("platform_v2", "move1", "task move1", TimeSpan.FromMilliseconds(200)));
        Assert.Equal("TargetBusy", busy.ErrorId);
        Assert.Contains("verify", busy.Message);
    }
}
