using Aegir.Core.Contexts;
using Aegir.Core.Operations.Site;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

/// <summary>Success is real: installs and verifies believe the application, the database and the page, never an exit code.</summary>
public class TruthTests
{
    static FakeHosting Installed()
    {
        var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        return hosting;
    }

    [Fact]
    public void An_installer_that_exits_0_without_installing_fails_the_install_and_leaves_nothing()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("wp", "wordpress");
        var before = hosting.Snapshot();
        hosting.Server.Handler = spec => FakeTransport.Unwrapped(spec).Program == "php"
            ? new CommandResult(0, "<html><body><h1>Error establishing a database connection</h1></body></html>", "", TimeSpan.Zero)
            : FakeTransport.Ok;
        var outcome = hosting.Run(new InstallSite.Parameters("blog.test", null, null, new SiteDefinition("blog.test", "wp")));
        Assert.Equal(AegirTaskStatus.Failed, outcome.Task.Status);
        Assert.Contains("WordPress did not say the site is installed", outcome.Task.Error);
        Assert.Contains("Error establishing a database connection", outcome.Task.Error);
        Assert.Null(outcome.Result);
        Assert.Equal(before, hosting.Snapshot());
    }

    [Fact]
    public void An_install_whose_page_offers_the_installer_is_undone()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("wp", "wordpress");
        var before = hosting.Snapshot();
        hosting.Server.Pages["blog.test"] = new HttpAnswer(302, "http://blog.test/wp-admin/install.php", "");
        var outcome = hosting.Run(new InstallSite.Parameters("blog.test", null, null, new SiteDefinition("blog.test", "wp")));
        Assert.Equal("SiteBroken", outcome.Task.ErrorId);
        Assert.Contains("sends visitors to the installer", outcome.Task.Error);
        Assert.Equal(before, hosting.Snapshot());
    }

    [Fact]
    public void Verify_of_a_site_whose_database_is_gone_fails_with_the_fix_and_changes_nothing()
    {
        using var hosting = Installed();
        hosting.Databases.Databases.Remove("blogtest");
        var before = hosting.Snapshot();
        var outcome = hosting.Run(new VerifySite.Parameters("blog.test"));
        Assert.Equal("SiteDatabaseGone", outcome.Task.ErrorId);
        Assert.Contains("Restore it from a backup", outcome.Task.Error);
        Assert.Equal(before, hosting.Snapshot());
    }

    [Fact]
    public void Verify_of_a_site_whose_tables_are_gone_says_so()
    {
        using var hosting = Installed();
        hosting.Databases.Emptied.Add("blogtest");
        var outcome = hosting.Run(new VerifySite.Parameters("blog.test"));
        Assert.Equal(AegirTaskStatus.Failed, outcome.Task.Status);
        Assert.Contains("WordPress is not installed there", outcome.Task.Error);
    }

    [Fact]
    public void Verify_makes_the_database_user_what_the_record_says()
    {
        using var hosting = Installed();
        var recorded = hosting.Databases.Users["blogtest"];
        hosting.Databases.Users.Remove("blogtest");
        Assert.True(hosting.Run(new VerifySite.Parameters("blog.test")).Succeeded);
        Assert.Equal(recorded.Password, hosting.Databases.Users["blogtest"].Password);
        Assert.Equal(["127.0.0.1", "localhost"], hosting.Databases.Users["blogtest"].Hosts);
    }

    [Fact]
    public void Verify_keeps_what_it_repaired_when_the_page_still_fails()
    {
        using var hosting = Installed();
        hosting.Server.Delete(hosting.VhostPath("blog.test"));
        hosting.Server.Pages["blog.test"] = new HttpAnswer(500, null, "<h1>PHP Fatal error</h1>");
        var outcome = hosting.Run(new VerifySite.Parameters("blog.test"));
        Assert.Equal("SiteBroken", outcome.Task.ErrorId);
        Assert.Contains("HTTP 500", outcome.Task.Error);
        Assert.True(hosting.Server.FileExists(hosting.VhostPath("blog.test")));   // the repair stayed
        Assert.DoesNotContain(outcome.Task.Log, e => e.Message.StartsWith("Undid"));
    }

    [Fact]
    public void An_install_answered_by_the_web_server_s_default_page_is_undone_naming_it()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        var before = hosting.Snapshot();
        // A web server whose config does not include Aegir's: every host gets the distribution's welcome page, with a
        // request counter in it, so it is never quite the same twice.
        var served = 0;
        hosting.Server.LoadsNoVhost = () => new HttpAnswer(200, null, $"<h1>Welcome to nginx!</h1> request {++served}");
        var outcome = hosting.Run(new InstallSite.Parameters("a.test", null, null, new SiteDefinition("a.test", "php")));
        Assert.Equal("SiteBroken", outcome.Task.ErrorId);
        Assert.Contains("the site's vhost is not what answers (/.well-known/aegir-site answers HTTP 200 (Welcome to nginx! request", outcome.Task.Error);
        Assert.Contains("includes Aegir's", outcome.Task.Error);
        Assert.Equal(before, hosting.Snapshot());
    }

    [Fact]
    public void A_site_whose_vhost_answers_passes_beside_a_default_page_or_a_default_server_that_closes_the_connection()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        hosting.Server.DefaultPage = () => new HttpAnswer(200, null, "<h1>Welcome to nginx!</h1>");
        Assert.True(hosting.Run(new InstallSite.Parameters("a.test", null, null, new SiteDefinition("a.test", "php"))).Succeeded);
        hosting.Server.DefaultPage = () => throw new IOException("the connection was closed");
        Assert.True(hosting.Run(new VerifySite.Parameters("a.test")).Succeeded);
    }

    [Theory]
    [InlineData("https://a.test", true)]        // an admin's rule that sends every request to https: taken as it is
    [InlineData("https://other.test", false)]   // elsewhere: no proof that the site's vhost answers
    [InlineData("http://a.test/moved", false)]
    public void A_site_whose_own_rules_redirect_every_request_passes_only_to_https_on_its_own_name(string to, bool passes)
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        hosting.Server.Rewrites["a.test"] = path => new HttpAnswer(301, to + path, "");
        var outcome = hosting.Run(new InstallSite.Parameters("a.test", null, null, new SiteDefinition("a.test", "php")));
        Assert.Equal(passes, outcome.Succeeded);
        if (!passes) Assert.Contains("a.test does not work", outcome.Task.Error);
    }

    [Fact]
    public void A_disabled_site_must_answer_with_the_disabled_page()
    {
        using var hosting = Installed();
        hosting.Server.Pages["blog.test"] = new HttpAnswer(200, null, "ok");   // as if the old config were still served
        var outcome = hosting.Run(new DisableSite.Parameters("blog.test"));
        Assert.Equal("SiteBroken", outcome.Task.ErrorId);
        Assert.Equal(SiteStatus.Installed, hosting.Store.GetFresh<AegirSite>("blog.test", "Uri").Status);
    }

    [Fact]
    public void A_batch_checks_each_site_s_page_once_its_web_server_has_reloaded()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        var batched = new Operations.Engine(hosting.Store, null, new Operations.ReloadBatch(), hosting, hosting);
        foreach (var uri in new[] { "a.test", "b.test" })
            Assert.True(batched.Run(new InstallSite.Parameters(uri, null, null, new SiteDefinition(uri, "php"))).Succeeded);
        hosting.Server.Pages["b.test"] = new HttpAnswer(502, null, "Bad Gateway");
        var tasks = batched.FlushReloads();
        var reload = tasks[0];
        Assert.Equal(AegirTaskStatus.Failed, reload.Status);
        Assert.Contains("1 site(s) changed in this batch do not work: b.test: it answers HTTP 502", reload.Error);
        Assert.Equal(["a.test", "b.test"], reload.Parameters["sites"]!.AsArray().Select(n => (string)n!));
        Assert.Contains(reload.Log, e => e.Message == "a.test answers as it should.");
        // The new site that does not work is removed again, as an install outside a batch is undone; the other stays.
        Assert.Equal(["reload", "delete", "reload"], tasks.Select(t => t.Type));
        Assert.All(tasks.Skip(1), t => Assert.Equal(AegirTaskStatus.Succeeded, t.Status));
        Assert.Null(hosting.Store.TryGet("b.test"));
        Assert.False(hosting.Server.FileExists(hosting.VhostPath("b.test")));
        Assert.DoesNotContain(hosting.Databases.Databases, d => d.StartsWith("btest", StringComparison.Ordinal));
        Assert.Equal(SiteStatus.Installed, hosting.Store.GetFresh<AegirSite>("a.test", "Uri").Status);
    }

    [Theory]
    [InlineData("/")]                // to itself
    [InlineData("/a")]               // on and on within the site (each hop asks the same fake page again)
    public void A_page_that_sends_visitors_round_in_circles_within_the_site_is_no_working_site(string location)
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        Assert.True(hosting.Run(new InstallSite.Parameters("a.test", null, null, new SiteDefinition("a.test", "php"))).Succeeded);
        hosting.Server.Pages["a.test"] = new HttpAnswer(302, location, "");
        var verify = hosting.Run(new VerifySite.Parameters("a.test"));
        Assert.Equal(AegirTaskStatus.Failed, verify.Task.Status);
        Assert.Contains("round in circles", verify.Task.Error);
        // A redirect to another host (a canonical domain, https) leaves the site: it is taken as it is.
        hosting.Server.Pages["a.test"] = new HttpAnswer(301, "https://a.test/", "");
        Assert.True(hosting.Run(new VerifySite.Parameters("a.test")).Succeeded);
    }

    [Fact]
    public void A_batch_keeps_a_site_it_only_changed_when_it_does_not_answer()
    {
        using var hosting = Installed();
        var batched = new Operations.Engine(hosting.Store, null, new Operations.ReloadBatch(), hosting, hosting);
        Assert.True(batched.Run(new DisableSite.Parameters("blog.test")).Succeeded);
        hosting.Server.Pages["blog.test"] = new HttpAnswer(502, null, "Bad Gateway");
        var reload = Assert.Single(batched.FlushReloads());
        Assert.Equal(AegirTaskStatus.Failed, reload.Status);
        Assert.NotNull(hosting.Store.TryGet("blog.test"));
    }

    [Fact]
    public void Verify_that_breaks_a_site_that_answered_puts_everything_back_and_reloads()
    {
        using var hosting = Installed();
        var vhost = hosting.Server.Text(hosting.VhostPath("blog.test"));
        // A socket that is no PHP-FPM's: the config passes its test, and once reloaded the site answers 502.
        hosting.Engine.Edit<AegirServer>(ContextNames.Master, "Name", s => s.Http.Set("php_fpm_socket", "/run/other/db.sock"));
        hosting.Server.Handler = spec =>
        {
            if (spec.Arguments.Contains("reload"))
            {
                if (hosting.Server.Text(hosting.VhostPath("blog.test")).Contains("/run/other/db.sock")) hosting.Server.Pages["blog.test"] = new HttpAnswer(502, null, "Bad Gateway");
                else hosting.Server.Pages.Remove("blog.test");
            }
            return FakeTransport.Ok;
        };
        var outcome = hosting.Run(new VerifySite.Parameters("blog.test"));
        Assert.Equal("SiteBroken", outcome.Task.ErrorId);
        Assert.Contains("HTTP 502", outcome.Task.Error);
        Assert.Equal(vhost, hosting.Server.Text(hosting.VhostPath("blog.test")));
        Assert.Contains(outcome.Task.Log, e => e.Message.StartsWith("Undid: Writing the nginx vhost of blog.test", StringComparison.Ordinal));
        Assert.Equal(200, hosting.Server.Fetch("127.0.0.1", 80, "blog.test", "/").Status);   // reloaded with the old config
    }

    [Fact]
    public void A_vhost_that_would_pass_php_to_a_file_is_never_written()
    {
        using var hosting = Installed();
        var before = hosting.Snapshot();
        hosting.Server.Handler = spec => spec.Program == "test" ? FakeTransport.Fail("")
            : spec.Program == "stat" ? new CommandResult(0, "regular file\n", "", TimeSpan.Zero) : FakeTransport.Ok;
        var outcome = hosting.Run(new VerifySite.Parameters("blog.test"));
        Assert.Equal("PhpSocketInvalid", outcome.Task.ErrorId);
        Assert.Contains("which is a regular file, not a socket", outcome.Task.Error);
        Assert.Equal(before, hosting.Snapshot());
        Assert.Equal("PhpSocketInvalid", hosting.Run(new Operations.Server.VerifyServer.Parameters(ContextNames.Master)).Task.ErrorId);
    }
}
