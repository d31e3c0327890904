using System.Text.Json;
using Aegir.Core.Contexts;
using Aegir.Core.Operations.Site;
using Aegir.Core.Platforms;
using Aegir.Core.Transport;
using Xunit;

namespace Aegir.Core.Tests;

/// <summary>
/// Drupal 7 as a real core is: no drush in its codebase, so its own installer runs.
/// </summary>
public class DrupalSevenTests
{
    static CommandSpec? Installer(FakeHosting h) => h.Server.Runs.FirstOrDefault(r => FakeTransport.Unwrapped(r) is { Program: "php", Arguments: [var script] } && script.EndsWith("/drupal7-install.php", StringComparison.Ordinal));

    [Fact]
    public void A_drupal_7_codebase_has_no_drush_and_its_site_is_installed_by_drupal_7_s_own_installer_as_the_script_user()
    {
        using var h = new FakeHosting();
        h.Platform("d7", "drupal7");
        var outcome = h.Run(new InstallSite.Parameters("seven.test", "Seven", "owner@seven.test", new SiteDefinition("seven.test", "d7", Profile: "minimal")));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        Assert.DoesNotContain(h.Server.Commands, c => c.Contains("drush", StringComparison.Ordinal));
        var run = Installer(h);
        Assert.NotNull(run);
        Assert.Equal(ScriptUser.Unshare, run.Program);   // dropped to the script user, never root
        var script = FakeTransport.Unwrapped(run).Arguments[0];
        Assert.StartsWith("/tmp/aegir-run-", script);
        Assert.Equal("/srv/d7", run.WorkingDirectory);
        var login = Assert.IsType<InstallResult>(outcome.Result);
        Assert.Equal("admin", login.AdminUser);
        Assert.False(string.IsNullOrEmpty(login.AdminPassword));
        var site = h.Store.GetFresh<AegirSite>("seven.test", "Uri");
        // Everything it is told comes on its input, the passwords too; nothing secret is an argument.
        var input = JsonDocument.Parse(run.StandardInput!).RootElement;
        Assert.Equal(("seven.test", "minimal", "en", "Seven", "admin", "owner@seven.test"),
            (input.GetProperty("uri").GetString(), input.GetProperty("profile").GetString(), input.GetProperty("locale").GetString(),
             input.GetProperty("title").GetString(), input.GetProperty("admin_user").GetString(), input.GetProperty("admin_email").GetString()));
        Assert.Equal(login.AdminPassword, input.GetProperty("admin_password").GetString());
        Assert.Equal(site.DbName, input.GetProperty("server").GetProperty("db_name").GetString());
        Assert.Equal(h.Databases.Users[site.DbName!].Password, input.GetProperty("server").GetProperty("db_passwd").GetString());
        Assert.DoesNotContain(login.AdminPassword!, run.ToString());
        Assert.DoesNotContain(h.Databases.Users[site.DbName!].Password, run.ToString());
        Assert.DoesNotContain(login.AdminPassword!, string.Join("\n", outcome.Task.Log.Select(l => l.Message)));
    }

    [Theory]
    [InlineData("{\"installed\":false,\"admin\":0}\n", "InstallNotConfirmed")]
    [InlineData("", "InstallerFailed")]
    public void A_drupal_7_install_that_drupal_does_not_confirm_fails_and_leaves_nothing(string output, string id)
    {
        using var h = new FakeHosting();
        h.Platform("d7", "drupal7");
        h.Server.Handler = spec => FakeTransport.Unwrapped(spec) is { Program: "php" }
            ? new CommandResult(output.Length == 0 ? 4 : 0, output, output.Length == 0 ? "The following requirements..." : "", TimeSpan.Zero)
            : FakeTransport.Ok;
        var outcome = h.Run(new InstallSite.Parameters("seven.test", null, null, new SiteDefinition("seven.test", "d7")));
        Assert.False(outcome.Succeeded);
        Assert.Equal(id, outcome.Task.ErrorId);
        Assert.Contains("Drupal 7's installer", outcome.Task.Error);
        Assert.False(h.Store.Exists("seven.test"));
        Assert.Empty(h.Databases.Databases);
        Assert.Equal(PathKind.None, h.Server.Kind("/srv/d7/sites/seven.test"));
    }
}
