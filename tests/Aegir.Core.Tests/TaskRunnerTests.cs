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
    public void A_task_that_succeeds_is_recorded_with_its_log()
    {
        using var home = new TestHome(seed: false);
        var recorder = new Recorder();
        var runner = new TaskRunner(home.Path, recorder);
        var task = runner.Run("verify", "a.example", [], new Dictionary<string, string> { ["force"] = "no" }, ctx =>
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
        Assert.Equal("no", stored.Options["force"]);
        Assert.Equal(task.Log.Select(e => e.Message), stored.Log.Select(e => e.Message));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Directory.GetFiles(runner.Store.TasksPath, "*.json", SearchOption.AllDirectories).Single()));
    }

    [Fact]
    public void A_failing_task_undoes_its_steps_in_reverse_and_says_so()
    {
        using var home = new TestHome(seed: false);
        var undone = new List<string>();
        var task = new TaskRunner(home.Path).Run("install", "a.example", [], null, ctx =>
        {
            ctx.Step("Create database", () => { }, () => undone.Add("database"));
            ctx.Step("Write vhost", () => { }, () => undone.Add("vhost"));
            ctx.Step("Step without undo", () => { });
            ctx.Step("Reload web server", () => throw ErrorCatalog.StepFailed("Reload", "config test failed", "Fix the template."));
        });
        Assert.Equal(AegirTaskStatus.Failed, task.Status);
        Assert.Equal(["vhost", "database"], undone);
        Assert.Contains("config test failed", task.Error);
        Assert.Equal("StepFailed", task.ErrorId);
        Assert.Contains(task.Log, e => e.Message == "Undid: Write vhost");
        Assert.Contains(task.Log, e => e.Message == "Undid: Create database");
        Assert.Contains(task.Log, e => e.Level == TaskLogLevel.Error);
    }

    [Fact]
    public void A_failing_undo_is_logged_and_the_others_still_run()
    {
        using var home = new TestHome(seed: false);
        var undone = new List<string>();
        var task = new TaskRunner(home.Path).Run("install", "a.example", [], null, ctx =>
        {
            ctx.Step("One", () => { }, () => undone.Add("one"));
            ctx.Step("Two", () => { }, () => throw new IOException("disk gone"));
            throw new InvalidOperationException("boom");
        });
        Assert.Equal(["one"], undone);
        Assert.Contains(task.Log, e => e.Level == TaskLogLevel.Error && e.Message.Contains("Could not undo 'Two': disk gone"));
    }

    [Fact]
    public void Secrets_never_reach_the_log_or_the_error()
    {
        using var home = new TestHome(seed: false);
        const string password = "s3cret-Passw0rd";
        var recorder = new Recorder();
        var task = new TaskRunner(home.Path, recorder).Run("install", "a.example", [], null, ctx =>
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
        var task = new TaskRunner(home.Path).Run("verify", "a.example", [], null, ctx => ctx.Warn("something odd"));
        Assert.Equal(AegirTaskStatus.Warning, task.Status);
    }

    [Fact]
    public async Task A_second_task_on_a_busy_target_fails_clearly()
    {
        using var home = new TestHome(seed: false);
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = Task.Run(() => new TaskRunner(home.Path).Run("install", "a.example", [], null, _ => { holding.Set(); release.Wait(); }));
        Assert.True(holding.Wait(10_000));

        var second = new TaskRunner(home.Path) { LockWait = TimeSpan.FromMilliseconds(200) }.Run("verify", "a.example", [], null, _ => { });
        Assert.Equal(AegirTaskStatus.Failed, second.Status);
        Assert.Equal("TargetBusy", second.ErrorId);
        Assert.False(first.IsCompleted);
        Assert.Contains("busy with task", second.Error);

        var other = new TaskRunner(home.Path) { LockWait = TimeSpan.FromMilliseconds(200) }.Run("verify", "b.example", [], null, _ => { });
        Assert.Equal(AegirTaskStatus.Succeeded, other.Status);   // other targets are not blocked

        release.Set();
        Assert.Equal(AegirTaskStatus.Succeeded, (await first).Status);
        var third = new TaskRunner(home.Path).Run("verify", "a.example", [], null, _ => { });
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
        var runner = new TaskRunner(home.Path);
        var dead = Assert.Single(runner.Store.List());
        Assert.Equal(AegirTaskStatus.Running, dead.Status);

        var task = runner.Run("verify", "a.example", [], null, _ => { });
        Assert.Equal(AegirTaskStatus.Warning, task.Status);
        Assert.Contains(task.Log, e => e.Level == TaskLogLevel.Warning && e.Message.Contains($"from task {dead.Id}"));
        var after = runner.Store.Get(dead.Id)!;
        Assert.Equal(AegirTaskStatus.Failed, after.Status);
        Assert.Equal("TaskProcessGone", after.ErrorId);
    }

    [Fact]
    public void Tasks_list_newest_first()
    {
        using var home = new TestHome(seed: false);
        var runner = new TaskRunner(home.Path);
        var ids = Enumerable.Range(0, 3).Select(i => { Thread.Sleep(5); return runner.Run("verify", $"s{i}.example", [], null, _ => { }).Id; }).ToList();
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
}
