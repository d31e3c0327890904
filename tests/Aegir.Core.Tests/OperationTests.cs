using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Site;
using Aegir.Core.Platforms;
using Aegir.Core.Services.Files;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

public class OperationTests
{
    static FakeHosting Prepared(OperationScenario scenario)
    {
        var hosting = new FakeHosting();
        scenario.Setup(hosting);
        return hosting;
    }

    /// <summary>The scenario run once as it should go: its journal and the state it leaves.</summary>
    static (AegirTask Task, string Done) Clean(OperationScenario scenario)
    {
        using var hosting = Prepared(scenario);
        var outcome = hosting.Run(scenario.Parameters(hosting));
        Assert.True(outcome.Succeeded, $"{scenario}: {outcome.Task.Error}");
        return (outcome.Task, hosting.Snapshot());
    }

    [Theory]
    [MemberData(nameof(OperationScenario.Cases), MemberType = typeof(OperationScenario))]
    public void Its_plan_changes_nothing_and_names_each_change(OperationScenario scenario)
    {
        using var hosting = Prepared(scenario);
        var before = hosting.Snapshot();
        var plan = hosting.Engine.Plan(scenario.Parameters(hosting));
        Assert.Equal(before, hosting.Snapshot());
        Assert.NotEmpty(plan);
        Assert.Equal(Enumerable.Range(1, plan.Count), plan.Select(s => s.Order));
        Assert.All(plan, s => Assert.False(string.IsNullOrWhiteSpace(s.Description)));
    }

    [Theory]
    [MemberData(nameof(OperationScenario.Cases), MemberType = typeof(OperationScenario))]
    public void A_failure_before_or_after_any_change_puts_everything_back(OperationScenario scenario)
    {
        var (clean, done) = Clean(scenario);
        Assert.NotEqual(done, Snapshot(scenario));
        foreach (var entry in clean.Journal)
            foreach (var after in new[] { false, true })
            {
                if (after && entry.Forward is not null) continue;
                using var hosting = Prepared(scenario);
                var before = hosting.Snapshot();
                hosting.Runner.Faults = (step, _, a) => step == entry.Step && a == after ? new InvalidOperationException("injected fault") : null;
                var outcome = hosting.Run(scenario.Parameters(hosting));
                var where = $"{scenario}, fault {(after ? "after" : "before")} step {entry.Step} ({entry.Description})";
                Assert.True(outcome.Task.Status == AegirTaskStatus.Failed, where);
                if (entry.Forward is null)
                {
                    Assert.True(before == hosting.Snapshot(), $"{where}: not put back.\n{Diff(before, hosting.Snapshot())}");
                    Assert.Contains(outcome.Task.Log, e => e.Message.Contains("the target is as it was before the task"));
                }
                else Assert.Contains("past the point of no return", outcome.Task.Error);
            }
    }

    [Theory]
    [MemberData(nameof(OperationScenario.Cases), MemberType = typeof(OperationScenario))]
    public void A_kill_at_any_change_is_repaired_by_the_next_task_on_its_target(OperationScenario scenario)
    {
        var (clean, _) = Clean(scenario);
        string cleanShape;
        using (var direct = Prepared(scenario))
        {
            Assert.True(direct.Run(scenario.Parameters(direct)).Succeeded);
            cleanShape = direct.Shape();
        }
        foreach (var entry in clean.Journal)
            foreach (var after in new[] { false, true })
            {
                if (after && entry.Forward is not null) continue;
                using var hosting = Prepared(scenario);
                var before = hosting.Snapshot();
                hosting.Runner.Faults = (step, _, a) => step == entry.Step && a == after ? hosting.Kill() : null;
                Assert.Throws<SimulatedCrash>(() => hosting.Run(scenario.Parameters(hosting)));
                var killedAt = DateTimeOffset.Now;
                hosting.Runner.Faults = null;
                hosting.Revive();
                var dead = hosting.Runner.Store.List().Single(t => t.Status == AegirTaskStatus.Running);

                using (hosting.Runner.Hold([dead.Target], "the test's repair", (_, _) => { })) { }

                var where = $"{scenario}, killed {(after ? "after" : "before")} step {entry.Step} ({entry.Description})";
                bool finished = scenario.Finishes && clean.Journal.Where(e => e.Forward is not null).Min(e => e.Step) <= entry.Step;
                if (finished)   // done as the clean run was, but with passwords of its own
                    Assert.True(cleanShape == hosting.Shape(), $"{where}: not finished.\n{Diff(cleanShape, hosting.Shape())}");
                else
                    Assert.True(before == hosting.Snapshot(), $"{where}: not repaired.\n{Diff(before, hosting.Snapshot())}");
                var repaired = hosting.Runner.Store.Get(dead.Id)!;
                Assert.Equal(AegirTaskStatus.Failed, repaired.Status);
                Assert.Equal("TaskProcessGone", repaired.ErrorId);
                // It ended when it was last heard of; the repair is a time of its own, after that.
                Assert.True(repaired.Finished <= killedAt && killedAt <= repaired.Repaired, $"{where}: finished {repaired.Finished:O}, killed {killedAt:O}, repaired {repaired.Repaired:O}");
            }
    }

    static string Snapshot(OperationScenario scenario)
    {
        using var hosting = Prepared(scenario);
        return hosting.Snapshot();
    }

    static string Diff(string expected, string actual)
    {
        var e = expected.Split('\n').ToHashSet();
        var a = actual.Split('\n').ToHashSet();
        return "missing:\n  " + string.Join("\n  ", e.Except(a)) + "\nextra:\n  " + string.Join("\n  ", a.Except(e));
    }

    // --- what each operation plans and does ---

    [Fact]
    public void Install_plans_the_database_folders_vhost_and_reload_by_name()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("wp", "wordpress");
        var plan = hosting.Engine.Plan(new InstallSite.Parameters("blog.test", null, null, new SiteDefinition("blog.test", "wp"))).Select(s => s.Description).ToList();
        Assert.Equal("record the site blog.test on @platform_wp, database on @server_master", plan[0]);
        Assert.Contains("create database `blogtest` and user `blogtest` on @server_master, granted to 127.0.0.1, localhost", plan);
        Assert.Contains("set wp-content/uploads/sites/blog.test to 2770 aegir:www-data in /srv/wp", plan);
        Assert.Contains($"write {hosting.VhostPath("blog.test")} and test the nginx config of @server_master", plan);
        Assert.Contains("run the wordpress installer (profile standard, language en)", plan);
        Assert.Contains("reload nginx on @server_master", plan);
        Assert.Equal("record blog.test as Installed", plan[^2]);
        Assert.Equal("check that http://blog.test/ answers as the site", plan[^1]);
    }

    [Fact]
    public void Install_creates_everything_and_hands_back_the_admin_login()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("d11", "drupal");
        var outcome = hosting.Run(new InstallSite.Parameters("d.test", "D", null, new SiteDefinition("d.test", "d11")));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        var site = hosting.Store.GetFresh<AegirSite>("d.test", "Uri");
        Assert.Equal(SiteStatus.Installed, site.Status);
        Assert.Equal("dtest", site.DbName);
        Assert.Contains("dtest", hosting.Databases.Databases);
        Assert.Equal(["127.0.0.1", "localhost"], hosting.Databases.Users["dtest"].Hosts);
        Assert.Equal(Modes.Dir2770, hosting.Server.Nodes["/srv/d11/sites/d.test/files"].Mode);
        Assert.Equal("www-data", hosting.Server.Nodes["/srv/d11/sites/d.test/files"].Group);
        Assert.Equal(Modes.File0440, hosting.Server.Nodes["/srv/d11/sites/d.test/settings.php"].Mode);
        Assert.Contains("server_name d.test;", hosting.Server.Text(hosting.VhostPath("d.test")));
        var login = Assert.IsType<InstallResult>(outcome.Result);
        Assert.Equal("Drush-Pw-1234", login.AdminPassword);
        Assert.DoesNotContain("Drush-Pw-1234", File.ReadAllText(Directory.GetFiles(((TaskStore)hosting.Runner.Store).TasksPath, $"{outcome.Task.Id}*", SearchOption.AllDirectories).Single()));
        Assert.DoesNotContain(site.HasDbPassword ? hosting.Databases.Users["dtest"].Password : "x", string.Join("\n", outcome.Task.Log));
    }

    [Fact]
    public void A_database_name_the_server_has_already_is_passed_over()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        hosting.Databases.Databases.Add("blogtest");
        var outcome = hosting.Run(new InstallSite.Parameters("blog.test", null, null, new SiteDefinition("blog.test", "php")));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        Assert.Equal("blogtest_2", hosting.Store.GetFresh<AegirSite>("blog.test", "Uri").DbName);
    }

    [Fact]
    public void A_database_name_another_record_claims_is_passed_over()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        Assert.True(hosting.Run(new InstallSite.Parameters("a.test", null, null, new SiteDefinition("a.test", "php"))).Succeeded);
        hosting.Databases.Databases.Clear();   // the server forgot it; the record still claims it
        hosting.Databases.Users.Clear();
        var outcome = hosting.Run(new InstallSite.Parameters("www.a.test", null, null, new SiteDefinition("www.a.test", "php")));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        Assert.Equal("atest_2", hosting.Store.GetFresh<AegirSite>("www.a.test", "Uri").DbName);
        Assert.Contains(outcome.Task.Journal, e => e.State == JournalState.Void);
    }

    [Fact]
    public void A_php_application_goes_by_its_manifest_s_name_and_its_sites_never_onto_another_application_s_platform()
    {
        using var hosting = new FakeHosting();
        foreach (var (platform, name) in new[] { ("rc", "Roundcube"), ("rc2", "Roundcube"), ("dw", "DokuWiki") })
        {
            hosting.Platform(platform, "php");
            hosting.Server.Put($"/srv/{platform}/.aegir.yml", $"name: {name}\ninstall: [php, install.php]\n");
        }
        var plan = string.Join("\n", hosting.Engine.Plan(new InstallSite.Parameters("mail.test", null, null, new SiteDefinition("mail.test", "rc"))).Select(s => s.Description));
        Assert.Contains("run the install command of Roundcube", plan);
        Assert.Contains("check that the Roundcube tables are in", plan);
        Assert.DoesNotContain("profile", plan);
        Assert.True(hosting.Run(new InstallSite.Parameters("mail.test", null, null, new SiteDefinition("mail.test", "rc"))).Succeeded);
        Assert.True(hosting.Run(new InstallSite.Parameters("wiki.test", null, null, new SiteDefinition("wiki.test", "dw"))).Succeeded);
        Assert.True(hosting.Run(new BackupSite.Parameters("mail.test")).Succeeded);
        // Both are php platforms: the application tells them apart, before anything changes.
        var before = hosting.Shape();
        var move = Assert.Throws<Errors.AegirException>(() => hosting.Engine.Plan(new MoveSite.Parameters("mail.test", "platform_dw")));
        Assert.Equal(("PlatformKindDiffers", "it is a Roundcube site and @platform_dw is a DokuWiki platform"), (move.ErrorId, move.Message[(move.Message.IndexOf("it is", StringComparison.Ordinal))..move.Message.IndexOf(". ", StringComparison.Ordinal)]));
        Assert.Equal("PlatformKindDiffers", Assert.Throws<Errors.AegirException>(() => hosting.Engine.Plan(new CloneSite.Parameters("mail.test", "copy.test", "platform_dw"))).ErrorId);
        var restore = Assert.Throws<Errors.AegirException>(() => hosting.Engine.Plan(new RestoreSite.Parameters("wiki.test", new Backups.BackupStore(hosting.Home.Path).List("mail.test").Single().Path)));
        Assert.Equal("BackupMismatch", restore.ErrorId);
        Assert.Contains("it is a backup of a Roundcube site and @platform_dw is a DokuWiki platform", restore.Message, StringComparison.Ordinal);
        Assert.Equal(before, hosting.Shape());
        Assert.True(hosting.Run(new MoveSite.Parameters("mail.test", "platform_rc2")).Succeeded);
    }

    [Fact]
    public void A_move_to_where_a_site_is_already_names_the_parameter_given()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        var db = Assert.Throws<Errors.AegirException>(() => hosting.Engine.Plan(new MoveSite.Parameters("blog.test", null, "server_master")));
        Assert.StartsWith("DbServer 'server_master' is not valid", db.Message, StringComparison.Ordinal);
        var platform = Assert.Throws<Errors.AegirException>(() => hosting.Engine.Plan(new MoveSite.Parameters("blog.test", "platform_wp")));
        Assert.StartsWith("Platform 'platform_wp' is not valid", platform.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_site_of_an_application_that_keeps_no_database_lives_its_whole_life_without_one()
    {
        using var hosting = new FakeHosting();
        foreach (var name in new[] { "dw", "dw2" })
        {
            hosting.Platform(name, "php");
            hosting.Server.Put($"/srv/{name}/.aegir.yml", "name: DokuWiki\ndatabase: none\nsite_folders: ['data/{uri}']\nsettings:\n  path: sites/{uri}.php\n  template: aegir/settings.php.sbn\ninstall: [php, aegir/install.php, '{uri}']\n");
            hosting.Server.Put($"/srv/{name}/aegir/settings.php.sbn", "<?php // {{ uri }} {{ secret }} [{{ db_type }}]");
        }
        var plan = string.Join("\n", hosting.Engine.Plan(new InstallSite.Parameters("wiki.test", null, null, new SiteDefinition("wiki.test", "dw"))).Select(s => s.Description));
        Assert.Contains("record the site wiki.test on @platform_dw, without a database", plan);
        Assert.DoesNotContain("database `", plan);
        Assert.Equal("InvalidValue", Assert.Throws<AegirException>(() => hosting.Engine.Plan(new InstallSite.Parameters("wiki.test", null, null, new SiteDefinition("wiki.test", "dw", DbServer: "master")))).ErrorId);
        var install = hosting.Run(new InstallSite.Parameters("wiki.test", "Wiki", null, new SiteDefinition("wiki.test", "dw")));
        Assert.True(install.Succeeded, install.Task.Error);
        var site = hosting.Store.GetFresh<AegirSite>("wiki.test", "Uri");
        Assert.Equal((false, null), (site.HasDatabase, site.DbServerName));
        var record = File.ReadAllText(hosting.Store.PathOf("wiki.test"));
        Assert.Contains("database: none", record, StringComparison.Ordinal);
        Assert.DoesNotContain("db_server", record, StringComparison.Ordinal);
        // The site's PHP and its installer get no db_* names; its settings a secret of its own all the same, kept by verify.
        Assert.DoesNotContain("db_", hosting.Server.Text(hosting.VhostPath("wiki.test")), StringComparison.Ordinal);
        Assert.Contains("fastcgi_param aegir_site wiki.test;", hosting.Server.Text(hosting.VhostPath("wiki.test")), StringComparison.Ordinal);
        var settings = hosting.Server.Text("/srv/dw/sites/wiki.test.php");
        Assert.Matches(@"wiki\.test [0-9a-f]{64} \[\]", settings);
        Assert.True(hosting.Run(new VerifySite.Parameters("wiki.test")).Succeeded);
        Assert.Equal(settings, hosting.Server.Text("/srv/dw/sites/wiki.test.php"));
        Assert.Equal("SiteHasNoDatabase", Assert.Throws<AegirException>(() => SiteCommand.Sql(hosting.Engine, "wiki.test", "SELECT 1", TimeSpan.FromSeconds(5))).ErrorId);
        Assert.Equal("SiteHasNoDatabase", Assert.Throws<AegirException>(() => SiteCredential.Of(hosting.Engine, "wiki.test")).ErrorId);
        Assert.Equal("SiteHasNoDatabase", Assert.Throws<AegirException>(() => hosting.Engine.Plan(new MoveSite.Parameters("wiki.test", null, "server_master"))).ErrorId);

        // A backup holds its folders alone, and a restore, move, clone and rename make no database either.
        hosting.Server.Put("/srv/dw/data/wiki.test/pages/start.txt", "a page");
        var backup = hosting.Run(new BackupSite.Parameters("wiki.test"));
        Assert.True(backup.Succeeded, backup.Task.Error);
        Assert.Equal(("none", 0L), (((Backups.AegirBackup)backup.Result!).DbType, ((Backups.AegirBackup)backup.Result!).DatabaseSize));
        hosting.Server.Put("/srv/dw/data/wiki.test/pages/start.txt", "changed since");
        var restore = hosting.Run(new RestoreSite.Parameters("wiki.test", ((Backups.AegirBackup)backup.Result!).Path));
        Assert.True(restore.Succeeded, restore.Task.Error);
        Assert.Equal("a page", hosting.Server.Text("/srv/dw/data/wiki.test/pages/start.txt"));
        Assert.True(hosting.Run(new MoveSite.Parameters("wiki.test", "platform_dw2")).Succeeded);
        Assert.Equal("a page", hosting.Server.Text("/srv/dw2/data/wiki.test/pages/start.txt"));
        Assert.DoesNotContain(hosting.Server.Nodes.Keys, k => k.StartsWith("/srv/dw/data/wiki.test", StringComparison.Ordinal));
        var clone = hosting.Run(new CloneSite.Parameters("wiki.test", "copy.test"));
        Assert.True(clone.Succeeded, clone.Task.Error);
        Assert.Equal("a page", hosting.Server.Text("/srv/dw2/data/copy.test/pages/start.txt"));
        Assert.False(hosting.Store.GetFresh<AegirSite>("copy.test", "Uri").HasDatabase);
        Assert.NotEqual(settings[^70..], hosting.Server.Text("/srv/dw2/sites/copy.test.php")[^70..]);   // a key of its own
        Assert.True(hosting.Run(new RenameSite.Parameters("copy.test", "renamed.test")).Succeeded);
        Assert.True(hosting.Run(new DeleteSite.Parameters("renamed.test", Backup: false)).Succeeded);
        Assert.DoesNotContain(hosting.Server.Nodes.Keys, k => k.Contains("/renamed.test", StringComparison.Ordinal) || k.Contains("/copy.test", StringComparison.Ordinal));
        Assert.Empty(hosting.Databases.Databases);
        Assert.Empty(hosting.Databases.Users);
    }

    [Fact]
    public void Two_sites_never_claim_one_database_name_in_their_records()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        hosting.Store.Create(new AegirSite("a.test") { PlatformName = "php", DbName = "same" });
        var b = new AegirSite("b.test") { PlatformName = "php" };
        hosting.Store.Create(b);
        var ex = Assert.Throws<Errors.AegirException>(() => hosting.Store.Modify<AegirSite>("b.test", "Uri", s => s.DbName = "same"));
        Assert.True(ex.NothingChanged);
        Assert.Equal("DatabaseNameTaken", ex.ErrorId);
    }

    [Fact]
    public void A_failed_new_site_leaves_no_record_database_folder_or_vhost()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("wp", "wordpress");
        var before = hosting.Snapshot();
        hosting.Server.Handler = spec => FakeTransport.Unwrapped(spec).Program == "php" ? FakeTransport.Fail("Error establishing a database connection") : FakeTransport.Ok;
        var outcome = hosting.Run(new InstallSite.Parameters("blog.test", null, null, new SiteDefinition("blog.test", "wp")));
        Assert.Equal(AegirTaskStatus.Failed, outcome.Task.Status);
        Assert.Null(outcome.Result);
        Assert.Equal(before, hosting.Snapshot());
        Assert.False(hosting.Store.Exists("blog.test"));
    }

    [Fact]
    public void Delete_backs_up_then_moves_the_folder_aside_and_drops_the_database_last()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        hosting.Server.Put("/srv/wp/wp-content/uploads/sites/blog.test/photo.jpg", "a photo");
        var plan = hosting.Engine.Plan(new DeleteSite.Parameters("blog.test"));
        Assert.Equal(PlanAction.Drop, plan[^1].Action);
        var outcome = hosting.Run(new DeleteSite.Parameters("blog.test"));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        var order = outcome.Task.Journal.Select(e => e.Description).ToList();
        Assert.StartsWith("Writing the backup blog.test-", order[1]);
        Assert.StartsWith("Describing the backup", order[2]);
        Assert.StartsWith("Removing the nginx vhost", order[3]);
        Assert.StartsWith("Moving wp-content/uploads/sites/blog.test aside", order[4]);
        Assert.StartsWith("Removing the context", order[5]);
        Assert.StartsWith("drop database blogtest", order[6]);
        Assert.Empty(hosting.Databases.Databases);
        Assert.DoesNotContain(hosting.Server.Nodes.Keys, k => k.Contains("blog.test"));
        // The backup stays, holding the site's database and files.
        var backup = Assert.Single(new Backups.BackupStore(hosting.Home.Path).List("blog.test"));
        Assert.Equal(("before the site was removed", 1), (backup.Description, backup.FileCount));
    }

    [Fact]
    public void An_undo_that_would_move_a_folder_back_onto_one_made_since_keeps_both_and_says_so()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        const string folder = "/srv/wp/wp-content/uploads/sites/blog.test";
        hosting.Server.Put(folder + "/photo.jpg", "a photo");
        // After the folder went aside, something makes it again; then the delete fails and undoes.
        hosting.Runner.Faults = (_, description, after) =>
        {
            if (after || !description.StartsWith("Removing the context", StringComparison.Ordinal)) return null;
            hosting.Server.Put(folder + "/new.txt", "made since");
            return new InvalidOperationException("injected fault");
        };
        var outcome = hosting.Run(new DeleteSite.Parameters("blog.test"));
        Assert.Equal(AegirTaskStatus.Failed, outcome.Task.Status);
        var aside = Assert.Single(outcome.Task.Journal, e => e.Description.StartsWith("Moving wp-content/uploads/sites/blog.test aside", StringComparison.Ordinal));
        Assert.Equal(JournalState.Failed, aside.State);
        Assert.Contains("keep one of them by hand", aside.Problem);
        Assert.Equal("made since", hosting.Server.Text(folder + "/new.txt"));
        Assert.Contains(hosting.Server.Nodes.Keys, k => k.EndsWith("/photo.jpg", StringComparison.Ordinal) && !k.StartsWith(folder + "/", StringComparison.Ordinal));
    }

    [Fact]
    public void A_stop_reaches_a_long_step_that_reports_its_progress_and_one_too_late_is_said()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        string Running() => hosting.Runner.Store.List().Single(t => t.Status == AegirTaskStatus.Running).Id;
        // Asked while the archive is being written: the step hears it, stops, and leaves no archive.
        hosting.Runner.Faults = (_, description, after) =>
        {
            if (!after && description.StartsWith("Writing the backup", StringComparison.Ordinal)) hosting.Runner.Store.RequestStop(Running());
            return null;
        };
        var stopped = hosting.Run(new BackupSite.Parameters("blog.test"));
        Assert.Equal(("TaskStopped", AegirTaskStatus.Failed), (stopped.Task.ErrorId, stopped.Task.Status));
        Assert.Empty(new Backups.BackupStore(hosting.Home.Path).List("blog.test"));
        // Asked once the last step had begun: the task finishes, and says the stop came too late.
        hosting.Runner.Faults = (_, description, after) =>
        {
            if (after && description.StartsWith("Describing the backup", StringComparison.Ordinal)) hosting.Runner.Store.RequestStop(Running());
            return null;
        };
        var late = hosting.Run(new BackupSite.Parameters("blog.test"));
        Assert.Equal(AegirTaskStatus.Warning, late.Task.Status);
        Assert.Contains(late.Task.Log, e => e.Message.Contains("came during its last step", StringComparison.Ordinal));
    }

    [Fact]
    public void A_move_deploys_on_the_new_platform_and_removes_the_old_copy_last()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        hosting.Server.Put("/srv/wp/wp-content/uploads/sites/blog.test/photo.jpg", "a photo");
        hosting.Platform("wp2", "wordpress");
        var oldDb = hosting.Store.Get<AegirSite>("blog.test", "Uri").DbName;
        var outcome = hosting.Run(new MoveSite.Parameters("blog.test", "platform_wp2"));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        var site = new ContextStore(hosting.Home.Path).Get<AegirSite>("blog.test", "Uri");
        Assert.Equal("platform_wp2", site.PlatformName);
        Assert.NotEqual(oldDb, site.DbName);
        Assert.Equal([site.DbName!], hosting.Databases.Databases);
        Assert.Equal("a photo", hosting.Server.Text("/srv/wp2/wp-content/uploads/sites/blog.test/photo.jpg"));
        Assert.DoesNotContain(hosting.Server.Nodes.Keys, k => k.StartsWith("/srv/wp/wp-content/uploads/sites/blog.test", StringComparison.Ordinal));
        Assert.DoesNotContain(hosting.Server.Nodes.Keys, k => k.Contains(".restore") || k.Contains(".old-"));
        Assert.Contains("/srv/wp2", hosting.Server.Text(hosting.VhostPath("blog.test")));
        Assert.Single(new Backups.BackupStore(hosting.Home.Path).List("blog.test"));
    }

    [Fact]
    public void A_move_to_where_the_site_is_or_to_another_kind_is_refused_before_anything_changes()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        hosting.Platform("d11", "drupal");
        var before = hosting.Snapshot();
        Assert.Equal("InvalidValue", Assert.Throws<AegirException>(() => hosting.Engine.Plan(new MoveSite.Parameters("blog.test", "platform_wp"))).ErrorId);
        Assert.Equal("PlatformKindDiffers", Assert.Throws<AegirException>(() => hosting.Engine.Plan(new MoveSite.Parameters("blog.test", "platform_d11"))).ErrorId);
        Assert.Equal(before, hosting.Snapshot());
    }

    [Fact]
    public void A_rename_moves_the_record_folders_and_aliases_to_the_new_uri()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);   // blog.test with the alias www.blog.test
        hosting.Server.Put("/srv/wp/wp-content/uploads/sites/blog.test/photo.jpg", "a photo");
        hosting.Engine.Edit<AegirSite>("blog.test", "Uri", s => { s.WebSettings = ["upload_max=64M"]; s.BackupInterval = "1d"; s.CronInterval = "15m"; });
        var outcome = hosting.Run(new RenameSite.Parameters("blog.test", "news.test"));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        var store = new ContextStore(hosting.Home.Path);
        Assert.Null(store.TryGet("blog.test"));
        var site = store.Get<AegirSite>("news.test", "Uri");
        Assert.Equal(["www.news.test"], site.Aliases);
        // Its web settings and schedules go with it: uploads keep their limit, backups and crons do not stop.
        Assert.Equal(["upload_max=64M"], site.WebSettings);
        Assert.Equal(("1d", "15m"), (site.BackupInterval, site.CronInterval));
        Assert.Contains("client_max_body_size 64m;", hosting.Server.Text(hosting.VhostPath("news.test")));
        Assert.Equal([site.DbName!], hosting.Databases.Databases);
        Assert.Equal("a photo", hosting.Server.Text("/srv/wp/wp-content/uploads/sites/news.test/photo.jpg"));
        Assert.DoesNotContain(hosting.Server.Nodes.Keys, k => k.Contains("sites/blog.test") || k.Contains(".restore") || k.Contains(".old-"));
        Assert.Equal(PathKind.None, hosting.Server.Kind(hosting.VhostPath("blog.test")));
        Assert.Contains("server_name news.test www.news.test", hosting.Server.Text(hosting.VhostPath("news.test")));
    }

    [Fact]
    public void The_admins_own_vhost_rules_follow_a_rename_go_with_a_removed_site_and_are_copied_to_a_clone()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        var rules = Path.GetDirectoryName(hosting.VhostPath("blog.test"))!.Replace("vhost.d", "site.d");
        Assert.Equal("expires 1h;", hosting.Server.Text($"{rules}/blog.test/cache.conf"));
        Assert.True(hosting.Run(new CloneSite.Parameters("blog.test", "copy.test")).Succeeded);
        Assert.Equal("expires 1h;", hosting.Server.Text($"{rules}/copy.test/cache.conf"));
        var rename = hosting.Run(new RenameSite.Parameters("blog.test", "news.test"));
        Assert.True(rename.Succeeded, rename.Task.Error);
        Assert.Equal("expires 1h;", hosting.Server.Text($"{rules}/news.test/cache.conf"));
        Assert.Equal(PathKind.None, hosting.Server.Kind($"{rules}/blog.test"));
        Assert.Contains(rename.Task.Log, e => e.Message.Contains($"rules of blog.test in {rules}/blog.test on '@server_master' go with the site's old place"));
        Assert.True(hosting.Run(new DeleteSite.Parameters("news.test", Backup: false)).Succeeded);
        Assert.Equal(PathKind.None, hosting.Server.Kind($"{rules}/news.test"));
        Assert.Equal("expires 1h;", hosting.Server.Text($"{rules}/copy.test/cache.conf"));
    }

    [Fact]
    public void A_rename_carries_the_whole_rules_folder_and_names_the_links_it_leaves()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        var rules = Path.GetDirectoryName(hosting.VhostPath("blog.test"))!.Replace("vhost.d", "site.d");
        hosting.Server.Put($"{rules}/blog.test/htpasswd", "admin:$apr1$x");
        hosting.Server.Put($"{rules}/blog.test/sub/extra.inc", "expires 2h;");
        hosting.Server.Link($"{rules}/blog.test/shared.conf", "/etc/shared.conf");
        var rename = hosting.Run(new RenameSite.Parameters("blog.test", "news.test"));
        Assert.True(rename.Succeeded, rename.Task.Error);
        Assert.Equal("admin:$apr1$x", hosting.Server.Text($"{rules}/news.test/htpasswd"));
        Assert.Equal("expires 2h;", hosting.Server.Text($"{rules}/news.test/sub/extra.inc"));
        Assert.Equal(PathKind.None, hosting.Server.Kind($"{rules}/news.test/shared.conf"));
        Assert.Contains(rename.Task.Log, e => e.Level == TaskLogLevel.Warning && e.Message.Contains("Not copied from") && e.Message.Contains("shared.conf"));
    }

    [Fact]
    public void A_move_or_a_restore_onto_a_platform_that_holds_the_sites_folder_already_is_refused_before_anything_changes()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        hosting.Platform("wp2", "wordpress");
        hosting.Server.Put("/srv/wp2/wp-content/uploads/sites/blog.test/theirs.txt", "precious");
        var before = hosting.Snapshot();
        var ex = Assert.Throws<AegirException>(() => hosting.Engine.Plan(new MoveSite.Parameters("blog.test", "platform_wp2")));
        Assert.Equal("SiteFolderExists", ex.ErrorId);
        Assert.Contains("Move /srv/wp2/wp-content/uploads/sites/blog.test out of the codebase first", ex.Message);
        Assert.Equal(before, hosting.Snapshot());
        Assert.Equal("precious", hosting.Server.Text("/srv/wp2/wp-content/uploads/sites/blog.test/theirs.txt"));
    }

    [Fact]
    public void A_new_site_whose_folder_the_codebase_holds_already_is_refused_before_anything_changes()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        // Shipped with the code or left by a site made by hand: never taken over, made writable, or deleted with a site.
        hosting.Server.Put("/srv/wp/wp-content/uploads/sites/shipped.test/logo.png", "the vendor's logo");
        var before = hosting.Snapshot();
        foreach (var operation in new object[]
        {
            new InstallSite.Parameters("shipped.test", null, null, new SiteDefinition("shipped.test", "wp")),
            new CloneSite.Parameters("blog.test", "shipped.test"),
            new RenameSite.Parameters("blog.test", "shipped.test"),
        })
        {
            var ex = Assert.Throws<AegirException>(() => hosting.Engine.Plan(operation));
            Assert.Equal("SiteFolderExists", ex.ErrorId);
            Assert.Contains("holds wp-content/uploads/sites/shipped.test already", ex.Message);
            Assert.Contains("Import-AegirSite -Platform platform_wp -Uri shipped.test", ex.Message);
            Assert.Contains("Move /srv/wp/wp-content/uploads/sites/shipped.test out of the codebase first, or choose another uri", ex.Message);
        }
        Assert.Equal(before, hosting.Snapshot());
        Assert.False(hosting.Store.Exists("shipped.test"));
    }

    [Fact]
    public void A_clone_is_a_new_site_of_its_own_and_leaves_the_source_as_it_was()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        hosting.Server.Put("/srv/wp/wp-content/uploads/sites/blog.test/photo.jpg", "a photo");
        var before = hosting.Server.Text(hosting.VhostPath("blog.test"));
        var outcome = hosting.Run(new CloneSite.Parameters("blog.test", "copy.test"));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        var store = new ContextStore(hosting.Home.Path);
        var copy = store.Get<AegirSite>("copy.test", "Uri");
        Assert.Empty(copy.Aliases);
        Assert.Null(copy.Redirection);
        Assert.NotEqual(store.Get<AegirSite>("blog.test", "Uri").DbName, copy.DbName);
        Assert.Equal(2, hosting.Databases.Databases.Count);
        Assert.Equal("a photo", hosting.Server.Text("/srv/wp/wp-content/uploads/sites/copy.test/photo.jpg"));
        Assert.Equal("a photo", hosting.Server.Text("/srv/wp/wp-content/uploads/sites/blog.test/photo.jpg"));
        Assert.Equal(before, hosting.Server.Text(hosting.VhostPath("blog.test")));
        Assert.Equal("ContextExists", Assert.Throws<AegirException>(() => hosting.Engine.Plan(new CloneSite.Parameters("blog.test", "copy.test"))).ErrorId);
        Assert.Equal("HostNameTaken", Assert.Throws<AegirException>(() => hosting.Engine.Plan(new CloneSite.Parameters("blog.test", "www.blog.test"))).ErrorId);
    }

    [Fact]
    public void A_link_out_of_the_site_is_backed_up_with_a_warning_and_refused_by_name_on_restore_with_nothing_changed()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        var uploads = "/srv/wp/wp-content/uploads/sites/blog.test";
        hosting.Server.Put($"{uploads}/photo.jpg", "a photo");
        hosting.Server.Link($"{uploads}/latest.jpg", "photo.jpg");
        hosting.Server.Link($"{uploads}/passwd", "/etc/passwd");
        var backup = hosting.Run(new BackupSite.Parameters("blog.test"));
        Assert.True(backup.Succeeded, backup.Task.Error);
        var warning = Assert.Single(backup.Task.Log, e => e.Level == TaskLogLevel.Warning && e.Message.Contains("link", StringComparison.Ordinal));
        Assert.Contains("wp-content/uploads/sites/blog.test/passwd", warning.Message, StringComparison.Ordinal);
        Assert.Contains("A restore of this backup refuses it", warning.Message, StringComparison.Ordinal);
        var before = hosting.Shape();
        var restore = hosting.Run(new RestoreSite.Parameters("blog.test", new Backups.BackupStore(hosting.Home.Path).List("blog.test").Single().Path));
        Assert.False(restore.Succeeded);
        Assert.Equal("BackupMemberRefused", restore.Task.ErrorId);
        Assert.Contains("site/wp-content/uploads/sites/blog.test/passwd", restore.Task.Error, StringComparison.Ordinal);
        Assert.Contains("/etc/passwd", restore.Task.Error, StringComparison.Ordinal);
        Assert.Equal(before, hosting.Shape());
    }

    [Fact]
    public void A_member_too_large_for_the_disk_is_refused_before_anything_is_written()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        hosting.Server.Put("/srv/wp/wp-content/uploads/sites/blog.test/video.mp4", new string('v', 4096));
        Assert.True(hosting.Run(new BackupSite.Parameters("blog.test")).Succeeded);
        var path = new Backups.BackupStore(hosting.Home.Path).List("blog.test").Single().Path;
        var before = hosting.Shape();
        hosting.FreeBytes = Transport.FreeSpace.Margin + 1000;
        var restore = hosting.Run(new RestoreSite.Parameters("blog.test", path));
        Assert.False(restore.Succeeded);
        Assert.Equal("DiskSpaceShort", restore.Task.ErrorId);
        // Its backup says how much the files take: the check comes before the new database is made.
        Assert.DoesNotContain(restore.Task.Journal, e => e.Description.StartsWith("Creating database", StringComparison.Ordinal));
        Assert.Equal(before, hosting.Shape());
    }

    [Fact]
    public void A_backup_taken_on_another_platform_takes_the_site_back_there_only_when_platform_says_so()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        hosting.Server.Put("/srv/wp/wp-content/uploads/sites/blog.test/photo.jpg", "as backed up on wp");
        Assert.True(hosting.Run(new BackupSite.Parameters("blog.test")).Succeeded);
        var backup = new Backups.BackupStore(hosting.Home.Path).List("blog.test").Single();
        hosting.Platform("wp2", "wordpress");
        Assert.True(hosting.Run(new MoveSite.Parameters("blog.test", "platform_wp2")).Succeeded);
        // Without -Platform the site stays where it is, whatever the backup's manifest says, and the task says how to go back.
        var inPlace = hosting.Run(new RestoreSite.Parameters("blog.test", backup.Path));
        Assert.True(inPlace.Succeeded, inPlace.Task.Error);
        Assert.Equal("platform_wp2", hosting.Store.GetFresh<AegirSite>("blog.test", "Uri").PlatformName);
        Assert.Contains(inPlace.Task.Log, e => e.Level == TaskLogLevel.Warning && e.Message.Contains("restore with -Platform platform_wp", StringComparison.Ordinal));
        Assert.Equal("as backed up on wp", hosting.Server.Text("/srv/wp2/wp-content/uploads/sites/blog.test/photo.jpg"));
        var outcome = hosting.Run(new RestoreSite.Parameters("blog.test", backup.Path, "platform_wp"));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        Assert.Equal("platform_wp", hosting.Store.GetFresh<AegirSite>("blog.test", "Uri").PlatformName);
        Assert.Equal("as backed up on wp", hosting.Server.Text("/srv/wp/wp-content/uploads/sites/blog.test/photo.jpg"));
        Assert.DoesNotContain(hosting.Server.Nodes.Keys, k => k.StartsWith("/srv/wp2/wp-content/uploads/sites/blog.test", StringComparison.Ordinal));
        Assert.Single(hosting.Databases.Databases);
    }

    [Fact]
    public void What_the_web_server_wrote_in_the_site_s_folders_stays_its_to_change_after_a_restore_or_a_move()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        // As PHP-FPM leaves them under its umask: its own, 0755 and 0644.
        var month = "/srv/wp/wp-content/uploads/sites/blog.test/2026/12";
        hosting.Server.CreateDirectory(month, (UnixFileMode)Convert.ToInt32("2755", 8));
        hosting.Server.Put($"{month}/photo.jpg", "a photo");
        Assert.True(hosting.Run(new BackupSite.Parameters("blog.test")).Succeeded);
        var restore = hosting.Run(new RestoreSite.Parameters("blog.test", new Backups.BackupStore(hosting.Home.Path).List("blog.test").Single().Path));
        Assert.True(restore.Succeeded, restore.Task.Error);
        Assert.Equal("775", Octal(hosting.Server.GetMode(month)));
        Assert.Equal("664", Octal(hosting.Server.GetMode($"{month}/photo.jpg")));
        hosting.Platform("wp2", "wordpress");
        Assert.True(hosting.Run(new MoveSite.Parameters("blog.test", "platform_wp2")).Succeeded);
        Assert.Equal("664", Octal(hosting.Server.GetMode("/srv/wp2/wp-content/uploads/sites/blog.test/2026/12/photo.jpg")));
        static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0b111_111_111, 8);
    }

    [Fact]
    public void An_import_finds_the_sites_without_a_context_and_records_one_from_its_settings()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("d11", "drupal");
        hosting.Server.Put("/srv/d11/sites/hand.test/settings.php", "<?php $databases['default']['default'] = ['database' => 'handdb', 'username' => 'handdb', 'password' => 'Hand-Secret-1', 'host' => 'localhost', 'port' => '3306', 'driver' => 'mysql'];");
        hosting.Server.Put("/srv/d11/sites/default/settings.php", "<?php");
        hosting.Databases.Databases.Add("handdb");
        var found = Assert.Single(SiteImports.Find(hosting.Engine, hosting.Store.Get<AegirPlatform>("platform_d11", "Platform")));
        Assert.Equal(("hand.test", "handdb", 3306), (found.Uri, found.Database!.Database, found.Database.Port));
        Assert.Equal("server_master", SiteImports.DbServerFor(hosting.Store, found.Database));
        var outcome = hosting.Run(new ImportSite.Parameters("hand.test", "platform_d11", "server_master", "handdb"));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        var site = new ContextStore(hosting.Home.Path).Get<AegirSite>("hand.test", "Uri");
        Assert.Equal(SiteStatus.Installed, site.Status);
        Assert.Equal("Hand-Secret-1", hosting.Databases.Users["handdb"].Password);
        Assert.Contains("Hand-Secret-1", hosting.Server.Text("/srv/d11/sites/hand.test/settings.php.before-import"));
        Assert.DoesNotContain("Hand-Secret-1", hosting.Server.Text("/srv/d11/sites/hand.test/settings.php"));
        Assert.Empty(SiteImports.Find(hosting.Engine, hosting.Store.Get<AegirPlatform>("platform_d11", "Platform")));
        Assert.DoesNotContain("Hand-Secret-1", string.Join("\n", outcome.Task.Log.Select(l => l.Message)) + outcome.Task.Parameters.ToJsonString());
    }

    [Fact]
    public void Delete_without_a_backup_takes_none()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        Assert.True(hosting.Run(new DeleteSite.Parameters("blog.test", Backup: false)).Succeeded);
        Assert.Empty(new Backups.BackupStore(hosting.Home.Path).List());
    }

    [Fact]
    public void Set_on_an_installed_site_records_and_writes_the_alias_in_one_task()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        var (site, verify) = SiteUpdate.Apply(hosting.Engine, "blog.test", new SiteChanges { AddAliases = ["new.test"] });
        Assert.Equal("verify", verify!.Task.Type);
        Assert.Contains("new.test", site.Aliases);
        Assert.Contains("new.test", hosting.Server.Text(hosting.VhostPath("blog.test")));
        Assert.Contains(verify.Task.Journal, e => e.Description.StartsWith("Recording aliases"));
    }

    [Fact]
    public void Set_refuses_to_move_an_installed_site_before_changing_anything()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        hosting.Platform("other", "wordpress");
        var before = hosting.Snapshot();
        var ex = Assert.Throws<Errors.AegirException>(() => SiteUpdate.Check(hosting.Engine, "blog.test", new SiteChanges { Platform = "other" }));
        Assert.Contains("migration", ex.Message);
        Assert.Equal(before, hosting.Snapshot());
    }

    [Fact]
    public void A_record_change_writes_only_its_fields_onto_a_fresh_read()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        hosting.Store.Create(new AegirSite("a.test") { PlatformName = "php" });
        var stale = hosting.Store.GetFresh<AegirSite>("a.test", "Uri");
        hosting.Engine.Edit<AegirSite>("a.test", "Uri", s => s.Aliases = ["one.test"]);
        hosting.Engine.Edit<AegirSite>(stale.Name, "Uri", s => s.Language = "de");
        var site = hosting.Store.GetFresh<AegirSite>("a.test", "Uri");
        Assert.Equal(["one.test"], site.Aliases);
        Assert.Equal("de", site.Language);
    }

    [Fact]
    public void A_queued_task_is_replayed_from_its_record()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        var queued = hosting.Engine.Enqueue(new InstallSite.Parameters("q.test", null, null, new SiteDefinition("q.test", "php")));
        Assert.Equal(AegirTaskStatus.Queued, queued.Status);
        Assert.False(hosting.Store.Exists("q.test"));
        Assert.Equal("q.test", (string?)queued.Parameters["create"]!["uri"]);

        var outcome = hosting.Engine.RunQueued(queued.Id)!;
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        Assert.Equal(queued.Id, outcome.Task.Id);
        Assert.Equal(SiteStatus.Installed, hosting.Store.GetFresh<AegirSite>("q.test", "Uri").Status);
        Assert.Null(hosting.Engine.RunQueued(queued.Id));
    }

    [Fact]
    public void Verifying_a_wordpress_made_by_hand_keeps_its_own_config_with_its_password_aside()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("wp", "wordpress", verified: false);
        hosting.Server.Put("/srv/wp/wp-config.php", "<?php define('DB_NAME', 'blog'); define('DB_PASSWORD', 'Hand-Secret-7');");
        var outcome = hosting.Run(new Operations.Platform.VerifyPlatform.Parameters("platform_wp"));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        Assert.Contains("Hand-Secret-7", hosting.Server.Text("/srv/wp/wp-config.php.before-aegir"));
        Assert.Equal(UnixFileMode.UserRead, hosting.Server.GetMode("/srv/wp/wp-config.php.before-aegir"));
        Assert.DoesNotContain("Hand-Secret-7", hosting.Server.Text("/srv/wp/wp-config.php"));
        Assert.Contains(outcome.Task.Log, e => e.Level == TaskLogLevel.Warning && e.Message.Contains("kept as /srv/wp/wp-config.php.before-aegir"));
        Assert.DoesNotContain(outcome.Task.Log, e => e.Message.Contains("Hand-Secret-7"));
    }

    [Theory]
    [MemberData(nameof(OperationScenario.Cases), MemberType = typeof(OperationScenario))]
    public void Its_task_record_alone_replays_it(OperationScenario scenario)
    {
        string done;
        using (var direct = Prepared(scenario))
        {
            Assert.True(direct.Run(scenario.Parameters(direct)).Succeeded);
            done = direct.Shape();
        }
        using var hosting = Prepared(scenario);
        var queued = hosting.Engine.Enqueue(scenario.Parameters(hosting));
        var outcome = hosting.Engine.RunQueued(queued.Id)!;
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        Assert.Equal(done, hosting.Shape());
    }

    [Fact]
    public void A_reload_a_dead_batch_left_queued_is_done_before_the_next_change_of_that_server()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        var batched = new Engine(hosting.Store, null, new ReloadBatch(), hosting, hosting);
        Assert.True(batched.Run(new InstallSite.Parameters("a.test", null, null, new SiteDefinition("a.test", "php"))).Succeeded);
        var pending = hosting.Runner.Store.Get(Assert.Single(hosting.Runner.Store.Queued()))!;
        // The batch's process ends without flushing: its pid now names no process.
        using (var gone = System.Diagnostics.Process.Start("true")!) { gone.WaitForExit(); pending.ProcessId = gone.Id; }
        hosting.Runner.Store.Save(pending);

        Assert.True(hosting.Run(new DisableSite.Parameters("a.test")).Succeeded);
        var reload = hosting.Runner.Store.Get(pending.Id)!;
        Assert.Equal(AegirTaskStatus.Succeeded, reload.Status);
        Assert.True(reload.Finished < hosting.Runner.Store.List((type, _) => type == "disable").Single().Started);
        Assert.Empty(hosting.Runner.Store.Queued());
    }

    [Fact]
    public void A_pid_file_naming_another_process_is_never_signalled_and_the_change_is_undone()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        // A pid used again by init: a reload would send it nginx's signal.
        hosting.Server.Put("/proc/4242/comm", "systemd\n");
        var before = hosting.Snapshot();
        var outcome = hosting.Run(new InstallSite.Parameters("a.test", null, null, new SiteDefinition("a.test", "php")));
        Assert.Equal(AegirTaskStatus.Failed, outcome.Task.Status);
        Assert.Contains("names process 4242 (systemd), which is not nginx", outcome.Task.Error);
        Assert.DoesNotContain(hosting.Server.Commands, c => c.StartsWith("nginx -s reload", StringComparison.Ordinal));
        Assert.Equal(before, hosting.Snapshot());
        hosting.Server.Put("/proc/4242/comm", "nginx\n");
        Assert.True(hosting.Run(new InstallSite.Parameters("a.test", null, null, new SiteDefinition("a.test", "php"))).Succeeded);
    }

    [Fact]
    public void A_batch_fails_a_change_at_once_when_its_web_server_is_not_running()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        hosting.Server.Delete("/proc/4242");
        var before = hosting.Snapshot();
        var batched = new Engine(hosting.Store, null, new ReloadBatch(), hosting, hosting);
        var outcome = batched.Run(new InstallSite.Parameters("a.test", null, null, new SiteDefinition("a.test", "php")));
        Assert.Equal(AegirTaskStatus.Failed, outcome.Task.Status);
        Assert.Contains("is not running", outcome.Task.Error);
        Assert.Equal(before, hosting.Snapshot());
        Assert.Empty(batched.FlushReloads());
    }

    [Fact]
    public void A_batch_tests_each_change_and_reloads_once_and_a_killed_batch_leaves_the_reload_queued()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        var batched = new Engine(hosting.Store, null, new ReloadBatch(), hosting, hosting);
        foreach (var uri in new[] { "a.test", "b.test", "c.test" })
            Assert.True(batched.Run(new InstallSite.Parameters(uri, null, null, new SiteDefinition(uri, "php"))).Succeeded);
        Assert.Equal(3, hosting.Server.Commands.Count(c => c.EndsWith("nginx -t")));
        Assert.Equal(0, hosting.Server.Commands.Count(c => c.EndsWith("-s reload")));
        var pending = Assert.Single(hosting.Runner.Store.Queued());
        Assert.Equal("reload", hosting.Runner.Store.Get(pending)!.Type);

        // The batch's process is alive, so another task leaves its reload alone; its flush runs it once.
        Assert.Single(batched.FlushReloads());
        Assert.Equal(1, hosting.Server.Commands.Count(c => c.EndsWith("-s reload")));
        Assert.Empty(hosting.Runner.Store.Queued());
    }

    sealed class Messages : Tasks.ITaskObserver
    {
        public readonly List<string> Said = [];
        public void OnLog(AegirTask task, TaskLogEntry entry) { }
        public void OnProgress(AegirTask task, int percent, string activity) { }
        public void OnMessage(TaskLogLevel level, string message) => Said.Add(message);
    }

    [Fact]
    public void The_reload_of_a_batch_whose_process_died_runs_with_the_server_s_next_task_naming_the_sites_whose_passwords_nobody_saw()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        var batched = new Engine(hosting.Store, null, new ReloadBatch(), hosting, hosting);
        foreach (var uri in new[] { "a.test", "b.test" })
            Assert.True(batched.Run(new InstallSite.Parameters(uri, null, null, new SiteDefinition(uri, "php"))).Succeeded);
        var reload = hosting.Runner.Store.Get(Assert.Single(hosting.Runner.Store.Queued()))!;
        reload.ProcessId = int.MaxValue;   // as if the pipeline's process were killed
        hosting.Runner.Store.Save(reload, durable: true);

        var messages = new Messages();
        var next = new Engine(hosting.Store, messages, null, hosting, hosting);
        Assert.True(next.Run(new Operations.Server.VerifyServer.Parameters("server_master")).Succeeded);
        Assert.Contains(messages.Said, m => m.StartsWith("A pipeline on '@server_master' ended before its reload; it is run now for a.test, b.test.") && m.Contains("shown to nobody"));
        Assert.Equal(AegirTaskStatus.Succeeded, hosting.Runner.Store.Get(reload.Id)!.Status);
        Assert.Empty(hosting.Runner.Store.Queued());
    }
}
