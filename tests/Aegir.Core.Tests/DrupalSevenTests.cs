using System.Text.Json;
using Aegir.Core.Contexts;
using Aegir.Core.Operations.Site;
using Aegir.Core.Platforms;
using Aegir.Core.Transport;
using Xunit;

namespace Aegir.Core.Tests;

/// <summary>
/// Drupal 7 as a real core is: no drush in its codebase (so its own installer runs), image styles made when first
/// asked for, and sites taken in with what an installer run as root left in their files folder.
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

    [Theory]
    [InlineData("drupal7")]
    [InlineData("drupal")]
    public void Nginx_hands_an_image_style_or_aggregate_not_made_yet_to_drupal_and_still_runs_no_php_there(string kind)
    {
        using var h = new FakeHosting();
        h.Platform("d", kind);
        Assert.True(h.Run(new InstallSite.Parameters("a.test", null, null, new SiteDefinition("a.test", "d"))).Succeeded);
        var vhost = h.Server.Text(h.VhostPath("a.test"));
        var own = vhost[vhost.IndexOf("    location ^~ /sites/a.test/ {", StringComparison.Ordinal)..];
        own = own[..(own.IndexOf("\n    }", StringComparison.Ordinal) + 6)];
        var php = own.IndexOf("location ~ \\.(php|phar|phtml)$ { deny all; }", StringComparison.Ordinal);
        foreach (var folder in new[] { "styles", "css", "js" })
        {
            var rule = own.IndexOf($"location ~ \"^/sites/a\\.test/files/{folder}/\" {{ try_files $uri /index.php?$query_string; }}", StringComparison.Ordinal);
            Assert.True(rule > php && php > 0, $"files/{folder}: its rule stands inside the site's folder, after the one that denies PHP:\n{own}");
        }
        Assert.EndsWith("        try_files $uri =404;\n    }", own);   // anything else not there is a 404, as before
    }

    [Fact]
    public void Wordpress_uploads_send_nothing_to_the_front_controller()
    {
        using var h = new FakeHosting();
        h.Platform("wp", "wordpress");
        Assert.True(h.Run(new InstallSite.Parameters("a.test", null, null, new SiteDefinition("a.test", "wp"))).Succeeded);
        var vhost = h.Server.Text(h.VhostPath("a.test"));
        var own = vhost[vhost.IndexOf("    location ^~ /wp-content/uploads/sites/a.test/ {", StringComparison.Ordinal)..];
        own = own[..(own.IndexOf("\n    }", StringComparison.Ordinal) + 6)];
        Assert.DoesNotContain("index.php", own);
        Assert.EndsWith("        try_files $uri =404;\n    }", own);
    }

    static string Finds(FakeHosting h, string root) => string.Join("\n", h.Server.Commands.Where(c => c.StartsWith($"find -P {root}/sites/", StringComparison.Ordinal)));

    [Fact]
    public void Importing_a_site_gives_its_files_to_the_script_user_and_the_web_group_once_it_answers()
    {
        using var h = new FakeHosting();
        h.Platform("d7", "drupal7");
        h.Databases.Databases.Add("oldseven");
        h.Server.Put("/srv/d7/sites/old7.test/settings.php", "<?php\n$databases['default']['default'] = array('database' => 'oldseven', 'username' => 'oldseven', 'password' => 'Old-Pass-77', 'host' => '127.0.0.1', 'driver' => 'mysql');\n");
        h.Server.CreateDirectory("/srv/d7/sites/old7.test/files/styles", (UnixFileMode)Convert.ToInt32("775", 8));
        var outcome = h.Run(new ImportSite.Parameters("old7.test", "platform_d7", "server_master", "oldseven"));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        var finds = Finds(h, "/srv/d7");
        Assert.Contains("find -P /srv/d7/sites/old7.test -user 0 -execdir chown --no-dereference aegir '{}' +", finds);
        Assert.Contains("find -P /srv/d7/sites/old7.test/files /srv/d7/sites/old7.test/private '!' -type l '!' -group www-data -execdir chgrp --no-dereference www-data '{}' +", finds);
        Assert.Contains("find -P /srv/d7/sites/old7.test/files /srv/d7/sites/old7.test/private -type d '!' -perm -2070 -execdir chmod g+rwxs '{}' +", finds);
        Assert.Contains("find -P /srv/d7/sites/old7.test/files /srv/d7/sites/old7.test/private -type f -perm -200 '!' -perm -060 -execdir chmod g+rw '{}' +", finds);
        // Last: nothing inside the folders changes before the site has answered.
        var steps = outcome.Task.Log.Select(l => l.Message).ToList();
        Assert.True(steps.FindIndex(m => m.StartsWith("Letting the web group www-data write", StringComparison.Ordinal)) > steps.FindIndex(m => m.StartsWith("Checking that http://old7.test/ answers", StringComparison.Ordinal)));
    }

    [Fact]
    public void Verifying_a_site_lets_the_web_group_write_everywhere_in_its_writable_folders_and_nowhere_else()
    {
        using var h = new FakeHosting();
        h.Platform("d7", "drupal7");
        Assert.True(h.Run(new InstallSite.Parameters("seven.test", null, null, new SiteDefinition("seven.test", "d7"))).Succeeded);
        h.Server.Commands.Clear();
        Assert.True(h.Run(new VerifySite.Parameters("seven.test")).Succeeded);
        var finds = Finds(h, "/srv/d7");
        Assert.Contains("find -P /srv/d7/sites/seven.test/files /srv/d7/sites/seven.test/private '!' -type l '!' -group www-data", finds);
        Assert.DoesNotContain("/sites/seven.test/modules", finds);
        Assert.DoesNotContain("/sites/seven.test/private/", finds);   // a folder inside another is walked once
    }
}
