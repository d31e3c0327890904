using Aegir.Core.Contexts;
using Aegir.Core.Operations.Site;
using Aegir.Core.Services;
using Aegir.Core.Services.Cluster;
using Aegir.Core.Services.Http;
using Aegir.Core.Services.Php;

namespace Aegir.Core.Tests;

/// <summary>
/// A cluster's site in a pool of its own on each member whose setting says per-site: its account, pool and socket
/// there, and the vhost of each member pointing at that member's own socket; a member whose sites share its pool keeps
/// the site there.
/// </summary>
public class ClusterPoolTests
{
    /// <summary>A cluster of web1 (each site its own pool, the default) and web2 (its sites share one pool), with a WordPress platform on it.</summary>
    static FakeHosting Farm(bool web2Shared = true)
    {
        var hosting = new FakeHosting();
        foreach (var (name, host) in new[] { ("server_web1", "192.0.2.11"), ("server_web2", "192.0.2.12") })
        {
            var server = new AegirServer(name) { RemoteHost = host };
            server.Http.ChangeType("nginx");
            server.Http.Set("php_site_dir", $"/var/lib/aegir/php-{name}");
            if (name == "server_web2" && web2Shared) server.Http.Set("php_pools", "shared");
            hosting.Store.Create(server);
        }
        var farm = new AegirServer("server_farm");
        farm.Http.ChangeType(ServiceCatalog.Cluster);
        farm.Http.Set(ClusterService.MembersSetting, "web1,web2");
        hosting.Store.Create(farm);
        hosting.Platform("wp", "wordpress");
        hosting.Store.Modify<AegirPlatform>("platform_wp", "Name", p => p.WebServerName = "server_farm");
        return hosting;
    }

    [Fact]
    public void Install_plans_the_account_and_pool_on_each_member_that_gives_sites_their_own_and_none_on_the_other()
    {
        using var hosting = Farm();
        var account = SiteAccount.NameFor("blog.test", hosting.Home.Path);
        var plan = hosting.Engine.Plan(new InstallSite.Parameters("blog.test", null, null, new SiteDefinition("blog.test", "wp"))).Select(s => s.Description).ToList();
        Assert.Contains(plan, l => l.StartsWith($"make the account {account} of blog.test on @server_web1,", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, l => l.StartsWith($"make the account {account} of blog.test on @server_web2", StringComparison.Ordinal));
        Assert.Contains($"set wp-content/uploads/sites/blog.test to 2770 {account}:www-data on @server_web1 in /srv/wp", plan);
        Assert.Contains("set wp-content/uploads/sites/blog.test to 2770 aegir:www-data on @server_web2 in /srv/wp", plan);
        Assert.Contains(plan, l => l.StartsWith($"write /etc/php/8.2/fpm/pool.d/aegir-{account}.conf (its database credentials in its environment) and test PHP-FPM's config on @server_web1", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, l => l.Contains("PHP-FPM's config on @server_web2", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_member_s_vhost_points_at_its_own_socket_or_at_its_shared_pool()
    {
        using var hosting = Farm();
        hosting.Store.Create(new AegirSite("blog.test") { PlatformName = "platform_wp", DbServerName = "server_master", DbName = "blogtest", DbPassword = "pw", Status = SiteStatus.Installed });
        using var env = new Operations.OperationEnvironment(hosting.Engine) { ForDisplay = true };
        var parts = SiteParts.Resolve(hosting.Store.GetFresh<AegirSite>("blog.test", "Uri"), env);
        var account = parts.Account;
        var vhost = parts.Vhost(true);
        Assert.Equal($"/var/lib/aegir/php-server_web1/{account}/php.sock", vhost.On("server_web1").Socket);
        Assert.Null(vhost.On("server_web2").Socket);
        var cluster = new ClusterService(env.Server("server_farm"), env);   // the fake serves every server as nginx
        var one = cluster.Members[0].RenderSite(vhost.On("server_web1"));
        var two = cluster.Members[1].RenderSite(vhost.On("server_web2"));
        Assert.Contains($"unix:/var/lib/aegir/php-server_web1/{account}/php.sock", one);
        Assert.DoesNotContain("db_passwd", one);   // its credentials are in its pool's environment
        Assert.Contains("unix:/run/php/php8.2-fpm.sock", two);
        Assert.DoesNotContain(account, two);
        Assert.Equal(one, cluster.RenderSite(vhost));
        Assert.Equal([true, false], parts.Members.Select(m => m.PerSite));
        Assert.Equal(account, parts.Members[0].Owner);
        Assert.Equal("aegir", parts.Members[1].Owner);
    }

    [Fact]
    public void A_site_over_HTTPS_on_a_cluster_of_other_machines_gets_its_certificate_and_key_on_each_member()
    {
        using var hosting = Farm();
        foreach (var member in new[] { "server_web1", "server_web2" })   // the check from here is refused at once
            hosting.Store.Modify(member, "Name", (AegirServer s) => { s.Http.Set("listen_address", "127.0.0.1"); s.Http.Set("https_port", "1"); s.Http.Set("php_pools", "shared"); });
        var outcome = hosting.Run(new InstallSite.Parameters("blog.test", "Blog", "admin@example.com",
            new SiteDefinition("blog.test", "wp", DbServer: "server_master", Https: HttpsMode.Enabled, CertificateSource: CertificateSource.LetsEncrypt)));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        var pem = new Services.Certificates.CertificateStore(hosting.Home.Path).Get("blog.test")!;
        Assert.True(pem.SelfSigned);
        Assert.Contains(outcome.Task.Log, e => e.Level == Tasks.TaskLogLevel.Warning && e.Message.Contains("'@server_web1' is another machine", StringComparison.Ordinal));
        foreach (var member in new[] { "server_web1", "server_web2" })
            foreach (var file in new[] { "blog.test.crt", "blog.test.key" })
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, hosting.Server.GetMode($"/var/aegir/config/{member}/tls/{file}"));
        // The renewal schedule reads the cluster's members, and leaves the site alone.
        Assert.DoesNotContain(new Schedules.SiteSchedules(hosting.Engine, Schedules.ScheduleKinds.Certificate).Due(DateTimeOffset.UtcNow), w => w.Key == "certificate:blog.test");
    }

    [Fact]
    public void The_haproxy_front_passes_HTTPS_through_to_each_member_s_https_port_as_TCP()
    {
        using var hosting = Farm();
        hosting.Store.Modify("server_web1", "Name", (AegirServer s) => s.Http.Set("https_port", "8443"));
        hosting.Store.Modify("server_farm", "Name", (AegirServer s) => s.Http.Set(ClusterService.FrontHttpsPortSetting, "9443"));
        using var env = new Operations.OperationEnvironment(hosting.Engine) { ForDisplay = true };
        var config = new ClusterService(env.Server("server_farm"), env).FrontConfig();
        var https = config[config.IndexOf("frontend server_farm_https", StringComparison.Ordinal)..];
        Assert.Contains("mode tcp", https);
        Assert.Contains("bind *:9443", https);
        Assert.Contains("server server_web1 192.0.2.11:8443 check", https);
        Assert.Contains("server server_web2 192.0.2.12:443 check", https);
        Assert.Contains("server server_web1 192.0.2.11:80 check", config[..config.IndexOf("frontend server_farm_https", StringComparison.Ordinal)]);
        if (!File.Exists("/usr/sbin/haproxy")) return;
        var file = Path.Combine(hosting.Home.Path, "haproxy.cfg");
        File.WriteAllText(file, config);
        using var check = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/sbin/haproxy", ["-c", "-f", file]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var said = check.StandardError.ReadToEnd() + check.StandardOutput.ReadToEnd();
        check.WaitForExit();
        Assert.True(check.ExitCode == 0, said);
    }

    [Fact]
    public void A_move_off_one_member_removes_the_vhost_pool_and_account_there_alone()
    {
        using var hosting = Farm(web2Shared: false);
        hosting.Store.Create(new AegirSite("blog.test") { PlatformName = "platform_wp", DbServerName = "server_master", DbName = "blogtest", DbPassword = "pw", Status = SiteStatus.Installed });
        hosting.Databases.Databases.Add("blogtest");
        hosting.Platform("wp1", "wordpress");
        hosting.Store.Modify<AegirPlatform>("platform_wp1", "Name", p => p.WebServerName = "server_web1");
        var account = SiteAccount.NameFor("blog.test", hosting.Home.Path);
        var plan = hosting.Engine.Plan(new MoveSite.Parameters("blog.test", "platform_wp1")).Select(s => s.Description).ToList();
        static string Vhost(string server) => $"/var/aegir/config/{server}/nginx/vhost.d/blog.test.conf";
        Assert.Contains($"remove {Vhost("server_web2")} and test the nginx config of @server_web2", plan);
        Assert.Contains($"remove /etc/php/8.2/fpm/pool.d/aegir-{account}.conf and test PHP-FPM's config on @server_web2", plan);
        Assert.Contains("reload nginx on @server_web2", plan);
        // web1 serves the site where it goes: its vhost, pool and account stay (written again for the new platform).
        Assert.DoesNotContain($"remove {Vhost("server_web1")} and test the nginx config of @server_web1", plan);
        Assert.DoesNotContain($"remove /etc/php/8.2/fpm/pool.d/aegir-{account}.conf and test PHP-FPM's config on @server_web1", plan);
        Assert.Contains(plan, l => l.StartsWith($"write /etc/php/8.2/fpm/pool.d/aegir-{account}.conf (its database credentials in its environment) and test PHP-FPM's config on @server_web1", StringComparison.Ordinal));
    }
}
