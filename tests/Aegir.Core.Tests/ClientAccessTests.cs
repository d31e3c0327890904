using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations.Client;
using Aegir.Core.Operations.Site;

namespace Aegir.Core.Tests;

/// <summary>A client's group on its sites' files, and the people it grants, on the fake server: what is run, and what is refused.</summary>
public class ClientAccessTests
{
    [Fact]
    public void A_client_site_gets_the_group_made_its_people_in_it_and_its_acl_entries()
    {
        using var h = new FakeHosting();
        OperationScenario.ClientSite(h);
        Assert.Contains("acme", h.Server.Groups);
        Assert.Contains(h.Server.Commands, c => c == "groupadd --system --force -- acme");
        // Read and write, inherited, where the site writes; read of its other own folders.
        // Walked as the files' owner, over what it owns: setfacl follows a link a site's code swaps in, to nothing it may change.
        Assert.Contains(h.Server.Commands, c => c.Contains("--reuid=", StringComparison.Ordinal) && c.Contains("find -P /srv/php/files/shop.test -type d -user aegir -execdir setfacl -m g:acme:rwx,d:g:acme:rwx", StringComparison.Ordinal));
        Assert.Contains(h.Server.Commands, c => c.Contains("--reuid=", StringComparison.Ordinal) && c.Contains("find -P /srv/php/files/shop.test -type f -user aegir -execdir setfacl -m g:acme:rw", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Server.Commands, c => c.StartsWith("find", StringComparison.Ordinal) && c.Contains("setfacl -m", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Server.Commands, c => c.Contains("setfacl -m", StringComparison.Ordinal) && c.Contains("/srv/php ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failed_install_keeps_a_group_another_site_of_the_client_came_to_rely_on()
    {
        using var h = new FakeHosting();
        h.Platform("php", "php");
        h.Store.Create(new AegirClient("client_acme"));
        // The other site is installed beside this task, after it made the group: the undo finds it serving.
        h.Runner.Faults = (_, description, after) =>
        {
            if (!after || !description.StartsWith("Giving the group acme", StringComparison.Ordinal)) return null;
            h.Store.Create(new AegirSite("other.test") { PlatformName = "platform_php", ClientName = "acme", Status = SiteStatus.Installed });
            return new InvalidOperationException("injected fault");
        };
        var outcome = h.Run(new InstallSite.Parameters("shop.test", null, null, new SiteDefinition("shop.test", "php", Client: "acme")));
        Assert.False(outcome.Succeeded);
        Assert.Contains("acme", h.Server.Groups);
        Assert.Contains(outcome.Task.Log, e => e.Message.Contains("The group acme on '@server_master' was kept"));
        Assert.False(h.Store.Exists("shop.test"));
    }

    [Fact]
    public void A_site_without_a_client_gets_no_group_and_no_entries()
    {
        using var h = new FakeHosting();
        h.Platform("php", "php");
        Assert.True(h.Run(new InstallSite.Parameters("n.test", null, null, new SiteDefinition("n.test", "php"))).Succeeded);
        Assert.DoesNotContain(h.Server.Commands, c => c.StartsWith("groupadd", StringComparison.Ordinal) || c.Contains("setfacl -m", StringComparison.Ordinal));
    }

    [Fact]
    public void A_server_without_setfacl_is_refused_naming_the_package_and_the_group_goes_again()
    {
        using var h = new FakeHosting();
        h.Platform("php", "php");
        h.Store.Create(new AegirClient("client_acme"));
        h.Server.Handler = spec => spec.Program == "setfacl" ? new Transport.CommandResult(127, "", "setfacl: not found", TimeSpan.Zero) : FakeTransport.Ok;
        var outcome = h.Run(new InstallSite.Parameters("shop.test", null, null, new SiteDefinition("shop.test", "php", Client: "acme")));
        Assert.False(outcome.Succeeded);
        Assert.Contains("apt-get install acl", outcome.Task.Error);
        Assert.DoesNotContain("acme", h.Server.Groups);
        Assert.False(h.Store.Exists("shop.test"));
    }

    [Fact]
    public void A_group_that_is_a_login_s_own_is_refused()
    {
        using var h = new FakeHosting();
        h.Platform("php", "php");
        h.Server.Groups.Add("acme");
        h.Store.Create(new AegirClient("client_acme"));
        h.AnswerAsUsual();
        h.Server.Handler = spec => spec is { Program: "getent", Arguments: ["passwd"] } ? new Transport.CommandResult(0, "acme:x:1500:" + (1000 + Math.Abs("acme".GetHashCode() % 1000)) + "::/home/acme:/bin/bash\n", "", TimeSpan.Zero)
            : spec.Program == "getent" ? new Transport.CommandResult(0, $"{spec.Arguments[^1]}:x:{1000 + Math.Abs(spec.Arguments[^1].GetHashCode() % 1000)}:\n", "", TimeSpan.Zero) : FakeTransport.Ok;
        var outcome = h.Run(new InstallSite.Parameters("shop.test", null, null, new SiteDefinition("shop.test", "php", Client: "acme")));
        Assert.False(outcome.Succeeded);
        Assert.Contains("own group of the user acme", outcome.Task.Error);
    }

    [Fact]
    public void A_group_on_the_server_that_the_module_did_not_make_is_refused_before_anything_changes()
    {
        using var h = new FakeHosting();
        h.Platform("php", "php");
        h.Server.Groups.Add("acme");
        h.Server.Accounts["alice"] = "uid=1001(alice) gid=1001(alice) groups=1001(alice)";
        h.Store.Create(new AegirClient("client_acme"));
        var before = h.Snapshot();
        var outcome = h.Run(new InstallSite.Parameters("shop.test", null, null, new SiteDefinition("shop.test", "php", Client: "acme")));
        Assert.False(outcome.Succeeded);
        Assert.Contains("The group acme is on '@server_master' already, and the module did not make it for the client 'acme'", outcome.Task.Error);
        Assert.Contains("Set-AegirClient acme -UnixGroup acme -AdoptGroup", outcome.Task.Error);
        Assert.DoesNotContain(outcome.Task.Log, e => e.Message.StartsWith("Creating database", StringComparison.Ordinal));
        Assert.Equal(before, h.Snapshot());
        Assert.False(h.Store.Exists("shop.test"));
    }

    [Fact]
    public void A_grant_where_the_group_is_not_the_clients_makes_no_login()
    {
        using var h = new FakeHosting();
        OperationScenario.ClientSite(h);
        // The group goes and someone else makes one of its name: the module's note no longer holds its number.
        Assert.True(h.Server.ChangeAccounts(new Transport.CommandSpec("groupdel", ["--", "acme"])).Succeeded);
        var gid = 1000 + Math.Abs("acme".GetHashCode() % 1000);
        new ClientGroupMark("server_master", "acme", "client_acme", gid + 1, Made: true).Save(h.Home.Path);
        h.Server.Groups.Add("acme");
        var outcome = h.Run(new GrantClientAccess.Parameters("client_acme", "bob", Create: true));
        Assert.False(outcome.Succeeded);
        Assert.Contains("did not make it for the client 'acme'", outcome.Task.Error);
        Assert.False(h.Server.UserExists("bob"));
        Assert.DoesNotContain(h.Store.GetFresh<AegirClient>("client_acme", "Client").People, p => p == "bob");
    }

    [Fact]
    public void An_adopted_group_is_used_and_never_deleted()
    {
        using var h = new FakeHosting();
        h.Platform("php", "php");
        h.Server.Groups.Add("team");
        h.Store.Create(new AegirClient("client_acme") { UnixGroup = "team", AdoptGroup = true });
        Assert.True(h.Run(new InstallSite.Parameters("shop.test", null, null, new SiteDefinition("shop.test", "php", Client: "acme"))).Succeeded);
        Assert.False(ClientGroupMark.Find(h.Home.Path, "server_master", "team")!.Made);
        Assert.True(h.Run(new Operations.Site.DeleteSite.Parameters("shop.test", Backup: false)).Succeeded);
        var removal = h.Run(new DeleteClient.Parameters("client_acme"));
        Assert.True(removal.Succeeded, removal.Task.Error);
        Assert.Contains("team", h.Server.Groups);
        Assert.DoesNotContain(h.Server.Commands, c => c.StartsWith("groupdel", StringComparison.Ordinal));
        Assert.Null(ClientGroupMark.Find(h.Home.Path, "server_master", "team"));
        Assert.False(h.Store.Exists("client_acme"));
    }

    [Fact]
    public void A_change_of_client_that_fails_gives_the_old_group_its_entries_back()
    {
        using var h = new FakeHosting();
        OperationScenario.ClientSite(h);
        h.Store.Create(new AegirClient("client_globex"));
        var acme = 1000 + Math.Abs("acme".GetHashCode() % 1000);   // the fake's getent
        h.AnswerAsUsual();
        h.Server.Handler = spec => spec.Program switch
        {
            "getfacl" => new Transport.CommandResult(0, $"# file: /srv/php/files/shop.test\ngroup:{acme}:rwx\ndefault:group:{acme}:rwx\n", "", TimeSpan.Zero),
            "getent" when spec.Arguments is ["group", var gid] && gid == acme.ToString() => new Transport.CommandResult(0, $"acme:x:{acme}:\n", "", TimeSpan.Zero),
            "getent" => new Transport.CommandResult(0, $"{spec.Arguments[^1]}:x:{1000 + Math.Abs(spec.Arguments[^1].GetHashCode() % 1000)}:\n", "", TimeSpan.Zero),
            "groupadd" or "groupdel" or "usermod" or "gpasswd" => h.Server.ChangeAccounts(spec),
            _ => FakeTransport.Ok,
        };
        h.Server.Commands.Clear();
        h.Runner.Faults = (_, description, after) => after && description.StartsWith("Giving the group globex", StringComparison.Ordinal) ? new InvalidOperationException("injected fault") : null;
        var outcome = h.Run(new VerifySite.Parameters("shop.test", new SiteChanges { Client = "globex" }));
        Assert.False(outcome.Succeeded);
        var taken = h.Server.Commands.FindIndex(c => c.Contains("setfacl -n -x g:acme,d:g:acme", StringComparison.Ordinal));
        var given = h.Server.Commands.FindIndex(c => c.Contains("setfacl -n -x g:globex,d:g:globex", StringComparison.Ordinal));
        var back = h.Server.Commands.FindLastIndex(c => c.Contains("setfacl -m g:acme:rwx,d:g:acme:rwx", StringComparison.Ordinal));
        Assert.True(taken >= 0 && given > taken && back > given, string.Join('\n', h.Server.Commands));
        Assert.Equal("client_acme", h.Store.GetFresh<AegirSite>("shop.test", "Uri").ClientName);
    }

    [Fact]
    public void A_command_as_a_person_runs_only_on_the_sites_of_a_client_that_grants_them()
    {
        using var h = new FakeHosting();
        OperationScenario.ClientSite(h);
        Assert.True(h.Run(new GrantClientAccess.Parameters("client_acme", "alice")).Succeeded);
        h.Store.Create(new AegirClient("client_globex"));
        Assert.True(h.Run(new InstallSite.Parameters("other.test", null, null, new SiteDefinition("other.test", "php", Client: "globex"))).Succeeded);
        h.AnswerAsUsual();

        h.Server.Runs.Clear();
        Assert.True(SiteCommand.Run(h.Engine, "shop.test", ["php", "-v"], TimeSpan.FromMinutes(1), "alice").Succeeded);
        var run = Assert.Single(h.Server.Runs, r => r.Arguments.Contains("php"));
        Assert.Contains("--reuid=1001", run.Arguments);

        h.Server.Runs.Clear();
        var ex = Assert.Throws<AegirException>(() => SiteCommand.Run(h.Engine, "other.test", ["php", "-v"], TimeSpan.FromMinutes(1), "alice"));
        Assert.Equal("PersonNotGranted", ex.ErrorId);
        Assert.Contains("alice may not run commands on other.test", ex.Message);
        Assert.Contains("'globex'", ex.Message);
        Assert.Contains("'acme'", ex.Message);
        Assert.Contains("Grant-AegirClientAccess -Client globex -User alice", ex.Message);
        Assert.DoesNotContain(h.Server.Runs, r => r.Arguments.Contains("php"));

        Assert.True(h.Run(new RevokeClientAccess.Parameters("client_acme", "alice")).Succeeded);
        Assert.Equal("PersonNotGranted", Assert.Throws<AegirException>(() => SiteCommand.Run(h.Engine, "shop.test", ["id"], TimeSpan.FromMinutes(1), "alice")).ErrorId);
    }

    [Fact]
    public void An_account_with_root_s_powers_is_granted_nothing()
    {
        using var h = new FakeHosting();
        OperationScenario.ClientSite(h);
        h.Server.Accounts["eve"] = "uid=1002(eve) gid=1002(eve) groups=1002(eve),999(docker)";
        var outcome = h.Run(new GrantClientAccess.Parameters("client_acme", "eve"));
        Assert.False(outcome.Succeeded);
        Assert.Contains("docker", outcome.Task.Error);
        Assert.DoesNotContain("acme", h.Server.Accounts["eve"]);
        Assert.Empty(h.Store.GetFresh<AegirClient>("client_acme", "Name").People);
    }
}
