using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Tests;

public sealed class PlatformRootTests : IDisposable
{
    readonly TestHome _home = new();
    readonly string _links = Path.Combine(Path.GetTempPath(), "aegir-roots-" + Guid.NewGuid().ToString("N")[..8]);

    public PlatformRootTests() => Directory.CreateDirectory(_links);

    public void Dispose()
    {
        _home.Dispose();
        Directory.Delete(_links, true);
    }

    string Link(string name, string target)
    {
        var path = Path.Combine(_links, name);
        Directory.CreateSymbolicLink(path, target);
        return path;
    }

    AegirException Refused(string root)
    {
        var before = _home.Store.ListNames(ContextType.Platform).ToList();
        var ex = Assert.Throws<AegirException>(() => _home.Store.Create(new AegirPlatform("platform_x") { Root = root }));
        Assert.Equal(before, _home.Store.ListNames(ContextType.Platform));
        return ex;
    }

    [Theory]
    [InlineData("/etc")]
    [InlineData("/etc/nginx")]
    [InlineData("/proc/self/root")]
    [InlineData("/usr")]
    [InlineData("/usr/share/wordpress")]
    [InlineData("/var/lib/mysql")]
    [InlineData("/srv")]
    [InlineData("/home")]
    [InlineData("/boot/grub")]
    public void A_system_folder_is_no_platform_root(string root)
        => Assert.Contains("system folder", Refused(root).Message);

    [Fact]
    public void A_symlink_to_a_system_folder_is_judged_by_where_it_leads()
    {
        Assert.Contains("(it leads to /)", Refused(Link("to-root", "/")).Message);
        Assert.Contains("(it leads to /etc)", Refused(Link("to-etc", "/etc")).Message);
        Assert.Contains("system folder /etc", Refused(Path.Combine(Link("to-etc2", "/etc"), "nginx")).Message);
    }

    [Fact]
    public void The_module_s_own_home_is_no_platform_root()
    {
        Assert.Contains("overlaps the module's own home", Refused(_home.Path).Message);
        Assert.Contains("overlaps the module's own home", Refused(Path.Combine(_home.Path, "contexts")).Message);
        Assert.Contains("overlaps the module's own home", Refused(Path.Combine(_home.Path, "platforms")).Message);
        // Aegir's own layout: a platform in the home's platforms folder.
        _home.Store.Create(new AegirPlatform("platform_home") { Root = Path.Combine(_home.Path, "platforms", "drupal10") });
        Assert.Contains("overlaps the module's own home", Refused(Link("to-home", _home.Path)).Message);
        var ex = Assert.Throws<AegirException>(() => Contexts.PlatformRoots.Check("/srv/aegir", "/srv/aegir", "/srv/aegir/home"));
        Assert.Contains("overlaps the module's own home /srv/aegir/home", ex.Message);   // a root that holds the home
    }

    [Fact]
    public void Two_platforms_never_share_a_codebase_through_a_link()
    {
        var code = Path.Combine(_links, "code");
        Directory.CreateDirectory(code);
        _home.Store.Create(new AegirPlatform("platform_a") { Root = code });
        var ex = Assert.Throws<AegirException>(() => _home.Store.Create(new AegirPlatform("platform_b") { Root = Link("same-code", code) }));
        Assert.Contains("is the root of the platform '@platform_a'", ex.Message);
        Assert.Contains($"leads to {code}", ex.Message);
    }

    [Fact]
    public void A_root_that_holds_or_lies_inside_another_platform_s_root_is_refused_a_link_included()
    {
        var code = Path.Combine(_links, "pfa");
        Directory.CreateDirectory(Path.Combine(code, "public"));
        _home.Store.Create(new AegirPlatform("platform_pfa") { Root = Path.Combine(code, "public") });
        Assert.Contains("holds the root of the platform '@platform_pfa'", Assert.Throws<AegirException>(() => _home.Store.Create(new AegirPlatform("platform_pfa3") { Root = code })).Message);
        Assert.Contains("holds the root of the platform '@platform_pfa'", Assert.Throws<AegirException>(() => _home.Store.Create(new AegirPlatform("platform_pfa4") { Root = Link("to-pfa", code) })).Message);
        Assert.Contains("lies inside the root of the platform '@platform_pfa'", Assert.Throws<AegirException>(() => _home.Store.Create(new AegirPlatform("platform_pfa5") { Root = Path.Combine(code, "public", "vendor") })).Message);
        // A neighbour whose name begins alike is no parent.
        _home.Store.Create(new AegirPlatform("platform_pfab") { Root = Path.Combine(_links, "pfa-b") });
    }

    [Fact]
    public void An_ordinary_folder_is_a_platform_root_even_before_its_code_is_there()
    {
        _home.Store.Create(new AegirPlatform("platform_a") { Root = Path.Combine(_links, "not-yet", "drupal10") });
        _home.Store.Create(new AegirPlatform("platform_b") { Root = "/var/aegir/platforms/drupal10" });
        Assert.Equal(3, _home.Store.ListNames(ContextType.Platform).Count());
    }

    [Fact]
    public void Two_records_of_one_machine_hold_their_platforms_apart_as_one_record_does()
    {
        foreach (var (name, host) in new[] { ("server_weba", "192.0.2.31"), ("server_weba2", "192.0.2.31"), ("server_webc", "192.0.2.33") })
        {
            var server = new AegirServer(name) { RemoteHost = host };
            server.Http.ChangeType("nginx");
            _home.Store.Create(server);
        }
        _home.Store.Create(new AegirPlatform("platform_notes") { Root = "/srv/platforms/notes", WebServerName = "server_weba" });
        // A second record of A's address is A: a push there would replace the code under A's sites.
        Assert.Contains("is the root of the platform '@platform_notes'",
            Assert.Throws<AegirException>(() => _home.Store.Create(new AegirPlatform("platform_notes2") { Root = "/srv/platforms/notes", WebServerName = "server_weba2" })).Message);
        Assert.Contains("lies inside the root of the platform '@platform_notes'",
            Assert.Throws<AegirException>(() => _home.Store.Create(new AegirPlatform("platform_sub") { Root = "/srv/platforms/notes/sub", WebServerName = "server_weba2" })).Message);
        // Another machine's folder of the same name is its own.
        _home.Store.Create(new AegirPlatform("platform_notesc") { Root = "/srv/platforms/notes", WebServerName = "server_webc" });
    }
}
