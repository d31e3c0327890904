using System.Text.RegularExpressions;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Services;
using Aegir.Core.Services.Apache;
using Aegir.Core.Services.Http;
using Aegir.Core.Services.Nginx;
using Aegir.Core.Tasks;

namespace Aegir.Core.Tests;

/// <summary>
/// Vhosts listen on IPv6 as well as IPv4 when they listen on every address and the web server's machine (asked through
/// its transport, here the fake server's /proc) has IPv6: nginx with a listen on [::] beside each bare port, Apache's
/// *:port already both.
/// </summary>
public class Ipv6ListenTests
{
    static VhostModel Site(string? redirection = null, bool? tlsRequired = null) => new(
        "a.example", "platform_x", "/srv/x", ["a.example", "www.a.example"], redirection, true, null, null)
        { Tls = tlsRequired is { } required ? new SiteTls(required, "CERT", "KEY", "00") : null };

    /// <summary>The master as nginx or Apache on ports 8080 and 8443 with the listen address, its machine with IPv6 on or off.</summary>
    static (FakeHosting Hosting, IHttpService Web) Server(string type, string address, bool? ipv6)
    {
        var hosting = new FakeHosting();
        if (ipv6 is { } on)
        {
            hosting.Server.Put("/proc/net/if_inet6", on ? "00000000000000000000000000000001 01 80 10 80       lo\n" : "");
            hosting.Server.Put("/proc/sys/net/ipv6/conf/all/disable_ipv6", on ? "0\n" : "1\n");
        }
        hosting.Engine.Edit<AegirServer>(ContextNames.Master, "Name", s =>
        {
            s.Http.ChangeType(type);
            s.Http.Set("port", "8080");
            s.Http.Set("https_port", "8443");
            s.Http.Set("listen_address", address);
        });
        var server = hosting.Store.GetFresh<AegirServer>(ContextNames.Master, "Name");
        var env = new OperationEnvironment(hosting.Engine);
        return (hosting, type == "nginx" ? new NginxService(server, env) : new ApacheService(server, env));
    }

    static int Count(string text, string line) => Regex.Matches(text, $"(?m)^\\s*{Regex.Escape(line)}$").Count;

    [Theory]
    [InlineData(null, null)]
    [InlineData("a.example", null)]
    [InlineData(null, false)]
    [InlineData("a.example", false)]
    [InlineData(null, true)]
    [InlineData("a.example", true)]
    public void Nginx_on_every_address_listens_on_IPv6_beside_each_IPv4_listen(string? redirection, bool? tlsRequired)
    {
        var (hosting, web) = Server("nginx", "*", ipv6: true);
        using var _ = hosting;
        var text = web.RenderSite(Site(redirection, tlsRequired));
        var servers = Regex.Matches(text, @"(?m)^server \{").Count;
        var http = Count(text, "listen 8080;");
        var https = Count(text, "listen 8443 ssl;");
        Assert.Equal(servers, http + https);
        Assert.Equal(http, Count(text, "listen [::]:8080;"));
        Assert.Equal(https, Count(text, "listen [::]:8443 ssl;"));
        Assert.Equal(tlsRequired is not null, https > 0);
        // Each block lists its IPv4 listen and then its IPv6 one, nothing else between them.
        Assert.DoesNotMatch(@"listen 8080;\n(?!    listen \[::\]:8080;)", text);
        Assert.DoesNotMatch(@"listen 8443 ssl;\n(?!    listen \[::\]:8443 ssl;)", text);
        // No option that nginx allows once per address:port is repeated on a site's listens.
        Assert.DoesNotMatch("listen [^;]*(default_server|ipv6only|reuseport|backlog)", text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(null)]
    public void Nginx_without_IPv6_on_the_server_listens_on_IPv4_alone_as_before(bool? ipv6)
    {
        // This machine may well have IPv6: the server's machine is asked, through its transport.
        var (hosting, web) = Server("nginx", "*", ipv6);
        using var _ = hosting;
        var text = web.RenderSite(Site(tlsRequired: false));
        Assert.DoesNotContain("[::]", text);
        Assert.Equal(1, Count(text, "listen 8080;"));
        Assert.Equal(1, Count(text, "listen 8443 ssl;"));
    }

    [Theory]
    [InlineData("127.0.0.1", "listen 127.0.0.1:8080;", "listen 127.0.0.1:8443 ssl;")]
    [InlineData("::1", "listen [::1]:8080;", "listen [::1]:8443 ssl;")]
    [InlineData("2001:db8::10", "listen [2001:db8::10]:8080;", "listen [2001:db8::10]:8443 ssl;")]
    public void An_address_given_is_listened_on_alone(string address, string http, string https)
    {
        var (hosting, web) = Server("nginx", address, ipv6: true);
        using var _ = hosting;
        var text = web.RenderSite(Site(tlsRequired: false));
        Assert.Equal(2, Regex.Matches(text, @"(?m)^\s*listen ").Count);
        Assert.Equal(1, Count(text, http));
        Assert.Equal(1, Count(text, https));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_nginx_catch_all_refuses_unknown_names_over_TLS_on_both_families(bool ipv6)
    {
        var (hosting, web) = Server("nginx", "*", ipv6);
        using var _ = hosting;
        var task = hosting.Runner.Run("test", "server_master", [], ctx => web.Verify(ctx));
        Assert.Equal(AegirTaskStatus.Succeeded, task.Status);
        var text = hosting.Server.Text(web.ServerConfigPath);
        Assert.Equal(1, Count(text, "listen 8443 ssl default_server;"));
        Assert.Equal(ipv6 ? 1 : 0, Count(text, "listen [::]:8443 ssl default_server;"));
        Assert.Contains("ssl_reject_handshake on;", text);
    }

    [Fact]
    public void Apache_on_every_address_keeps_star_which_is_both_families()
    {
        var (hosting, web) = Server("apache", "*", ipv6: true);
        using var _ = hosting;
        var text = web.RenderSite(Site("a.example", tlsRequired: false));
        Assert.DoesNotContain("[::]", text);
        Assert.Equal(2, Count(text, "<VirtualHost *:8080>"));
        Assert.Equal(2, Count(text, "<VirtualHost *:8443>"));
        var task = hosting.Runner.Run("test", "server_master", [], ctx => web.Verify(ctx));
        Assert.Equal(AegirTaskStatus.Succeeded, task.Status);
        var server = hosting.Server.Text(web.ServerConfigPath);
        Assert.Equal(1, Count(server, "<VirtualHost *:8080>"));
        Assert.Equal(1, Count(server, "<VirtualHost *:8443>"));
    }

    [Fact]
    public void Apache_with_an_IPv6_address_given_listens_there_in_brackets()
    {
        var (hosting, web) = Server("apache", "::1", ipv6: true);
        using var _ = hosting;
        var text = web.RenderSite(Site(tlsRequired: true));
        Assert.Equal(1, Count(text, "<VirtualHost [::1]:8080>"));
        Assert.Equal(1, Count(text, "<VirtualHost [::1]:8443>"));
    }
}
