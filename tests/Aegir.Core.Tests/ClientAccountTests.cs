using Aegir.Core.Contexts;
using Aegir.Core.Services.Php;

namespace Aegir.Core.Tests;

/// <summary>All sites of a client as one account (php_accounts per-client): its name, its mark, the setting, the pool.</summary>
public class ClientAccountTests
{
    const string Home = "/root/.aegir";

    [Theory]
    [InlineData("acme")]
    [InlineData("a-client-whose-name-goes-on-and-on")]
    [InlineData("1st")]
    [InlineData("ACME_Corp")]
    public void A_clients_account_name_is_a_valid_posix_name_of_at_most_32_characters(string client)
    {
        var name = AccountNames.ForClient(client, Home);
        Assert.True(name.Length <= 32, name);
        Assert.Equal(name, Validate.PosixName("name", name));
        Assert.False(AccountNames.IsServiceName(name));
        Assert.Equal(name, AccountNames.ForClient(client, Home + "/"));
        Assert.Matches("^[a-z][a-z0-9-]*-[0-9a-f]{6}$", name);
    }

    [Fact]
    public void A_clients_account_is_never_a_sites_nor_another_homes()
    {
        Assert.StartsWith("acme-", AccountNames.ForClient("acme", Home));
        Assert.NotEqual(AccountNames.ForSite("acme", Home), AccountNames.ForClient("acme", Home));
        Assert.NotEqual(AccountNames.ForClient("acme", "/srv/one/.aegir"), AccountNames.ForClient("acme", "/srv/two/.aegir"));
        Assert.NotEqual(AccountNames.ForClient("acme", Home), AccountNames.ForClient("globex", Home));
    }

    [Fact]
    public void A_clients_account_is_marked_with_the_client_and_the_home()
    {
        var account = PhpAccount.ForClient("acme", Home);
        Assert.StartsWith("Aegir client acme (home ", account.Comment);
        Assert.Equal("client acme", account.Of);
        Assert.Equal("acme", account.Client);
        Assert.NotEqual(account.Comment, PhpAccount.ForClient("acme", "/srv/two/.aegir").Comment);
        Assert.Null(PhpAccount.ForSite("a.example", Home).Client);
    }

    [Fact]
    public void Only_an_account_whose_name_and_comment_are_this_homes_is_ours()
    {
        var client = PhpAccount.ForClient("acme", Home);
        var site = PhpAccount.ForSite("a.example", Home);
        Assert.Equal(client, PhpAccount.Ours(client.Name, client.Comment, Home));
        Assert.Equal(site, PhpAccount.Ours(site.Name, site.Comment, Home));
        Assert.Null(PhpAccount.Ours(client.Name, client.Comment, "/srv/two/.aegir"));   // another home's
        Assert.Null(PhpAccount.Ours("alice", client.Comment, Home));                     // a name that is not the client's
        Assert.Null(PhpAccount.Ours(client.Name, "Alice Example,,,", Home));             // a person's
        Assert.Null(PhpAccount.Ours(client.Name, "", Home));
        Assert.True(PhpAccount.Marked(client.Comment));
        Assert.False(PhpAccount.Marked("Alice Example"));
    }

    [Fact]
    public void The_setting_takes_per_site_or_per_client_and_refuses_anything_else_naming_both()
    {
        var server = new AegirServer("server_web1") { RemoteHost = "web1.example" };
        server.Http.ChangeType("nginx");
        Assert.Equal("per-site", server.Http.Get("php_accounts"));
        server.Http.Set("php_accounts", "per-client");
        Assert.Equal("per-client", server.Http.Get("php_accounts"));
        var error = Assert.ThrowsAny<Exception>(() => server.Http.Set("php_accounts", "per-user"));
        Assert.Contains("per-site, per-client", error.Message);
        Assert.Equal("per-client", server.Http.Get("php_accounts"));   // a refused value changes nothing
    }

    [Fact]
    public void A_sites_pool_keeps_its_own_name_socket_and_folders_and_runs_as_its_clients_account()
    {
        var pools = PhpPoolTests.Pools(out _);
        var pool = AccountNames.ForSite("a.example", Home);
        var user = AccountNames.ForClient("acme", Home);
        var text = pools.Render("a.example", pool, user, "/srv/wp", WebTuning.None, new Dictionary<string, string> { ["db_name"] = "aexample" });

        Assert.Contains($"[{pool}]\nuser = {user}\ngroup = {user}\n", text);
        Assert.Contains($"listen = /var/lib/aegir/php/{pool}/php.sock\n", text);
        Assert.Contains($"php_admin_value[session.save_path] = /var/lib/aegir/php/{pool}/sessions\n", text);
        Assert.Contains($"php_admin_value[open_basedir] = /srv/wp/:/var/lib/aegir/php/{pool}/tmp/:/var/lib/aegir/php/{pool}/sessions/:/usr/share/php/\n", text);
        Assert.Contains("env[db_name] = \"aexample\"\n", text);
        Assert.Equal(pools.PoolPath(pool), Path.Combine(Path.GetDirectoryName(pools.PoolPath(pool))!, $"aegir-{pool}.conf"));
    }

    [Fact]
    public void Verify_of_a_server_whose_sites_share_one_pool_warns_that_per_client_does_nothing_there()
    {
        using var hosting = new FakeHosting();
        hosting.Engine.Edit<AegirServer>(ContextNames.Master, "Name", s =>
        {
            s.Http.Set("php_pools", "shared");
            s.Http.Set("php_accounts", "per-client");
        });
        var task = hosting.Run(new Operations.Server.VerifyServer.Parameters(ContextNames.Master));
        Assert.True(task.Succeeded);
        Assert.Contains(task.Task.Log, e => e.Level == Tasks.TaskLogLevel.Warning && e.Message.Contains("php_accounts is per-client") && e.Message.Contains("php_pools = 'per-site'"));
    }
}
