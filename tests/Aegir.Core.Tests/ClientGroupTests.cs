using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

/// <summary>A client's UNIX group: a name every system takes, the client's own, never a system or service group; and who may be granted.</summary>
public class ClientGroupTests
{
    [Theory]
    [InlineData("acme", "acme")]
    [InlineData("averyveryverylongclientname", "averyveryverylon")]
    [InlineData("1und1", "c1und1")]
    [InlineData("1234567890123456789", "c123456789012345")]
    public void The_default_group_is_the_short_name_cut_to_16_with_a_letter_first(string shortName, string group)
    {
        Assert.Equal(group, ClientGroups.Default(shortName));
        Assert.Null(ClientGroups.Problem(group));
        Assert.Equal(group, new AegirClient("client_" + shortName).UnixGroup);
    }

    [Theory]
    [InlineData("c-acme")]
    [InlineData("acme_web")]
    [InlineData("a")]
    [InlineData("abcdefghijklmnop")]
    public void A_name_every_system_takes_is_accepted(string group) => Assert.Equal(group, ClientGroups.Check("UnixGroup", group));

    [Theory]
    [InlineData("abcdefghijklmnopq", "16")]          // 17 characters: past the seed's safe limit
    [InlineData("Acme", "lowercase")]
    [InlineData("-acme", "lowercase")]
    [InlineData("_acme", "lowercase")]
    [InlineData("1acme", "lowercase")]
    [InlineData("ac me", "lowercase")]
    [InlineData("acme$", "lowercase")]
    [InlineData("acmé", "lowercase")]
    public void A_name_some_system_refuses_is_refused_with_the_limit(string group, string said)
    {
        var ex = Assert.Throws<AegirException>(() => new AegirClient("client_acme") { UnixGroup = group });
        Assert.Equal("InvalidValue", ex.ErrorId);
        Assert.Contains(said, ex.Message);
        Assert.Contains("-UnixGroup", ex.Message);
    }

    [Theory]
    [InlineData("root")]
    [InlineData("sudo")]
    [InlineData("wheel")]
    [InlineData("adm")]
    [InlineData("shadow")]
    [InlineData("disk")]
    [InlineData("docker")]
    [InlineData("wireshark")]
    [InlineData("postdrop")]
    [InlineData("lpadmin")]
    [InlineData("tcpdump")]
    [InlineData("lxd")]
    [InlineData("staff")]
    [InlineData("www-data")]
    [InlineData("aegir")]
    [InlineData("mysql")]
    [InlineData("postgres")]
    [InlineData("nobody")]
    [InlineData("systemd-journal")]
    [InlineData("kmem")]
    public void A_system_or_service_group_is_refused(string group)
    {
        var ex = Assert.Throws<AegirException>(() => ClientGroups.Check("UnixGroup", group));
        Assert.Matches("system group|service runs as", ex.Message);
    }

    [Fact]
    public void A_group_another_client_records_is_refused_naming_both()
    {
        using var home = new TestHome();
        home.Store.Create(new AegirClient("client_acme"));
        var ex = Assert.Throws<AegirException>(() => home.Store.Create(new AegirClient("client_globex") { UnixGroup = "acme" }));
        Assert.Equal("ClientGroupTaken", ex.ErrorId);
        Assert.Contains("'acme'", ex.Message);
        Assert.Contains("'globex'", ex.Message);
        Assert.False(home.Store.Exists("client_globex"));
        // Nor may a change take it; a client keeps its own.
        home.Store.Create(new AegirClient("client_globex"));
        Assert.Throws<AegirException>(() => home.Store.Modify<AegirClient>("client_globex", "Name", c => c.UnixGroup = "acme"));
        Assert.Equal("globex", home.Store.GetFresh<AegirClient>("client_globex", "Name").UnixGroup);
        home.Store.Modify<AegirClient>("client_acme", "Name", c => c.Email = "ops@acme.example");
    }

    [Fact]
    public void A_client_named_for_a_system_group_must_be_given_one()
    {
        using var home = new TestHome();
        var ex = Assert.Throws<AegirException>(() => home.Store.Create(new AegirClient("client_staff")));
        Assert.Contains("-UnixGroup", ex.Message);
        home.Store.Create(new AegirClient("client_staff") { UnixGroup = "c-staff" });
        Assert.Equal("c-staff", home.Store.GetFresh<AegirClient>("client_staff", "Name").UnixGroup);
    }

    [Fact]
    public void The_web_group_or_script_user_of_a_server_is_refused()
    {
        using var home = new TestHome();
        var master = home.Store.GetFresh<AegirServer>(ContextNames.Master, "Name");
        home.Store.Modify<AegirServer>(master.Name, "Name", s => s.ScriptUser = "hoster");
        var ex = Assert.Throws<AegirException>(() => home.Store.Create(new AegirClient("client_hoster")));
        Assert.Contains("script user of '@server_master'", ex.Message);
    }

    [Fact]
    public void A_record_written_under_older_rules_loads_and_its_group_is_refused_where_it_is_used()
    {
        using var home = new TestHome();
        home.Store.Create(new AegirClient("client_acme") { UnixGroup = "c-acme" });
        var path = home.Store.PathOf("client_acme");
        File.WriteAllText(path, File.ReadAllText(path).Replace("unix_group: c-acme", "unix_group: www-data"));
        var client = new ContextStore(home.Path).Get<AegirClient>("client_acme", "Name");
        Assert.Equal("www-data", client.UnixGroup);
        var ex = Assert.Throws<AegirException>(() => ClientGroups.Require(client));
        Assert.Contains("Set-AegirClient acme -UnixGroup", ex.Message);
        // Its other fields still change; its group changes to one it may have.
        new ContextStore(home.Path).Modify<AegirClient>("client_acme", "Name", c => c.Email = "ops@acme.example");
        new ContextStore(home.Path).Modify<AegirClient>("client_acme", "Name", c => c.UnixGroup = "c-acme");
        Assert.Equal("c-acme", ClientGroups.Require(new ContextStore(home.Path).Get<AegirClient>("client_acme", "Name")));
    }

    [Fact]
    public void The_people_round_trip_sorted_and_once_each()
    {
        using var home = new TestHome();
        home.Store.Create(new AegirClient("client_acme") { People = ["bob", "alice", "bob"] });
        Assert.Equal(["alice", "bob"], new ContextStore(home.Path).Get<AegirClient>("client_acme", "Name").People);
    }

    [Theory]
    [InlineData("root")]
    [InlineData("www-data")]
    [InlineData("aegir")]
    [InlineData("nobody")]
    [InlineData("mysql")]
    [InlineData("systemd-network")]
    [InlineData("Alice")]
    [InlineData("al ice")]
    public void Root_services_and_no_names_are_no_one_to_grant(string user)
        => Assert.Equal("InvalidValue", Assert.Throws<AegirException>(() => ClientPeople.Check("User", user)).ErrorId);

    [Theory]
    [InlineData("uid=0(root) gid=0(root) groups=0(root)", "uid 0")]
    [InlineData("uid=1001(eve) gid=1001(eve) groups=1001(eve),6(disk)", "disk")]
    [InlineData("uid=1001(eve) gid=1001(eve) groups=1001(eve),999(docker)", "docker")]
    [InlineData("uid=1001(eve) gid=1001(eve) groups=1001(eve),42(shadow)", "shadow")]
    [InlineData("uid=1001(eve) gid=0(root) groups=0(root)", "group 0")]
    [InlineData("uid=33(web) gid=33(www-data) groups=33(www-data)", "service")]
    [InlineData("uid=120(deploy) gid=120(deploy) groups=120(deploy)", "system account")]
    public void An_account_with_powers_is_refused_on_the_server(string id, string said)
        => Assert.Contains(said, Operations.Client.GrantClientAccess.Refused(UserAccount.Parse(id.Split('(', ')')[1], id)!, "www-data"));

    [Fact]
    public void A_person_is_granted()
        => Assert.Null(Operations.Client.GrantClientAccess.Refused(UserAccount.Parse("alice", "uid=1001(alice) gid=1001(alice) groups=1001(alice),1002(acme)")!, "www-data"));

    [Theory]
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop", null)]
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", null)]
    [InlineData("command=\"/bin/sh\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", "key type")]
    [InlineData("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", "not a ssh-rsa key")]
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl a\nssh-ed25519 AAAA", "more than one line")]
    [InlineData("ssh-ed25519 not-base64!", "base64")]
    [InlineData("", "empty")]
    public void An_ssh_key_is_one_public_key_line(string line, string? said)
    {
        var problem = SshPublicKey.Problem(line);
        if (said is null) Assert.Null(problem);
        else Assert.Contains(said, problem);
    }
}
