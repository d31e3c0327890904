using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations.Server;
using Aegir.Core.Operations.Site;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

/// <summary>
/// What a failure or a kill leaves behind on the fake server: temporary files, and undos a server that is down
/// does not let finish (kept, the record with them, and tried again by the next task on the site or the server).
/// </summary>
public class RecoveryTests
{
    static InstallSite.Parameters NewSite(string uri, string platform) => new(uri, null, null, new SiteDefinition(uri, platform));

    /// <summary>WordPress's installer: php running its script from the script user's private folder.</summary>
    static bool Installer(CommandSpec run) => FakeTransport.Unwrapped(run) is { Program: "php", Arguments: [var script, ..] } && script.StartsWith("/tmp/aegir-run-", StringComparison.Ordinal) && script.EndsWith("/wordpress-install.php", StringComparison.Ordinal);

    /// <summary>The private folders commands for sites had, with what they held (the installer's script).</summary>
    static IEnumerable<string> InstallerScripts(FakeHosting hosting) => hosting.Server.Nodes.Keys.Where(k => k.StartsWith("/tmp/aegir-run-", StringComparison.Ordinal));

    [Fact]
    public void A_kill_while_the_wordpress_installer_runs_leaves_no_script_after_the_repair()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("wp", "wordpress");
        var before = hosting.Snapshot();
        hosting.Server.Handler = spec => Installer(spec) ? throw hosting.Kill() : FakeTransport.Ok;
        Assert.Throws<SimulatedCrash>(() => hosting.Run(NewSite("blog.test", "wp")));
        hosting.Revive();
        Assert.NotEmpty(InstallerScripts(hosting));   // the kill left it

        hosting.Engine.Settle(["blog.test"]);
        Assert.Empty(InstallerScripts(hosting));
        Assert.Equal(before, hosting.Snapshot());
    }

    [Fact]
    public void A_kill_mid_install_is_repaired_by_the_next_verify_of_its_web_server_not_only_of_the_site()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("wp", "wordpress");
        hosting.Server.Handler = spec => Installer(spec) ? throw hosting.Kill() : FakeTransport.Ok;
        Assert.Throws<SimulatedCrash>(() => hosting.Run(NewSite("blog.test", "wp")));
        hosting.Revive();
        hosting.AnswerAsUsual();
        Assert.NotEmpty(hosting.Databases.Databases);   // the kill left it
        Assert.NotEmpty(InstallerScripts(hosting));

        var verify = hosting.Run(new VerifyServer.Parameters("server_master"));
        Assert.True(verify.Succeeded, verify.Task.Error);
        var dead = hosting.Runner.Store.List((type, _) => type == "install").Single();
        Assert.Equal("TaskProcessGone", dead.ErrorId);
        Assert.Contains("repaired it", dead.Error);
        Assert.False(hosting.Store.Exists("blog.test"));
        Assert.False(hosting.Server.FileExists(hosting.VhostPath("blog.test")));
        Assert.Empty(InstallerScripts(hosting));
        Assert.Empty(hosting.Databases.Databases);
    }

    [Fact]
    public void A_failed_wordpress_installer_leaves_no_script_and_its_journal_says_it_is_gone()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("wp", "wordpress");
        hosting.Server.Handler = spec => Installer(spec) ? FakeTransport.Fail("PHP Fatal error") : FakeTransport.Ok;
        var outcome = hosting.Run(NewSite("blog.test", "wp"));
        Assert.Equal(AegirTaskStatus.Failed, outcome.Task.Status);
        Assert.Empty(InstallerScripts(hosting));
        var folder = Assert.Single(outcome.Task.Journal, e => e.Temporary);
        Assert.StartsWith("Making the private folder /tmp/aegir-run-", folder.Description, StringComparison.Ordinal);
        Assert.Equal(JournalState.Undone, folder.State);
    }

    /// <summary>The case: the database server dies just before the WordPress installer, which then fails.</summary>
    static FakeHosting DatabaseDiesBeforeTheInstaller(out AegirTask failed)
    {
        var hosting = new FakeHosting();
        hosting.Platform("wp", "wordpress");
        hosting.Server.Handler = spec =>
        {
            if (!Installer(spec)) return FakeTransport.Ok;
            hosting.Databases.Down = true;
            return FakeTransport.Fail("Error establishing a database connection");
        };
        failed = hosting.Run(NewSite("f2.test", "wp")).Task;
        hosting.AnswerAsUsual();
        return hosting;
    }

    [Fact]
    public void An_undo_its_database_server_does_not_let_finish_is_kept_with_the_site_record_and_says_so()
    {
        using var hosting = DatabaseDiesBeforeTheInstaller(out var task);
        Assert.Equal(AegirTaskStatus.Failed, task.Status);
        Assert.Contains("f2test", hosting.Databases.Databases);
        // The record stays, naming its database, so nothing is left that no record owns.
        var site = hosting.Store.GetFresh<AegirSite>("f2.test", "Uri");
        Assert.Equal(("f2test", SiteStatus.NotInstalled), (site.DbName, site.Status));
        Assert.Contains(task.Journal, e => e.State == JournalState.Waiting && e.Undo!.Kind == JournalActions.DropDatabaseKind);
        Assert.Contains(task.Journal, e => e.State == JournalState.Waiting && e.Undo!.Kind == JournalActions.RemoveContextKind);
        // Its error and its log say what waits, and who tries again.
        Assert.Contains("could not be undone yet, because their server did not answer: drop database f2test and user f2test on '@server_master'", task.Error);
        Assert.Contains("the record of '@f2.test' stay(s) until then", task.Error);
        Assert.Contains("tried again by the next task on '@f2.test' or '@server_master', and by Invoke-AegirVerify f2.test", task.Error);
        Assert.Contains(task.Log, e => e.Level == TaskLogLevel.Error && e.Message.StartsWith("Could not undo 'Creating database f2test") && e.Message.Contains("It waits, and is tried again later."));
        Assert.Equal([task.Id, task.Id], hosting.Runner.Store.Waiting().Where(w => w.Target is "f2.test" or "server_master").Select(w => w.Id));
        // The folders went, as their undo needs no database.
        Assert.DoesNotContain(hosting.Server.Nodes.Keys, k => k.Contains("sites/f2.test"));
    }

    [Fact]
    public void While_the_undo_waits_its_site_refuses_changes_and_a_check_says_why()
    {
        using var hosting = DatabaseDiesBeforeTheInstaller(out var failed);
        var before = hosting.Snapshot();
        var outcome = hosting.Run(new DisableSite.Parameters("f2.test"));
        Assert.Equal(("UndoPending", AegirTaskStatus.Failed), (outcome.Task.ErrorId, outcome.Task.Status));
        Assert.Contains($"'@f2.test' waits for the undo of task {failed.Id} (install on '@f2.test')", outcome.Task.Error);
        Assert.Contains("Invoke-AegirVerify f2.test", outcome.Task.Error);
        Assert.Equal(before, hosting.Snapshot());
        var ex = Assert.Throws<AegirException>(() => hosting.Engine.Settle(["f2.test"]));
        Assert.Equal("UndoPending", ex.ErrorId);
        Assert.Throws<AegirException>(() => hosting.Engine.Edit<AegirSite>("f2.test", "Uri", s => s.Language = "de"));
        Assert.Equal(before, hosting.Snapshot());
        // Tried again and again while the server stays down, it writes nothing more into the failed task.
        var logged = hosting.Runner.Store.Get(failed.Id)!.Log.Count;
        hosting.Engine.Settle([ContextNames.Master]);
        hosting.Engine.Settle([ContextNames.Master]);
        Assert.Equal(logged, hosting.Runner.Store.Get(failed.Id)!.Log.Count);
    }

    [Fact]
    public void The_next_task_on_its_server_finishes_the_undo_once_the_server_answers()
    {
        using var hosting = DatabaseDiesBeforeTheInstaller(out var failed);
        var dbOnly = hosting.Snapshot();
        var verify = hosting.Run(new VerifyServer.Parameters(ContextNames.Master));   // still down: the undo waits on
        Assert.Equal(AegirTaskStatus.Failed, verify.Task.Status);
        Assert.Contains(verify.Task.Log, e => e.Level == TaskLogLevel.Warning && e.Message.Contains($"The undo of task {failed.Id} (install on '@f2.test') still waits"));
        Assert.True(hosting.Store.Exists("f2.test"));

        hosting.Databases.Down = false;
        verify = hosting.Run(new VerifyServer.Parameters(ContextNames.Master));
        Assert.True(verify.Succeeded, verify.Task.Error);
        Assert.DoesNotContain("f2test", hosting.Databases.Databases);
        Assert.False(hosting.Store.Exists("f2.test"));
        Assert.Empty(hosting.Runner.Store.Waiting());
        var done = hosting.Runner.Store.Get(failed.Id)!;
        Assert.DoesNotContain(done.Journal, e => e.State == JournalState.Waiting);
        // Before the verify changes the server's config, a check of the server tries again what waits on it.
        Assert.Contains("A check of '@server_master' finished its undo", done.Error);
        Assert.Contains(done.Log, e => e.Message == "A check of '@server_master' tried again the undo this task left waiting: it is done.");
        Assert.NotEqual(dbOnly, hosting.Snapshot());
    }

    [Fact]
    public void A_check_of_the_site_finishes_the_undo_once_the_server_answers_and_finds_no_site()
    {
        using var hosting = DatabaseDiesBeforeTheInstaller(out _);
        hosting.Databases.Down = false;
        hosting.Engine.Settle(["f2.test"]);
        Assert.False(hosting.Store.Exists("f2.test"));
        Assert.Empty(hosting.Databases.Databases);
        // So the site can simply be made again.
        Assert.True(hosting.Run(NewSite("f2.test", "wp")).Succeeded);
    }

    [Fact]
    public void A_queue_worker_finishes_an_undo_left_waiting_once_the_server_answers()
    {
        using var hosting = DatabaseDiesBeforeTheInstaller(out _);
        hosting.Databases.Down = false;
        new Queues.QueueWorker(hosting.Engine, 1).Run(continuous: false, _ => { }, CancellationToken.None);
        Assert.False(hosting.Store.Exists("f2.test"));
        Assert.Empty(hosting.Databases.Databases);
        Assert.Empty(hosting.Runner.Store.Waiting());
    }

    [Fact]
    public void A_task_killed_while_its_database_server_is_down_is_repaired_the_same_way()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("d11", "drupal");
        hosting.Server.Handler = spec => FakeTransport.Unwrapped(spec) is { } run && run.Program.EndsWith("drush") && run.Arguments[0] == "site:install" ? throw hosting.Kill() : FakeTransport.Ok;
        Assert.Throws<SimulatedCrash>(() => hosting.Run(NewSite("d.test", "d11")));
        hosting.Revive();
        hosting.AnswerAsUsual();
        hosting.Databases.Down = true;

        var refused = hosting.Run(new DisableSite.Parameters("d.test"));   // repairs the dead install first, which waits
        Assert.Equal("UndoPending", refused.Task.ErrorId);
        var dead = hosting.Runner.Store.List((type, _) => type == "install").Single();
        Assert.Equal("TaskProcessGone", dead.ErrorId);
        Assert.Contains("could not be undone yet, because their server did not answer: drop database dtest and user dtest on '@server_master'", dead.Error);
        Assert.True(hosting.Store.Exists("d.test"));

        hosting.Databases.Down = false;
        hosting.Engine.Settle(["d.test"]);
        Assert.False(hosting.Store.Exists("d.test"));
        Assert.Empty(hosting.Databases.Databases);
        Assert.Empty(hosting.Runner.Store.Waiting());
    }

    [Fact]
    public void A_web_server_that_is_down_during_an_undo_gets_its_config_back_and_nothing_waits()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("wp", "wordpress");
        var before = hosting.Snapshot();
        // The web server dies as the new site's vhost is reloaded: the reload fails, and so would the undo's.
        hosting.Server.Handler = spec =>
        {
            if (FakeTransport.Unwrapped(spec).Program == "php") return new CommandResult(0, "{\"installed\":true}", "", TimeSpan.Zero);
            if (!spec.ToString().Contains("reload")) return FakeTransport.Ok;
            hosting.Server.Delete("/proc/4242");
            return FakeTransport.Fail("nginx: [error] kill(4242, 1) failed (3: No such process)");
        };
        var outcome = hosting.Run(NewSite("blog.test", "wp"));
        Assert.Equal(AegirTaskStatus.Failed, outcome.Task.Status);
        Assert.Contains(outcome.Task.Log, e => e.Message.Contains("the target is as it was before the task"));
        Assert.Contains(outcome.Task.Log, e => e.Message.Contains("is not running: it reads the config put back when it starts"));
        Assert.Empty(hosting.Runner.Store.Waiting());
        hosting.Server.CreateDirectory("/proc/4242", (UnixFileMode)Convert.ToInt32("555", 8));
        Assert.Equal(before, hosting.Snapshot());
    }
}
