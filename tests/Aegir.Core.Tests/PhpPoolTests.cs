using Aegir.Core.Contexts;
using Aegir.Core.Services.Php;
using Aegir.Core.Tasks;
using Aegir.Core.Templates;
using Aegir.Core.Transport;

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
        var name = SiteAccount.NameFor(uri, "/root/.aegir");
        Assert.True(name.Length <= 32, name);
        Assert.Equal(name, Validate.PosixName("name", name));
        Assert.False(AccountNames.IsServiceName(name));
        Assert.Equal(name, SiteAccount.NameFor(uri, "/root/.aegir"));
    }

    [Fact]
    public void Uris_that_read_alike_once_cut_get_accounts_of_their_own()
    {
        var a = SiteAccount.NameFor("shop.customer-with-a-long-name.example.com", "/root/.aegir");
        var b = SiteAccount.NameFor("shop.customer-with-a-long-name.example.org", "/root/.aegir");
        Assert.NotEqual(a, b);
        Assert.StartsWith("shop-customer-with-a-long", a);
    }

    [Fact]
    public void One_uri_in_two_homes_gets_two_accounts_each_marked_with_its_home()
    {
        Assert.NotEqual(SiteAccount.NameFor("a.example", "/srv/one/.aegir"), SiteAccount.NameFor("a.example", "/srv/two/.aegir"));
        Assert.Equal(SiteAccount.NameFor("a.example", "/srv/one/.aegir"), SiteAccount.NameFor("a.example", "/srv/one/.aegir/"));
        Assert.NotEqual(SiteAccount.Comment("a.example", "/srv/one/.aegir"), SiteAccount.Comment("a.example", "/srv/two/.aegir"));
        Assert.StartsWith("Aegir site a.example (home ", SiteAccount.Comment("a.example", "/srv/one/.aegir"));
    }

    [Fact]
    public void A_value_in_a_pool_file_is_read_back_as_it_is()
    {
        Assert.Equal("\"plain\"", PhpPools.Quote("plain"));
        Assert.Equal("\"p\\\"q\\\\r\\$s\\${x}';#=\"", PhpPools.Quote("p\"q\\r$s${x}';#="));
    }

    [Theory]
    [InlineData("a\nb", "a newline")]
    [InlineData("a\0b", "a NUL character")]
    [InlineData("", "no character at all")]
    public void A_database_password_a_pool_cannot_carry_is_refused_by_name_before_the_pool_is_written(string password, string what)
    {
        var pools = Pools(out _);
        var ex = Assert.Throws<Errors.AegirException>(() => pools.Render("a.example", "a-example", "a-example", "/srv/wp", WebTuning.None,
            new Dictionary<string, string> { ["db_passwd"] = password, ["aegir_site"] = "a.example" }));
        Assert.Equal("PoolValueUncarried", ex.ErrorId);
        Assert.Contains("The database password of a.example has " + what, ex.Message);
        Assert.Contains("password of printable characters", ex.Message);
    }

    [Theory]
    // What php-fpm -t takes in a quoted env[] value as it is (tried by hand on PHP-FPM 8.2).
    [InlineData("a\rb")]
    [InlineData("a\tb\u0001\u007f")]
    [InlineData("p\"q'\\r$s${x};#=!|&~()[]{}%^")]
    [InlineData("pässwörd\u2028")]
    public void A_password_of_any_other_characters_goes_into_the_pool(string password)
    {
        Assert.Null(PhpPools.Uncarried(password));
        var text = Pools(out _).Render("a.example", "a-example", "a-example", "/srv/wp", WebTuning.None, new Dictionary<string, string> { ["db_passwd"] = password });
        Assert.Contains("env[db_passwd] = " + PhpPools.Quote(password) + "\n", text);
    }

    internal static PhpPools Pools(out AegirServer server)
    {
        server = new AegirServer("server_web1") { RemoteHost = "web1.example" };
        server.Http.ChangeType("nginx");
        server.Http.Set("php_site_dir", "/var/lib/aegir/php");
        using var transport = new FakeTransport();
        return new PhpPools(server, transport, new TemplateRenderer(Path.GetTempPath()), Path.GetTempPath());
    }

    [Fact]
    public void A_pool_runs_as_the_site_on_its_own_socket_with_its_secrets_in_its_environment_and_its_disk_limited()
    {
        var pools = Pools(out _);
        var account = SiteAccount.NameFor("a.example", "/root/.aegir");
        var text = pools.Render("a.example", account, account, "/srv/wp", WebTuning.None, new Dictionary<string, string> { ["db_passwd"] = "S3cret\"$x", ["aegir_site"] = "a.example" });

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
        var text = pools.Render("a.example", "a-example-1", "a-example-1", "/srv/wp", tuning, new Dictionary<string, string>());

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

    static (FakeHosting Hosting, PhpPools Pools) OnFake()
    {
        var hosting = new FakeHosting();
        hosting.Engine.Edit<AegirServer>(ContextNames.Master, "Name", s =>
        {
            s.Http.Set("php_pools", "per-site");
            s.Http.Set("php_fpm_pool_dir", "/etc/php/8.2/fpm/pool.d");
        });
        var server = hosting.Store.GetFresh<AegirServer>(ContextNames.Master, "Name");
        hosting.Server.CreateDirectory("/etc/php/8.2/fpm/pool.d", (UnixFileMode)Convert.ToInt32("755", 8));
        return (hosting, new PhpPools(server, hosting.Server, new TemplateRenderer(hosting.Home.Path), hosting.Home.Path));
    }

    [Fact]
    public void A_pool_that_fails_php_fpms_test_is_put_back_and_nothing_reloads()
    {
        var (hosting, pools) = OnFake();
        using var _ = hosting;
        hosting.Server.Handler = spec => spec.Program.StartsWith("php-fpm", StringComparison.Ordinal)
            ? FakeTransport.Fail("ERROR: [pool a-example] cannot get uid for user 'a-example'") : FakeTransport.Ok;
        var path = pools.PoolPath("a-example");
        hosting.Server.Put(path, "old pool");

        var task = hosting.Runner.Run("test", "a.example", [], ctx => pools.Change(ctx, "a-example", "new pool"));

        Assert.Equal(AegirTaskStatus.Failed, task.Status);
        Assert.Equal("PhpPoolFailed", task.ErrorId);
        Assert.Contains("cannot get uid", task.Error);
        Assert.Equal("old pool", hosting.Server.Text(path));
        Assert.False(pools.Pending);
        Assert.DoesNotContain(hosting.Server.Commands, c => c.StartsWith("kill", StringComparison.Ordinal));
    }

    [Fact]
    public void A_written_pool_is_root_s_alone_and_reloads_with_the_web_server()
    {
        var (hosting, pools) = OnFake();
        using var _ = hosting;
        var task = hosting.Runner.Run("test", "a.example", [], ctx => pools.Change(ctx, "a-example", "new pool"));

        Assert.Equal(AegirTaskStatus.Succeeded, task.Status);
        var node = hosting.Server.Nodes[pools.PoolPath("a-example")];
        Assert.Equal((UnixFileMode)Convert.ToInt32("600", 8), node.Mode);
        Assert.Equal("root", node.Owner);
        Assert.True(pools.Pending);
    }

    [Fact]
    public void A_pid_file_naming_another_program_is_never_signalled()
    {
        var (hosting, pools) = OnFake();
        using var _ = hosting;
        hosting.Runner.Run("test", "a.example", [], ctx => pools.Change(ctx, "a-example", "new pool"));
        hosting.Server.Put("/run/php/php8.2-fpm.pid", "4242\n");
        hosting.Server.Put("/proc/4242/comm", "sshd\n");

        var error = Assert.ThrowsAny<Exception>(() => pools.ReloadIfPending(null));

        Assert.Contains("names no running PHP-FPM", error.Message);
        Assert.DoesNotContain(hosting.Server.Commands, c => c.StartsWith("kill", StringComparison.Ordinal));
        Assert.True(pools.Pending, "the reload is still owed");
    }

    [Fact]
    public void Nothing_reloads_while_no_pool_changed()
    {
        var (hosting, pools) = OnFake();
        using var _ = hosting;
        pools.ReloadIfPending(null);
        Assert.Empty(hosting.Server.Commands);
    }
    [Fact]
    public void The_servers_check_reads_process_control_timeout_from_the_config_files_and_never_runs_php_fpm_tt()
    {
        var (hosting, pools) = OnFake();
        using var _ = hosting;
        const string conf = "/etc/php/8.2/fpm/php-fpm.conf";
        hosting.Server.Put("/run/php/php8.2-fpm.pid", "4242\n");
        hosting.Server.Put("/proc/4242/comm", "php-fpm8.2\n");
        hosting.Server.Handler = spec => spec.Program.StartsWith("php-fpm", StringComparison.Ordinal)
            ? new Transport.CommandResult(0, "", $"[07-Dec-2026 18:42:00] NOTICE: configuration file {conf} test is successful\n", TimeSpan.Zero)
            : FakeTransport.Ok;

        // Unset: PHP-FPM's default, 0. A pool's [www] setting of that name is no global one.
        hosting.Server.Put(conf, "[global]\npid = /run/php/php8.2-fpm.pid\n;process_control_timeout = 10s\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n");
        hosting.Server.Put("/etc/php/8.2/fpm/pool.d/www.conf", "[www]\nprocess_control_timeout = 10s\nenv[db_passwd] = s3cret\n");
        Assert.Contains("process_control_timeout is 0", pools.Check());

        // Set in a [global] section of an included file.
        hosting.Server.Put("/etc/php/8.2/fpm/pool.d/zz-global.conf", "[global]\nprocess_control_timeout = 10s\n");
        Assert.Null(pools.Check());

        hosting.Server.Put(conf, "[global]\nprocess_control_timeout = 0s\n");
        Assert.Contains("process_control_timeout is 0", pools.Check());

        Assert.DoesNotContain(hosting.Server.Commands, c => c.Contains("-tt", StringComparison.Ordinal));
    }
}
