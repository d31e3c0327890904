using Aegir.Core.Local;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.IO;
using Aegir.Core.Operations.Platform;
using Aegir.Core.Operations.Server;
using Aegir.Core.Operations.Site;
using Aegir.Core.Platforms;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

/// <summary>No command for a site runs as root: the script user is looked up on the server, refused when it holds root's powers, and dropped to with setpriv.</summary>
public class ScriptUserTests
{
    const string Drop = "/usr/bin/unshare --pid --fork --kill-child --mount-proc -- /usr/bin/setpriv --pdeathsig KILL --reuid=998 --regid=998 --init-groups --no-new-privs -- /usr/bin/setsid /bin/sh -c 'umask 007 && exec \"$0\" \"$@\"'";

    static AegirServer Master(string user) => new(ContextNames.Master) { ScriptUser = user };

    [Fact]
    public void An_id_line_is_read_with_its_groups_named_or_not()
    {
        var account = UserAccount.Parse("aegir", "uid=998(aegir) gid=997(aegir) groups=997(aegir),33(www-data),4242\n")!;
        Assert.Equal((998, 997), (account.Uid, account.Gid));
        Assert.Equal([(997, "aegir"), (33, "www-data"), (4242, "4242")], account.Groups);
        Assert.True(account.InGroup("www-data"));
        Assert.Null(UserAccount.Parse("x", "id: 'x': no such user"));
    }

    [Fact]
    public void A_site_command_runs_through_setpriv_with_the_accounts_own_ids_and_only_the_environment_given()
    {
        var server = new FakeTransport();
        server.CreateDirectory("/tmp", (UnixFileMode)Convert.ToInt32("1777", 8));
        using var shell = SiteShell.Open(server, Master("aegir"));
        var spec = shell.Command("php", ["-v"], "/srv/wp", new Dictionary<string, string> { ["db_name"] = "blogtest" }, TimeSpan.FromMinutes(1));
        Assert.Equal($"{Drop} php -v", spec.ToString());
        Assert.False(spec.InheritEnvironment);
        Assert.Equal(["HOME", "LANG", "PATH", "TMPDIR", "db_name"], spec.Environment!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(shell.Tmp, spec.Environment["HOME"]);
        Assert.Equal("aegir", server.OwnerOf(shell.Tmp)!.Value.User);
    }

    [Theory]
    [InlineData("root", "uid=0(root) gid=0(root) groups=0(root)", "uid 0")]
    [InlineData("toor", "uid=0(toor) gid=0(root) groups=0(root)", "uid 0")]
    [InlineData("aegir", "uid=998(aegir) gid=0(root) groups=0(root)", "group 0")]
    [InlineData("aegir", "uid=998(aegir) gid=998(aegir) groups=998(aegir),0(root)", "group 0")]
    [InlineData("aegir", "uid=998(aegir) gid=998(aegir) groups=998(aegir),33(www-data),999(docker)", "docker")]
    [InlineData("www-data", "uid=33(www-data) gid=33(www-data) groups=33(www-data)", "a service runs as")]
    [InlineData("webuser", "uid=1001(webuser) gid=33(www-data) groups=33(www-data)", "a service runs as")]
    [InlineData("mysql", "uid=101(mysql) gid=101(mysql) groups=101(mysql),33(www-data)", "a service runs as")]
    [InlineData("nobody", "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup),33(www-data)", "a service runs as")]
    [InlineData("systemd-network", "uid=998(systemd-network) gid=998(systemd-network) groups=998(systemd-network),33(www-data)", "a service runs as")]
    [InlineData("aegir", "uid=998(aegir) gid=998(aegir) groups=998(aegir),33(www-data),42(shadow)", "every password hash")]
    [InlineData("aegir", "uid=998(aegir) gid=998(aegir) groups=998(aegir),33(www-data),4(adm)", "every log")]
    public void An_account_with_roots_powers_is_refused_whatever_the_record_says_before_anything_is_made(string user, string id, string why)
    {
        var server = new FakeTransport();
        server.Accounts[user] = id;
        var ex = Assert.Throws<AegirException>(() => SiteShell.Open(server, Master(user)));
        Assert.Equal("ScriptUserPrivileged", ex.ErrorId);
        Assert.Contains(why, ex.Message);
        Assert.Contains("useradd --system --user-group --groups www-data --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin", ex.Message);
        Assert.Contains("Set-AegirServer server_master -ScriptUser aegir", ex.Message);
        Assert.All(server.Commands, c => Assert.StartsWith("id ", c));
        Assert.Empty(server.Nodes);
    }

    [Fact]
    public void A_missing_account_is_refused_with_the_line_that_makes_it()
    {
        var server = new FakeTransport();
        var ex = Assert.Throws<AegirException>(() => SiteShell.Open(server, Master("aegir-web")));
        Assert.Equal("ScriptUserMissing", ex.ErrorId);
        Assert.Contains("useradd --system --user-group --groups www-data --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin --comment 'Aegir script user' aegir-web", ex.Message);
        Assert.Empty(server.Nodes);
    }

    [Fact]
    public void On_this_machine_as_root_a_command_runs_as_the_script_user_with_no_way_back_and_root_is_refused()
    {
        if (!Posix.IsRoot) return;   // only root can switch users
        var local = new LocalTransport();
        var user = LocalScriptUser.Ensure(ScriptUser.Default, "www-data", _ => { });   // made as Start-AegirLocalServer makes it
        using (var shell = SiteShell.Open(local, Master(user)))
        {
            var result = shell.Run("sh", ["-c", "id -u; grep NoNewPrivs /proc/self/status; cat /etc/shadow"], "/", new Dictionary<string, string>(), TimeSpan.FromSeconds(30));
            Assert.StartsWith($"{Posix.UserId(user)}\nNoNewPrivs:\t1\n", result.StandardOutput);
            Assert.Contains("Permission denied", result.StandardError);
            // What it makes, the web group may change too (in a site's folder, setgid to that group); others get nothing.
            var made = shell.Run("sh", ["-c", "umask; mkdir d; touch d/f; stat -c %a d d/f"], shell.Tmp, new Dictionary<string, string>(), TimeSpan.FromSeconds(30));
            Assert.Equal("0007\n770\n660\n", made.StandardOutput);
            // Its words reach the program as they are, never read by the shell that sets the umask.
            var words = shell.Run("printf", ["%s|", "$HOME", "a b", "`id`", ";x"], "/", new Dictionary<string, string>(), TimeSpan.FromSeconds(30));
            Assert.Equal("$HOME|a b|`id`|;x|", words.StandardOutput);
        }
        Assert.Equal("ScriptUserPrivileged", Assert.Throws<AegirException>(() => SiteShell.Open(local, Master("root"))).ErrorId);
        Assert.Equal("ScriptUserPrivileged", Assert.Throws<AegirException>(() => SiteShell.Open(local, Master("nobody"))).ErrorId);
    }

    [Fact]
    public void A_local_server_of_root_names_aegir_and_an_admin_cannot_name_root()
    {
        Assert.Equal(Posix.IsRoot ? "aegir" : Environment.UserName, AegirServer.LocalScriptUser());
        Assert.Equal("InvalidValue", Assert.Throws<AegirException>(() => Validate.ScriptUser("ScriptUser", "root")).ErrorId);
        foreach (var service in new[] { "www-data", "mysql", "postgres", "nobody", "systemd-network", "polkitd", "_apt" })
            Assert.Contains("a service runs as", Assert.Throws<AegirException>(() => Validate.ScriptUser("ScriptUser", service)).Message);
        Assert.Equal("deploy", Validate.ScriptUser("ScriptUser", "deploy"));
        Assert.Equal("aegir", Validate.ScriptUser("ScriptUser", "aegir"));
    }

    [Theory]
    [InlineData("wordpress", "php /tmp/aegir-run-")]
    [InlineData("drupal", "/srv/d/vendor/bin/drush site:install")]
    public void An_installer_runs_as_the_script_user(string kind, string command)
    {
        using var hosting = new FakeHosting();
        hosting.Platform("d", kind);
        var outcome = hosting.Run(new InstallSite.Parameters("s.test", null, null, new SiteDefinition("s.test", "d")));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        Assert.Contains(hosting.Server.Commands, c => c.StartsWith($"{Drop} {command}", StringComparison.Ordinal));
        Assert.DoesNotContain(hosting.Server.Commands, c => c.StartsWith("php ", StringComparison.Ordinal) || c.StartsWith("/srv/d/vendor/bin/drush", StringComparison.Ordinal));
    }

    [Fact]
    public void An_install_on_a_server_recorded_with_root_runs_nothing_and_changes_nothing()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("wp", "wordpress");
        hosting.Store.Modify<AegirServer>(ContextNames.Master, "Name", s => s.ScriptUser = "root");
        var before = hosting.Snapshot();
        var outcome = hosting.Run(new InstallSite.Parameters("blog.test", null, null, new SiteDefinition("blog.test", "wp")));
        Assert.Equal("ScriptUserPrivileged", outcome.Task.ErrorId);
        Assert.Equal(before, hosting.Snapshot());
        Assert.DoesNotContain(hosting.Server.Commands, c => c.Contains("php", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_script_user_is_no_longer_stood_in_for_by_root()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        hosting.Server.Accounts.Remove("aegir");
        var before = hosting.Snapshot();
        var outcome = hosting.Run(new VerifySite.Parameters("blog.test"));
        Assert.Equal("ScriptUserMissing", outcome.Task.ErrorId);
        Assert.Equal(before, hosting.Snapshot());
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("nobody-here", "ScriptUserMissing")]
    [InlineData("root", "ScriptUserPrivileged")]
    [InlineData("outsider", "ScriptUserNotInWebGroup")]
    public void Server_verify_checks_the_script_user_first_and_fails_with_the_fix_changing_nothing(string? user, string? error)
    {
        using var hosting = new FakeHosting();
        hosting.Server.Accounts["outsider"] = "uid=1500(outsider) gid=1500(outsider) groups=1500(outsider)";
        if (user is not null) hosting.Store.Modify<AegirServer>(ContextNames.Master, "Name", s => s.ScriptUser = user);
        var plan = hosting.Engine.Plan(new VerifyServer.Parameters(ContextNames.Master));
        Assert.StartsWith($"check that the script user {user ?? "aegir"} is on @server_master, holds none of root's powers and is in the group www-data", plan[0].Description);
        var before = hosting.Snapshot();
        var outcome = hosting.Run(new VerifyServer.Parameters(ContextNames.Master));
        Assert.Equal(error, outcome.Task.ErrorId);
        if (error is null) Assert.Contains("Commands for its sites run as aegir (uid 998).", outcome.Task.Log.Select(l => l.Message));
        else Assert.Equal(before, hosting.Snapshot());
        if (error == "ScriptUserNotInWebGroup") Assert.Contains("usermod --append --groups www-data outsider", outcome.Task.Error);
    }

    [Fact]
    public void Site_verify_gives_the_script_user_what_root_left_in_the_sites_own_folders_never_following_a_link()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        var outcome = hosting.Run(new VerifySite.Parameters("blog.test"));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        Assert.Contains("find -P /srv/wp/wp-content/uploads/sites/blog.test -user 0 -execdir chown --no-dereference aegir '{}' +", hosting.Server.Commands);
    }

    [Fact]
    public void Platform_verify_fails_when_the_script_user_cannot_read_the_code()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("wp", "wordpress", verified: false);
        hosting.Server.Handler = spec => spec.ToString() == $"{Drop} test -r /srv/wp/index.php" ? FakeTransport.Fail("") : FakeTransport.Ok;
        var outcome = hosting.Run(new VerifyPlatform.Parameters("platform_wp"));
        Assert.Equal("CodebaseUnreadable", outcome.Task.ErrorId);
        Assert.Contains("chmod -R o+rX /srv/wp", outcome.Task.Error);
    }
}
