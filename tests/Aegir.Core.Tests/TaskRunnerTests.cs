using System.Diagnostics;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;

namespace Aegir.Core.Tests;

public class TaskRunnerTests
{
    sealed class Recorder : ITaskObserver
    {
        public readonly List<TaskLogEntry> Entries = [];
        public readonly List<(int, string)> Progress = [];
        public void OnLog(AegirTask task, TaskLogEntry entry) { lock (Entries) Entries.Add(entry); }
        public void OnProgress(AegirTask task, int percent, string activity) => Progress.Add((percent, activity));
    }

    [Fact]
    public void Ids_made_in_one_millisecond_keep_the_order_they_were_made_in()
    {
        var now = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, 500).Select(_ => AegirTask.NewId(now)).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void A_task_that_succeeds_is_recorded_with_its_log()
    {
        using var home = new TestHome(seed: false);
        var recorder = new Recorder();
        var runner = new TaskRunner(home.Path, recorder);
        var task = runner.Run(new TaskRequest("verify", "a.example", [], new System.Text.Json.Nodes.JsonObject { ["force"] = "no" }), ctx =>
        {
            ctx.Step("First step", () => { });
            ctx.Progress(50, "half way");
        });
        Assert.Equal(AegirTaskStatus.Succeeded, task.Status);
        Assert.NotNull(task.Finished);
        Assert.Contains(task.Log, e => e.Message == "First step");
        Assert.Equal((50, "half way"), Assert.Single(recorder.Progress));
        Assert.Equal(task.Log.Count, recorder.Entries.Count);

        var stored = runner.Store.Get(task.Id)!;
        Assert.Equal(AegirTaskStatus.Succeeded, stored.Status);
        Assert.Equal("no", (string?)stored.Parameters["force"]);
        Assert.Equal(task.Log.Select(e => e.Message), stored.Log.Select(e => e.Message));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Directory.GetFiles(((TaskStore)runner.Store).TasksPath, "*.json", SearchOption.AllDirectories).Single()));
    }

    /// <summary>Carries out journal actions of kind "test" by recording their "name"; "fail" fails.</summary>
    sealed class RecordingExecutor : IJournalExecutor
    {
        public readonly List<string> Done = [];
        public void Run(JournalAction action, TaskContext ctx)
        {
            if (action.Arg("name") == "fail") throw new IOException("disk gone");
            lock (Done) Done.Add(action.Arg("name"));
        }
    }

    static JournalAction Act(string name) => new("test", $"undo {name}", new() { ["name"] = name });

    [Fact]
    public void A_failing_task_undoes_its_steps_in_reverse_and_says_so()
    {
        using var home = new TestHome(seed: false);
        var executor = new RecordingExecutor();
        var task = new TaskRunner(home.Path, null, executor).Run("install", "a.example", [], ctx =>
        {
            ctx.Step("Create database", () => { }, Act("database"));
            ctx.Step("Write vhost", () => { }, Act("vhost"));
            ctx.Step("Step without undo", () => { });
            ctx.Step("Reload web server", () => throw ErrorCatalog.StepFailed("WebReloadFailed", "Reload", "config test failed", "Fix the template."));
        });
        Assert.Equal(AegirTaskStatus.Failed, task.Status);
        Assert.Equal(["vhost", "database"], executor.Done);
        Assert.Contains("config test failed", task.Error);
        Assert.Equal("WebReloadFailed", task.ErrorId);
        Assert.Contains(task.Log, e => e.Message == "Undid: Write vhost");
        Assert.Contains(task.Log, e => e.Message == "Undid: Create database");
        Assert.Contains(task.Log, e => e.Message.Contains("the target is as it was before the task"));
        Assert.All(task.Journal, e => Assert.Equal(JournalState.Undone, e.State));
    }

    /// <summary>Counts the undos it is asked for; those on server "away" fail as a server that does not answer.</summary>
    sealed class AwayExecutor : IJournalExecutor
    {
        public readonly List<string> Tried = [];
        public void Run(JournalAction action, TaskContext ctx)
        {
            Tried.Add(action.Arg("name"));
            if (action.Arg("server") == "away") throw ErrorCatalog.SshFailed("'@away' (192.0.2.7)", "-i key root@192.0.2.7", "Socket read operation has timed out");
        }
    }

    [Fact]
    public void A_server_that_does_not_answer_one_undo_is_not_asked_the_next_and_both_wait()
    {
        using var home = new TestHome(seed: false);
        var executor = new AwayExecutor();
        static JournalAction On(string server, string name) => new("test", $"undo {name}", new() { ["name"] = name, ["server"] = server });
        var task = new TaskRunner(home.Path, null, executor).Run("migrate", "a.example", [], ctx =>
        {
            ctx.Step("Make a folder there", () => { }, On("away", "folder"));
            ctx.Step("Make a database here", () => { }, On("near", "database"));
            ctx.Step("Make a site folder there", () => { }, On("away", "site folder"));
            ctx.Step("Write there", () => throw ErrorCatalog.SshFailed("'@away' (192.0.2.7)", "-i key root@192.0.2.7", "Broken pipe"));
        });
        Assert.Equal(AegirTaskStatus.Failed, task.Status);
        Assert.Equal(["site folder", "database"], executor.Tried);
        Assert.Equal([JournalState.Waiting, JournalState.Undone, JournalState.Waiting], task.Journal.Take(3).Select(e => e.State));
        Assert.Contains("Socket read operation has timed out", task.Journal[0].Problem);
    }

    [Fact]
    public void A_write_a_full_disk_refuses_fails_saying_so_with_the_fix()
    {
        using var home = new TestHome(seed: false);
        var task = new TaskRunner(home.Path, null, new RecordingExecutor()).Run("install", "a.example", [], ctx =>
            ctx.Step("Writing the vhost of a.example", () => throw new IOException("on '@server_web1' (192.0.2.7): cannot write /var/aegir/x.conf: No space left on device")));
        Assert.Equal(("DiskFull", AegirTaskStatus.Failed), (task.ErrorId, task.Status));
        Assert.Contains("'@server_web1'", task.Error);
        Assert.Contains("The disk is full there: free some space (df -h", task.Error);
    }

    [Fact]
    public void A_step_that_fails_half_way_is_undone_too()
    {
        using var home = new TestHome(seed: false);
        var executor = new RecordingExecutor();
        var task = new TaskRunner(home.Path, null, executor).Run("install", "a.example", [], ctx =>
            ctx.Step("Create database and user", () => throw new InvalidOperationException("user failed after the database was made"), Act("database")));
        Assert.Equal(["database"], executor.Done);
        Assert.Equal(AegirTaskStatus.Failed, task.Status);
    }

    [Fact]
    public void The_journal_says_what_a_step_will_undo_before_the_step_acts()
    {
        using var home = new TestHome(seed: false);
        var runner = new TaskRunner(home.Path, null, new RecordingExecutor());
        JournalEntry? seen = null;
        runner.Run("install", "a.example", [], ctx => ctx.Step("Create database", () =>
        {
            seen = runner.Store.Get(ctx.Task.Id)!.Journal.Single();
        }, Act("database")));
        Assert.NotNull(seen);
        Assert.Equal(JournalState.Started, seen.State);
        Assert.Equal("undo database", seen.Undo!.Description);
    }

    [Fact]
    public void A_step_that_changed_nothing_is_not_undone()
    {
        using var home = new TestHome(seed: false);
        var executor = new RecordingExecutor();
        var task = new TaskRunner(home.Path, null, executor).Run("install", "a.example", [], ctx =>
        {
            try { ctx.Step("Create database a", () => throw ErrorCatalog.DbNameTaken("server_master", "a", "database"), Act("a")); }
            catch (AegirException ex) when (ex.NothingChanged) { }
            ctx.Step("Create database a_2", () => { }, Act("a_2"));
            throw new InvalidOperationException("later failure");
        });
        Assert.Equal(["a_2"], executor.Done);
        Assert.Equal(JournalState.Void, task.Journal[0].State);
    }

    [Fact]
    public void A_failing_undo_is_logged_and_the_others_still_run()
    {
        using var home = new TestHome(seed: false);
        var executor = new RecordingExecutor();
        var task = new TaskRunner(home.Path, null, executor).Run("install", "a.example", [], ctx =>
        {
            ctx.Step("One", () => { }, Act("one"));
            ctx.Step("Two", () => { }, Act("fail"));
            throw new InvalidOperationException("boom");
        });
        Assert.Equal(["one"], executor.Done);
        Assert.Contains(task.Log, e => e.Level == TaskLogLevel.Error && e.Message.Contains("Could not undo 'Two'") && e.Message.Contains("disk gone"));
        Assert.Contains(task.Log, e => e.Message.Contains("1 change(s) could not be undone: Two") && e.Message.Contains("not as it was before"));
        Assert.DoesNotContain(task.Log, e => e.Message.Contains("the target is as it was before"));
    }

    [Fact]
    public void Past_the_point_of_no_return_a_failure_finishes_instead_of_undoing()
    {
        using var home = new TestHome(seed: false);
        var executor = new RecordingExecutor();
        var task = new TaskRunner(home.Path, null, executor).Run("delete", "a.example", [], ctx =>
        {
            ctx.Step("Remove vhost", () => { }, Act("vhost back"));
            ctx.Commit([Act("drop database"), Act("fail"), Act("delete folder")]);
        });
        Assert.Equal(AegirTaskStatus.Failed, task.Status);
        Assert.Equal(["drop database", "delete folder"], executor.Done);   // nothing undone, the rest still done
        Assert.Contains("past the point of no return", task.Error);
        Assert.Equal([JournalState.Done, JournalState.Done, JournalState.Failed, JournalState.Done], task.Journal.Select(e => e.State));
    }

    [Fact]
    public void A_cancelled_task_stops_at_the_next_step_and_rolls_back()
    {
        using var home = new TestHome(seed: false);
        var executor = new RecordingExecutor();
        using var cts = new CancellationTokenSource();
        bool ranSecond = false;
        var task = new TaskRunner(home.Path, null, executor).Run(new TaskRequest("install", "a.example", [], []), ctx =>
        {
            ctx.Step("One", () => cts.Cancel(), Act("one"));
            ctx.Step("Two", () => ranSecond = true, Act("two"));
        }, cts.Token);
        Assert.False(ranSecond);
        Assert.Equal(["one"], executor.Done);
        Assert.Equal("TaskStopped", task.ErrorId);
        Assert.Equal(AegirTaskStatus.Failed, task.Status);
    }

    [Fact]
    public void Secrets_never_reach_the_log_or_the_error()
    {
        using var home = new TestHome(seed: false);
        const string password = "s3cret-Passw0rd";
        var recorder = new Recorder();
        var task = new TaskRunner(home.Path, recorder).Run("install", "a.example", [], ctx =>
        {
            ctx.Secret(password);
            ctx.Info($"Connecting with {password}");
            throw new InvalidOperationException($"Access denied using password {password}");
        });
        var stored = File.ReadAllText(Directory.GetFiles(Path.Combine(home.Path, "tasks"), "*.json", SearchOption.AllDirectories).Single());
        Assert.DoesNotContain(password, stored);
        Assert.DoesNotContain(password, task.Error);
        Assert.All(recorder.Entries, e => Assert.DoesNotContain(password, e.Message));
        Assert.Contains(SecretMasker.Mask, task.Error);
    }

    [Fact]
    public void A_warning_makes_the_status_warning()
    {
        using var home = new TestHome(seed: false);
        var task = new TaskRunner(home.Path).Run("verify", "a.example", [], ctx => ctx.Warn("something odd"));
        Assert.Equal(AegirTaskStatus.Warning, task.Status);
    }

    [Fact]
    public async Task A_second_task_on_a_busy_target_fails_clearly()
    {
        using var home = new TestHome(seed: false);
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = Task.Run(() => new TaskRunner(home.Path).Run("install", "a.example", [], _ => { holding.Set(); release.Wait(); }));
        Assert.True(holding.Wait(10_000));

        var second = new TaskRunner(home.Path) { LockWait = TimeSpan.FromMilliseconds(200) }.Run("verify", "a.example", [], _ => { });
        Assert.Equal(AegirTaskStatus.Failed, second.Status);
        Assert.Equal("TargetBusy", second.ErrorId);
        Assert.False(first.IsCompleted);
        Assert.Contains("busy with task", second.Error);

        var other = new TaskRunner(home.Path) { LockWait = TimeSpan.FromMilliseconds(200) }.Run("verify", "b.example", [], _ => { });
        Assert.Equal(AegirTaskStatus.Succeeded, other.Status);   // other targets are not blocked

        release.Set();
        Assert.Equal(AegirTaskStatus.Succeeded, (await first).Status);
        var third = new TaskRunner(home.Path).Run("verify", "a.example", [], _ => { });
        Assert.Equal(AegirTaskStatus.Succeeded, third.Status);
        Assert.DoesNotContain(third.Log, e => e.Level == TaskLogLevel.Warning);
    }

    [Fact]
    public void A_lock_whose_process_died_is_taken_over_and_its_task_marked_failed()
    {
        using var home = new TestHome(seed: false);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var a in new[] { "hang", home.Path, "a.example" }) psi.ArgumentList.Add(a);
        using (var hung = Process.Start(psi)!)
        {
            Assert.Equal("holding", hung.StandardOutput.ReadLine());
            hung.Kill();
            hung.WaitForExit();
        }
        var executor = new RecordingExecutor();
        var runner = new TaskRunner(home.Path, null, executor);
        var dead = Assert.Single(runner.Store.List());
        Assert.Equal(AegirTaskStatus.Running, dead.Status);
        Assert.Equal([JournalState.Done, JournalState.Started], dead.Journal.Select(e => e.State));

        var task = runner.Run("verify", "a.example", [], _ => { });
        Assert.Equal(AegirTaskStatus.Warning, task.Status);
        Assert.Contains(task.Log, e => e.Level == TaskLogLevel.Warning && e.Message.Contains($"from task {dead.Id}"));
        Assert.Equal(["half made", "made"], executor.Done);   // its journal, undone in reverse by the next task
        Assert.Contains(task.Log, e => e.Message.Contains($"Repair of task {dead.Id}: undid 'Made something'"));
        var after = runner.Store.Get(dead.Id)!;
        Assert.Equal(AegirTaskStatus.Failed, after.Status);
        Assert.Equal("TaskProcessGone", after.ErrorId);
        Assert.All(after.Journal, e => Assert.Equal(JournalState.Undone, e.State));

        var again = runner.Run("verify", "a.example", [], _ => { });
        Assert.Equal(AegirTaskStatus.Succeeded, again.Status);   // repaired once only
        Assert.Equal(2, executor.Done.Count);
    }

    [Fact]
    public void Tasks_list_newest_first()
    {
        using var home = new TestHome(seed: false);
        var runner = new TaskRunner(home.Path);
        var ids = Enumerable.Range(0, 3).Select(i => { Thread.Sleep(5); return runner.Run("verify", $"s{i}.example", [], _ => { }).Id; }).ToList();
        Assert.Equal(ids.AsEnumerable().Reverse(), runner.Store.List().Select(t => t.Id));
    }

    [Fact]
    public void Masking_replaces_every_occurrence()
    {
        var masker = new SecretMasker();
        masker.Add("abc");          // too short to mask safely
        masker.Add("hunter22");
        Assert.Equal("abc ******** x ********", masker.Apply("abc hunter22 x hunter22"));
    }

    [Fact]
    public void A_queued_task_is_claimed_and_run_by_one_runner_only()
    {
        using var home = new TestHome(seed: false);
        var runner = new TaskRunner(home.Path);
        var queued = runner.Enqueue(new TaskRequest("verify", "a.example", [], []));
        Assert.Equal(AegirTaskStatus.Queued, runner.Store.Get(queued.Id)!.Status);
        Assert.Equal([queued.Id], runner.Store.Queued());

        int runs = 0;
        Parallel.For(0, 8, _ => new TaskRunner(home.Path).RunQueued(queued.Id, [], _ => { Interlocked.Increment(ref runs); Thread.Sleep(50); }));
        Assert.Equal(1, runs);
        Assert.Empty(runner.Store.Queued());
        Assert.Equal(AegirTaskStatus.Succeeded, runner.Store.Get(queued.Id)!.Status);
        Assert.Null(runner.RunQueued(queued.Id, [], _ => Interlocked.Increment(ref runs)));
    }

    [Fact]
    public void A_record_is_found_by_type_and_target_from_its_file_name()
    {
        using var home = new TestHome(seed: false);
        var runner = new TaskRunner(home.Path);
        var a = runner.Run("verify", "a.example", [], _ => { });
        runner.Run("install", "b.example", [], _ => { });
        var file = Directory.GetFiles(((TaskStore)runner.Store).TasksPath, a.Id + "*", SearchOption.AllDirectories).Single();
        Assert.EndsWith($"{a.Id}.verify.a.example.json", file);
        Assert.Equal([a.Id], runner.Store.List((type, target) => target == "a.example").Select(t => t.Id));
        Assert.Equal(a.Id, runner.Store.Get(a.Id)!.Id);
    }
}
