using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Services.Http;

namespace Aegir.Core.Tests;

public class ServerSettingTests
{
    static AegirServer Server(string type)
    {
        var server = new AegirServer("server_box") { RemoteHost = "box.example" };
        server.Http.ChangeType(type);
        return server;
    }

    [Theory]
    [InlineData("nginx", "config_test_command", "nginx -t", true)]
    [InlineData("nginx", "config_test_command", "nginx -c /srv/box/nginx.conf -e /srv/box/error.log -t", true)]
    [InlineData("nginx", "config_test_command", "/usr/sbin/nginx -T", true)]
    [InlineData("nginx", "config_test_command", "true", false)]
    [InlineData("nginx", "config_test_command", "/bin/true nginx -t", false)]
    [InlineData("nginx", "config_test_command", "nginx -s reload -t", false)]
    [InlineData("nginx", "config_test_command", "sh -c true", false)]
    [InlineData("nginx", "restart_command", "nginx -s reload", true)]
    [InlineData("nginx", "restart_command", "nginx -c /srv/box/nginx.conf -s reload", true)]
    [InlineData("nginx", "restart_command", "systemctl reload nginx", true)]
    [InlineData("nginx", "restart_command", "service nginx reload", true)]
    [InlineData("nginx", "restart_command", "nginx -s stop", false)]
    [InlineData("nginx", "restart_command", "systemctl stop nginx", false)]
    [InlineData("nginx", "restart_command", "systemctl reload sshd", false)]
    [InlineData("nginx", "restart_command", "rm -rf /srv", false)]
    [InlineData("nginx", "restart_command", "/tmp/evil -s reload", false)]
    [InlineData("apache", "config_test_command", "apache2ctl configtest", true)]
    [InlineData("apache", "config_test_command", "apache2 -f /srv/box/apache2.conf -t", true)]
    [InlineData("apache", "config_test_command", "apache2ctl graceful", false)]
    [InlineData("apache", "config_test_command", "true", false)]
    [InlineData("apache", "restart_command", "apache2ctl graceful", true)]
    [InlineData("apache", "restart_command", "apache2 -f /srv/box/apache2.conf -k graceful", true)]
    [InlineData("apache", "restart_command", "systemctl reload apache2", true)]
    [InlineData("apache", "restart_command", "apache2ctl stop", false)]
    [InlineData("apache", "restart_command", "apache2 -k stop", false)]
    public void A_web_server_runs_only_its_own_reload_and_config_test(string type, string setting, string command, bool allowed)
    {
        var server = Server(type);
        if (allowed)
        {
            server.Http.Set(setting, command);
            Assert.Equal(command, server.Http.Get(setting));
        }
        else
        {
            var ex = Assert.Throws<AegirException>(() => server.Http.Set(setting, command));
            Assert.Contains("it is not one of the commands this setting may run", ex.Message);
            Assert.Contains(type == "nginx" ? "nginx" : "apache2ctl", ex.Message);
        }
    }

    [Theory]
    [InlineData("::1", "listen [::1]:8080;")]
    [InlineData("2001:db8::10", "listen [2001:db8::10]:8080;")]
    [InlineData("127.0.0.1", "listen 127.0.0.1:8080;")]
    [InlineData("*", "listen 8080;")]
    public void An_ipv6_listen_address_is_written_in_brackets(string address, string expected)
    {
        using var hosting = new FakeHosting();
        hosting.Engine.Edit<AegirServer>(ContextNames.Master, "Name", s =>
        {
            s.Http.Set("port", "8080");
            s.Http.Set("listen_address", address);
        });
        var http = new OperationEnvironment(hosting.Engine).Http(hosting.Store.GetFresh<AegirServer>(ContextNames.Master, "Name"));
        var text = http.RenderSite(new VhostModel("a.example", "platform_x", "/srv/x", ["a.example"], null, true, null,
            new SiteDatabase("mysql", "127.0.0.1", 3306, "a", "a", "pw-pw-pw-pw")));
        Assert.Contains(expected, text);
    }

    [Theory]
    [InlineData("fe80::1%eth0")]
    [InlineData("[::1]")]
    [InlineData("localhost")]
    public void A_listen_address_is_an_address(string address)
        => Assert.Throws<AegirException>(() => Server("nginx").Http.Set("listen_address", address));

    [Fact]
    public void The_web_server_cannot_take_its_database_port()
    {
        using var home = new TestHome();
        var ex = Assert.Throws<AegirException>(() => home.Store.Modify<AegirServer>(ContextNames.Master, "Name", s => s.Http.Set("port", "3306")));
        Assert.Contains("the server's database listens on that port", ex.Message);
    }

    [Fact]
    public void A_port_another_program_listens_on_is_refused()
    {
        using var home = new TestHome();
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            var ex = Assert.Throws<AegirException>(() => home.Store.Modify<AegirServer>(ContextNames.Master, "Name", s => s.Http.Set("port", port.ToString())));
            Assert.Contains($"(process {Environment.ProcessId}) listens on that port already", ex.Message);
        }
        finally { listener.Stop(); }
    }
}
