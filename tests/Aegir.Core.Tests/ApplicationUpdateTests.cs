using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Site;
using Aegir.Core.Platforms;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

/// <summary>
/// The application's updates after a move onto other code: a manifest's update command, Drupal's drush updatedb; run
/// as the site's account on the new database before the old copy goes, a failure rolling the move back.
/// </summary>
public class ApplicationUpdateTests
{
    const string Manifest = "name: Ledger\ninstall: [php, bin/install.php]\n";
    const string WithUpdate = Manifest + "update: [php, bin/update.php, '{uri}', '--password-file={db_passwd_file}']\n";

    [Fact]
    public void A_manifest_s_update_is_a_command_with_the_site_s_placeholders_and_its_script_a_file_of_the_codebase()
    {
        var m = AppManifest.Parse(WithUpdate, "/srv/app/.aegir.yml");
        Assert.Equal(["php", "bin/update.php", "{uri}", "--password-file={db_passwd_file}"], m.Update);
        Assert.Contains(("update", "bin/update.php"), m.NamedFiles());
        Assert.Null(AppManifest.Parse(Manifest, "/srv/app/.aegir.yml").Update);
        var refused = Assert.Throws<AegirException>(() => AppManifest.Parse("update: [php, u.php, '{admin_password_file}']", "/srv/app/.aegir.yml"));
        Assert.Contains("'update' uses {admin_password_file}, which is not one of", refused.Message);
        Assert.Contains("line 1", Assert.Throws<AegirException>(() => AppManifest.Parse("update: php u.php", "/srv/app/.aegir.yml")).Message);
    }

    static FakeHosting Ledger(out string site)
    {
        var h = new FakeHosting();
        h.Platform("v1", "php");
        h.Server.Put("/srv/v1/.aegir.yml", Manifest);
        h.Platform("v2", "php");
        h.Server.Put("/srv/v2/.aegir.yml", WithUpdate);
        site = "a.test";
        Assert.True(h.Run(new InstallSite.Parameters(site, null, null, new SiteDefinition(site, "v1"))).Succeeded);
        return h;
    }

    /// <summary>The update script answers so; every other command as usual.</summary>
    static void Updates(FakeHosting h, CommandResult result)
        => h.Server.Handler = spec => FakeTransport.Unwrapped(spec) is { Program: "php", Arguments: ["bin/update.php", ..] } ? result : h.Usual(spec);

    static CommandSpec? UpdateRun(FakeHosting h) => h.Server.Runs.LastOrDefault(r => FakeTransport.Unwrapped(r) is { Program: "php", Arguments: ["bin/update.php", ..] });

    [Fact]
    public void A_move_onto_a_release_with_an_update_command_runs_it_on_the_new_database_as_the_site_s_account_before_the_old_copy_goes()
    {
        using var h = Ledger(out var site);
        var oldDb = h.Store.GetFresh<AegirSite>(site, "Uri").DbName!;
        var plan = h.Engine.Plan(new MoveSite.Parameters(site, "platform_v2")).Select(s => s.Description).ToList();
        var update = plan.FindIndex(d => d.StartsWith("run the update command of Ledger on the new database", StringComparison.Ordinal));
        Assert.True(update > plan.FindIndex(d => d.StartsWith("record the new database", StringComparison.Ordinal)), string.Join("\n", plan));
        Assert.True(update < plan.FindIndex(d => d.Contains("answers as the site", StringComparison.Ordinal)));
        Assert.True(update < plan.FindIndex(d => d.StartsWith("drop the old database", StringComparison.Ordinal)));

        Updates(h, new CommandResult(0, "schema at 2\n", "", TimeSpan.Zero));
        var outcome = h.Run(new MoveSite.Parameters(site, "platform_v2"));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        var run = UpdateRun(h);
        Assert.NotNull(run);
        Assert.Equal(ScriptUser.Unshare, run.Program);   // dropped to the site's account, never root
        Assert.Equal("/srv/v2", run.WorkingDirectory);
        var moved = h.Store.GetFresh<AegirSite>(site, "Uri");
        var args = FakeTransport.Unwrapped(run).Arguments;
        Assert.Equal(site, args[1]);
        Assert.StartsWith("--password-file=/tmp/aegir-run-", args[2]);   // the password only as a file
        Assert.Equal(moved.DbName, run.Environment!["db_name"]);
        Assert.NotEqual(oldDb, moved.DbName);
        Assert.DoesNotContain(oldDb, h.Databases.Databases);
        Assert.Contains(outcome.Task.Log, e => e.Message.StartsWith("Running the update command of Ledger for a.test as ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failed_update_rolls_the_move_back_to_the_old_platform_and_database_with_its_output_in_the_log()
    {
        using var h = Ledger(out var site);
        var before = h.Store.GetFresh<AegirSite>(site, "Uri");
        var databases = h.Databases.Databases.ToList();
        Updates(h, new CommandResult(3, "converting entries\n", "an entry cannot be converted\n", TimeSpan.Zero));
        var outcome = h.Run(new MoveSite.Parameters(site, "platform_v2"));
        Assert.Equal(AegirTaskStatus.Failed, outcome.Task.Status);
        Assert.Equal("UpdateFailed", outcome.Task.ErrorId);
        Assert.True(MoveSummary.RolledBackWhole(outcome.Task));
        Assert.Contains(outcome.Task.Log, e => e.Message.Contains("an entry cannot be converted", StringComparison.Ordinal));
        var after = h.Store.GetFresh<AegirSite>(site, "Uri");
        Assert.Equal((before.PlatformName, before.DbName), (after.PlatformName, after.DbName));
        Assert.Equal(databases, h.Databases.Databases.ToList());   // the new database dropped, the old one there
        Assert.Equal(PathKind.None, h.Server.Kind("/srv/v2/files/a.test"));
        Assert.NotEqual(PathKind.None, h.Server.Kind("/srv/v1/files/a.test"));
    }

    [Fact]
    public void A_move_of_the_database_alone_or_onto_an_application_without_updates_runs_none()
    {
        using var h = Ledger(out var site);
        h.Platform("v1b", "php");
        h.Server.Put("/srv/v1b/.aegir.yml", Manifest);
        Assert.DoesNotContain(h.Engine.Plan(new MoveSite.Parameters(site, "platform_v1b")), s => s.Description.Contains("update", StringComparison.Ordinal));
        Assert.True(h.Run(new MoveSite.Parameters(site, "platform_v1b")).Succeeded);
        Assert.Null(UpdateRun(h));
    }

    [Fact]
    public void A_drupal_site_is_updated_by_its_platform_s_own_drush_and_one_without_drush_is_warned_about()
    {
        using var h = new FakeHosting();
        h.Platform("d10", "drupal");
        h.Platform("d11", "drupal");
        Assert.True(h.Run(new InstallSite.Parameters("shop.test", null, null, new SiteDefinition("shop.test", "d10"))).Succeeded);
        h.Databases.Answers["system.schema"] = [["system", "i:8000;"]];   // what the move reads before it starts
        var outcome = h.Run(new MoveSite.Parameters("shop.test", "platform_d11"));
        Assert.True(outcome.Succeeded, string.Join("\n", outcome.Task.Log.Select(l => l.Message)));
        Assert.Contains(h.Server.Runs, r => FakeTransport.Unwrapped(r) is { Program: "/srv/d11/vendor/bin/drush", Arguments: ["--uri=shop.test", "updatedb", "-y"] });

        h.Platform("d12", "drupal");
        h.Server.Delete("/srv/d12/vendor/bin/drush");
        var bare = h.Run(new MoveSite.Parameters("shop.test", "platform_d12"));
        Assert.Equal(AegirTaskStatus.Warning, bare.Task.Status);
        Assert.Contains(bare.Task.Log, e => e.Level == TaskLogLevel.Warning && e.Message.Contains("were not run: @platform_d12 has no drush of its own", StringComparison.Ordinal)
                                                                      && e.Message.Contains("drush updatedb -y", StringComparison.Ordinal));
    }

    [Fact]
    public void A_wordpress_site_is_updated_by_its_platform_s_wp_cli_or_else_at_its_upgrade_page_once_served()
    {
        using var h = new FakeHosting();
        OperationScenario.Installed(h);
        h.Platform("wp2", "wordpress");
        var plan = h.Engine.Plan(new MoveSite.Parameters("blog.test", "platform_wp2")).Select(s => s.Description).ToList();
        var page = plan.FindIndex(d => d.StartsWith("run the database update of blog.test at its upgrade page", StringComparison.Ordinal));
        Assert.True(page > plan.FindIndex(d => d.StartsWith("reload nginx", StringComparison.Ordinal)), string.Join("\n", plan));   // it needs the site served from there
        Assert.True(page < plan.FindIndex(d => d.Contains("answers as the site", StringComparison.Ordinal)));

        h.Platform("wp3", "wordpress");
        h.Server.Put("/srv/wp3/vendor/bin/wp", "#!/bin/sh");
        var outcome = h.Run(new MoveSite.Parameters("blog.test", "platform_wp3"));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        var run = Assert.Single(h.Server.Runs, r => FakeTransport.Unwrapped(r).Program == "/srv/wp3/vendor/bin/wp");
        Assert.Equal(ScriptUser.Unshare, run.Program);
        Assert.Equal(["--path=/srv/wp3", "core", "update-db"], FakeTransport.Unwrapped(run).Arguments.Where(a => !a.StartsWith("--url=", StringComparison.Ordinal)));
        Assert.DoesNotContain(outcome.Task.Log, e => e.Message.Contains("upgrade.php", StringComparison.Ordinal));
    }

    [Fact]
    public void A_hung_update_ends_when_the_task_is_asked_to_stop_and_the_move_rolls_back()
    {
        using var h = Ledger(out var site);
        var before = h.Store.GetFresh<AegirSite>(site, "Uri");
        var databases = h.Databases.Databases.ToList();
        var ended = false;
        h.Server.Handler = spec =>
        {
            if (FakeTransport.Unwrapped(spec) is not { Program: "php", Arguments: ["bin/update.php", ..] }) return h.Usual(spec);
            // A hung update: Stop-AegirTask is asked, and the command hears it well before its timeout.
            h.Runner.Store.RequestStop(h.Runner.Store.List().Single(t => t.Status == AegirTaskStatus.Running).Id);
            ended = spec.Cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(20));
            return new CommandResult(-1, "", "", TimeSpan.Zero, TimedOut: true);
        };
        var outcome = h.Run(new MoveSite.Parameters(site, "platform_v2"));
        Assert.True(ended, "the update never heard the stop");
        Assert.Equal(("TaskStopped", AegirTaskStatus.Failed), (outcome.Task.ErrorId, outcome.Task.Status));
        var after = h.Store.GetFresh<AegirSite>(site, "Uri");
        Assert.Equal((before.PlatformName, before.DbName), (after.PlatformName, after.DbName));
        Assert.Equal(databases, h.Databases.Databases.ToList());
        Assert.Equal(PathKind.None, h.Server.Kind("/srv/v2/files/a.test"));
    }

    [Fact]
    public void A_pipeline_s_summary_tells_moved_rolled_back_and_failed_apart()
    {
        var summary = new MoveSummary();
        AegirTask Task(AegirTaskStatus status, params JournalState[] states)
        {
            var task = new AegirTask { Id = Guid.NewGuid().ToString("N"), Type = "migrate", Target = "x", Status = status };
            int i = 0;
            foreach (var state in states) task.Journal.Add(new JournalEntry { Step = ++i, Description = "step", State = state });
            return task;
        }
        summary.Add("a.test", Task(AegirTaskStatus.Succeeded, JournalState.Done));
        summary.Add("b.test", Task(AegirTaskStatus.Warning));
        summary.Add("c.test", Task(AegirTaskStatus.Failed, JournalState.Undone, JournalState.Undone, JournalState.Void));
        summary.Add("d.test", Task(AegirTaskStatus.Failed));   // failed before it changed anything
        summary.Add("e.test", Task(AegirTaskStatus.Failed, JournalState.Undone, JournalState.Waiting));   // an undo still waits
        summary.AddRefused("f.test");
        Assert.Equal(["a.test", "b.test"], summary.Moved);
        Assert.Equal(["c.test"], summary.RolledBack);
        Assert.Equal(["d.test", "e.test", "f.test"], summary.Failed);
        Assert.Equal("2 moved, 3 failed, 1 rolled back; rolled back: c.test; failed: d.test, e.test, f.test", summary.ToString());
    }
}
