using Aegir.Core.Contexts;
using Aegir.Core.Services.Php;
using Aegir.Core.Templates;

namespace Aegir.Core.Tests;

public class PhpPoolTests
{
    [Theory]
    [InlineData("a.example")]
    [InlineData("www.a-very-long-site-name-that-goes-on.example.com")]
    [InlineData("1.example")]
    [InlineData("xn--bcher-kva.example")]
    [InlineData("---.example")]
    public void An_account_name_is_a_valid_posix_name_of_at_most_32_characters(string uri)
    {
        var name = SiteAccount.NameFor(uri);
        Assert.True(name.Length <= 32, name);
        Assert.Equal(name, Validate.PosixName("name", name));
        Assert.False(AccountNames.IsServiceName(name));
        Assert.Equal(name, SiteAccount.NameFor(uri));
    }

    [Fact]
    public void Uris_that_read_alike_once_cut_get_accounts_of_their_own()
    {
        var a = SiteAccount.NameFor("shop.customer-with-a-long-name.example.com");
        var b = SiteAccount.NameFor("shop.customer-with-a-long-name.example.org");
        Assert.NotEqual(a, b);
        Assert.StartsWith("shop-customer-with-a-long", a);
    }

    [Fact]
    public void A_value_in_a_pool_file_is_read_back_as_it_is()
    {
        Assert.Equal("\"plain\"", PhpPools.Quote("plain"));
        Assert.Equal("\"p\\\"q\\\\r\\$s\\${x}';#=\"", PhpPools.Quote("p\"q\\r$s${x}';#="));
    }

    static PhpPools Pools(out AegirServer server)
    {
        server = new AegirServer("server_web1") { RemoteHost = "web1.example" };
        server.Http.ChangeType("nginx");
        server.Http.Set("php_site_dir", "/var/lib/aegir/php");
        using var transport = new FakeTransport();
        return new PhpPools(server, transport, new TemplateRenderer(Path.GetTempPath()));
    }

    [Fact]
    public void A_pool_runs_as_the_site_on_its_own_socket_with_its_secrets_in_its_environment_and_its_disk_limited()
    {
        var pools = Pools(out _);
        var account = SiteAccount.NameFor("a.example");
        var text = pools.Render("a.example", account, "/srv/wp", WebTuning.None, new Dictionary<string, string> { ["db_passwd"] = "S3cret\"$x", ["aegir_site"] = "a.example" });

        Assert.Contains($"[{account}]\nuser = {account}\ngroup = {account}\n", text);
        Assert.Contains($"listen = /var/lib/aegir/php/{account}/php.sock\n", text);
        Assert.Contains("listen.owner = www-data\n", text);
        Assert.Contains("listen.mode = 0600\n", text);
        Assert.Contains("pm = ondemand\npm.max_children = 5\npm.process_idle_timeout = 10s\n", text);
        Assert.Contains("clear_env = yes\n", text);
        Assert.Contains("env[db_passwd] = \"S3cret\\\"\\$x\"\n", text);
        Assert.Contains($"php_admin_value[open_basedir] = /srv/wp/:/var/lib/aegir/php/{account}/tmp/:/var/lib/aegir/php/{account}/sessions/:/usr/share/php/\n", text);
        Assert.Contains($"php_admin_value[session.save_path] = /var/lib/aegir/php/{account}/sessions\n", text);
        Assert.DoesNotContain("\n\n", text);
    }

    [Fact]
    public void A_sites_limits_go_into_its_pool()
    {
        var pools = Pools(out _);
        var tuning = WebTuning.From(new Dictionary<string, string> { ["pm"] = "dynamic", ["max_children"] = "12", ["memory_limit"] = "512m", ["timeout"] = "300", ["upload_max"] = "128m" },
            (k, v, why) => new InvalidOperationException(why));
        var text = pools.Render("a.example", "a-example-1", "/srv/wp", tuning, new Dictionary<string, string>());

        Assert.Contains("pm = dynamic\npm.max_children = 12\npm.start_servers = 1\n", text);
        Assert.Contains("pm.max_spare_servers = 6\n", text);
        Assert.Contains("php_admin_value[memory_limit] = 512M\n", text);
        Assert.Contains("php_admin_value[max_execution_time] = 300\n", text);
        Assert.Contains("request_terminate_timeout = 330s\n", text);
        Assert.Contains("php_admin_value[upload_max_filesize] = 128M\n", text);
    }

    [Theory]
    [InlineData("pm", "adaptive", "ondemand, dynamic, static")]
    [InlineData("max_children", "0", "from 1 to 512")]
    [InlineData("max_children", "9999", "from 1 to 512")]
    [InlineData("memory_limit", "1M", "from 16M to 16G")]
    [InlineData("memory_limit", "-1", "from 16M to 16G")]
    public void A_pool_limit_out_of_range_is_refused(string key, string value, string why)
        => Assert.Contains(why, WebTuning.Problem(key, value));

    [Fact]
    public void A_shared_pool_server_keeps_its_sites_in_one_pool()
    {
        var server = new AegirServer("server_web1") { RemoteHost = "web1.example" };
        server.Http.ChangeType("nginx");
        using var root = new FakeTransport();
        Assert.True(PhpPools.PerSite(server, root));
        server.Http.Set("php_pools", "shared");
        Assert.False(PhpPools.PerSite(server, root));
        var error = Assert.ThrowsAny<Exception>(() => server.Http.Set("php_pools", "each"));
        Assert.Contains("per-site, shared", error.Message);
    }
}
