using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Tests;

public class ContextStoreTests
{
    [Fact]
    public void A_site_round_trips_through_its_file()
    {
        using var home = new TestHome();
        home.Store.Create(new AegirClient("client_acme") { Email = "ops@acme.example" });
        var site = home.Site("Blog.Example.com", "www.blog.example.com", "blog.example.org");
        site.Redirection = "blog.example.com";
        site.ClientName = "acme";
        site.Profile = "minimal";
        site.Language = "de";
        home.Store.Create(site);

        var read = new ContextStore(home.Path).Get<AegirSite>("blog.example.com", "Uri");
        Assert.Equal("blog.example.com", read.Uri);
        Assert.Equal(["www.blog.example.com", "blog.example.org"], read.Aliases);
        Assert.Equal("blog.example.com", read.Redirection);
        Assert.Equal("client_acme", read.ClientName);
        Assert.Equal(("minimal", "de", SiteStatus.NotInstalled), (read.Profile, read.Language, read.Status));
    }

    [Fact]
    public void Files_are_private()
    {
        using var home = new TestHome();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(home.Store.PathOf(ContextNames.Master)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(home.Store.ContextsPath));
        // The home can be passed through (to reach local sockets) but not listed by anyone else.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute, File.GetUnixFileMode(home.Path));
    }

    [Fact]
    public void The_web_config_and_logs_folders_are_made_0700_and_taken_back_to_it()
    {
        const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        using (var hosting = new FakeHosting())
        {
            Assert.True(hosting.Run(new Operations.Server.VerifyServer.Parameters(ContextNames.Master)).Succeeded);
            foreach (var folder in new[] { "config", "logs" })
                Assert.Equal(owner, hosting.Server.Nodes[Path.Combine(hosting.Home.Path, folder)].Mode);
        }
        using var home = new TestHome(seed: false);
        foreach (var folder in new[] { "config", "logs" })
            Directory.CreateDirectory(Path.Combine(home.Path, folder), (UnixFileMode)Convert.ToInt32("755", 8));
        IO.AtomicFile.EnsureHome(home.Path);
        foreach (var folder in new[] { "config", "logs" })
            Assert.Equal(owner, File.GetUnixFileMode(Path.Combine(home.Path, folder)));
    }

    [Fact]
    public void References_read_back_as_contexts()
    {
        using var home = new TestHome();
        home.Store.Create(home.Site("a.example"));
        var site = new ContextStore(home.Path).Get<AegirSite>("a.example", "Uri");
        Assert.IsType<AegirPlatform>(site.GetPlatform());
        Assert.Equal("/var/aegir/platforms/wp", site.GetPlatform()!.Root);
        Assert.Equal(ContextNames.Master, site.GetPlatform()!.GetWebServer()!.Name);
        Assert.Equal("nginx", site.GetPlatform()!.GetWebServer()!.Http.Type);
        Assert.Same(site.GetDbServer(), site.GetPlatform()!.GetWebServer());  // one store, one object per context
        Assert.Equal("http://a.example/", site.Url);
    }

    [Fact]
    public void A_reference_must_exist_and_have_the_right_type()
    {
        using var home = new TestHome();
        var missing = Assert.Throws<AegirException>(() => home.Store.Create(new AegirSite("a.example") { PlatformName = "nope" }));
        Assert.Equal("ContextNotFound", missing.ErrorId);
        Assert.Contains("@platform_nope", missing.Message);

        var noDb = new AegirServer("server_web1") { RemoteHost = "web1.example" };
        noDb.Http.ChangeType("apache");
        home.Store.Create(noDb);
        var wrong = Assert.Throws<AegirException>(() => home.Store.Create(new AegirSite("b.example") { PlatformName = "wp", DbServerName = "web1" }));
        Assert.Equal("ServiceMissing", wrong.ErrorId);
        Assert.False(home.Store.Exists("a.example") || home.Store.Exists("b.example"));
    }

    [Fact]
    public void Host_names_belong_to_one_site()
    {
        using var home = new TestHome();
        home.Store.Create(home.Site("a.example", "www.a.example"));
        var byAlias = Assert.Throws<AegirException>(() => home.Store.Create(home.Site("b.example", "www.a.example")));
        Assert.Equal("HostNameTaken", byAlias.ErrorId);
        var uriIsAlias = Assert.Throws<AegirException>(() => home.Store.Create(home.Site("www.a.example")));
        Assert.Equal("HostNameTaken", uriIsAlias.ErrorId);
        Assert.Equal("ContextExists", Assert.Throws<AegirException>(() => home.Store.Create(home.Site("a.example"))).ErrorId);
    }

    [Fact]
    public void Host_name_checks_see_records_changed_outside_the_module()
    {
        using var home = new TestHome();
        home.Store.Create(home.Site("a.example", "www.a.example"));
        Assert.Throws<AegirException>(() => home.Store.Create(home.Site("b.example", "www.a.example")));
        // An admin's editor changes the alias in place, to a name of the same length (the folder stays as it was): the
        // next sweep of the site index reads it (each schedule round and verify makes one, and any look after a while).
        var path = home.Store.PathOf("a.example");
        File.WriteAllText(path, File.ReadAllText(path).Replace("www.a.example", "old.a.examp"));
        _ = SiteIndex.For(home.Store.ContextsPath).All(home.Store, sweep: true);
        home.Store.Create(home.Site("b.example", "www.a.example"));
        Assert.Equal("HostNameTaken", Assert.Throws<AegirException>(() => home.Store.Create(home.Site("c.example", "old.a.examp"))).ErrorId);
        // A record removed by hand frees its names; one added by hand claims them.
        File.Delete(path);
        home.Store.Create(home.Site("c.example", "old.a.examp"));
        File.WriteAllText(home.Store.PathOf("d.example"), File.ReadAllText(home.Store.PathOf("c.example")).Replace("c.example", "d.example"));
        File.Delete(home.Store.PathOf("c.example"));
        var taken = Assert.Throws<AegirException>(() => home.Store.Create(home.Site("e.example", "old.a.examp")));
        Assert.Contains("@d.example", taken.Message);
    }

    [Fact]
    public void A_site_cannot_alias_itself_or_redirect_elsewhere()
    {
        Assert.Throws<AegirException>(() => new AegirSite("a.example") { Aliases = ["a.example"] });
        Assert.Throws<AegirException>(() => new AegirSite("a.example") { Redirection = "b.example" });
        var site = new AegirSite("a.example") { Aliases = ["www.a.example", "WWW.A.example"] };
        Assert.Single(site.Aliases);
    }

    [Fact]
    public void A_locked_platform_takes_no_new_sites()
    {
        using var home = new TestHome();
        home.Store.Modify<AegirPlatform>("platform_wp", "Platform", p => p.Locked = true);
        Assert.Equal("PlatformLocked", Assert.Throws<AegirException>(() => home.Store.Create(home.Site("a.example"))).ErrorId);
    }

    [Fact]
    public void Removing_a_context_in_use_lists_the_users()
    {
        using var home = new TestHome();
        home.Store.Create(home.Site("a.example"));
        home.Store.Create(home.Site("b.example"));
        var ex = Assert.Throws<AegirException>(() => home.Store.Remove("platform_wp"));
        Assert.Equal("ContextInUse", ex.ErrorId);
        Assert.Contains("@a.example", ex.Message);
        Assert.Contains("@b.example", ex.Message);
        Assert.True(home.Store.Exists("platform_wp"));

        var server = Assert.Throws<AegirException>(() => home.Store.Remove(ContextNames.Master));
        Assert.Contains("@platform_wp", server.Message);

        home.Store.Remove("a.example");
        home.Store.Remove("b.example");
        home.Store.Remove("platform_wp");
        Assert.False(home.Store.Exists("platform_wp"));
    }

    [Fact]
    public void A_service_in_use_cannot_be_switched_off()
    {
        using var home = new TestHome();
        Assert.Equal("ContextInUse", Assert.Throws<AegirException>(() => home.Store.Modify<AegirServer>(ContextNames.Master, "Name", s => s.Http.ChangeType("none"))).ErrorId);
        Assert.Equal("nginx", new ContextStore(home.Path).Get<AegirServer>(ContextNames.Master, "Name").Http.Type);
    }

    [Fact]
    public void Two_platforms_cannot_share_a_root()
    {
        using var home = new TestHome();
        var ex = Assert.Throws<AegirException>(() => home.Store.Create(new AegirPlatform("platform_copy") { Root = "/var/aegir/platforms/wp/" }));
        Assert.Contains("@platform_wp", ex.Message);
    }

    [Fact]
    public void A_broken_file_names_its_line_and_the_others_still_load()
    {
        using var home = new TestHome();
        home.Store.Create(home.Site("good.example"));
        File.WriteAllText(home.Store.PathOf("bad.example"), "type: site\nplatform: platform_wp\nlanguage: [unclosed\n");
        File.WriteAllText(home.Store.PathOf("worse.example"), "type: site\nplatform: platform_wp\nstatus: Installed\naliases:\n  - ok.example\n  - 'not ok.example'\n");
        File.WriteAllText(home.Store.PathOf("empty.example"), "");

        var listing = home.Store.List(ContextType.Site);
        Assert.Equal(["good.example"], listing.Contexts.Select(c => c.Name));
        Assert.Equal(3, listing.Errors.Count);
        Assert.All(listing.Errors, e => Assert.Equal("CorruptContextFile", e.ErrorId));
        var worse = listing.Errors.Single(e => e.Message.Contains("worse.example"));
        Assert.Contains("line 6", worse.Message);
        Assert.Contains(listing.Errors, e => e.Message.Contains("bad.example.yml, line"));
        Assert.Contains(listing.Errors, e => e.Message.Contains("empty.example.yml") && e.Message.Contains("empty"));
    }

    [Theory]
    [InlineData("type: platform\nplatform: platform_wp\n", "file name is that of a site")]
    [InlineData("type: site\nname: other.example\nplatform: platform_wp\n", "'name' is 'other.example'")]
    [InlineData("type: site\n", "'platform' is missing")]
    [InlineData("type: site\nplatform: platform_wp\nstatus: Exploded\n", "not a site status")]
    [InlineData("type: site\nplatform: platform_wp\nplatform: platform_x\n", "appears twice")]
    [InlineData("type: site\nplatform: &a platform_wp\ndb_server: *a\n", "not allowed")]
    [InlineData("- a\n- b\n", "mapping")]
    public void Hand_broken_files_are_explained(string text, string expected)
    {
        using var home = new TestHome();
        File.WriteAllText(home.Store.PathOf("x.example"), text);
        var ex = Assert.Throws<AegirException>(() => home.Store.ReadFresh("x.example"));
        Assert.Contains(expected, ex.Message);
        Assert.Contains("x.example.yml", ex.Message);
    }

    [Fact]
    public void Unknown_keys_survive_a_rewrite()
    {
        using var home = new TestHome();
        home.Store.Create(home.Site("a.example"));
        File.AppendAllText(home.Store.PathOf("a.example"), "cron_key: abc123\nfuture:\n  nested: [1, 2]\n");
        new ContextStore(home.Path).Modify<AegirSite>("a.example", "Uri", site => site.Language = "fr");
        var text = File.ReadAllText(home.Store.PathOf("a.example"));
        Assert.Contains("cron_key: abc123", text);
        Assert.Contains("nested:", text);
        Assert.Contains("language: fr", text);
    }

    [Fact]
    public void Strings_that_look_like_other_scalars_stay_strings()
    {
        using var home = new TestHome();
        var client = new AegirClient("client_null") { UnixGroup = "null" };
        home.Store.Create(client);
        Assert.Equal("null", new ContextStore(home.Path).Get<AegirClient>("client_null", "Name").UnixGroup);
    }

    [Fact]
    public void The_admin_password_is_stored_but_never_shown()
    {
        using var home = new TestHome();
        var master = new ContextStore(home.Path).Get<AegirServer>(ContextNames.Master, "Name");
        Assert.Equal("Secret-Admin-Pw", master.Db.RevealSecret("admin_password"));
        Assert.True(master.Db.HasSecret("admin_password"));
        Assert.Null(master.Db.Get("admin_password"));
        Assert.Equal(AegirService.Mask, master.Db.Settings["admin_password"]);
        Assert.DoesNotContain("Secret-Admin-Pw", string.Join(",", master.Db.Settings.Values));
    }

    [Fact]
    public void Service_types_bring_their_settings()
    {
        var server = new AegirServer("server_x");
        server.Http.ChangeType("nginx");
        server.Http.Set("port", "8080");
        Assert.Equal("nginx -t", server.Http.Get("config_test_command"));
        server.Http.Set("web_group", "nginx");
        server.Http.ChangeType("apache");
        Assert.Equal(8080, server.Http.GetInt("port"));                        // changed shared settings kept
        Assert.Equal("nginx", server.Http.Get("web_group"));
        Assert.Equal("apache2ctl configtest", server.Http.Get("config_test_command"));  // new default
        Assert.Equal("UnknownServiceSetting", Assert.Throws<AegirException>(() => server.Http.Set("prot", "80")).ErrorId);
        Assert.Equal("UnknownServiceType", Assert.Throws<AegirException>(() => server.Db.ChangeType("oracle")).ErrorId);
        Assert.Equal("NoServiceSettings", Assert.Throws<AegirException>(() => server.Db.Set("port", "3306")).ErrorId);
        Assert.Throws<AegirException>(() => server.Http.Set("restart_command", "nginx -s reload && rm -rf /"));
    }

    [Fact]
    public void Listing_reads_only_the_files_of_the_type_asked_for()
    {
        using var home = new TestHome();
        home.Store.Create(home.Site("a.example"));
        File.WriteAllText(home.Store.PathOf("platform_broken"), "{{{");
        var sites = home.Store.List(ContextType.Site);
        Assert.Empty(sites.Errors);
        Assert.Single(sites.Contexts);
        Assert.Equal(["a.example", "platform_wp", "server_master"], home.Store.List(null, n => !n.Contains("broken")).Contexts.Select(c => c.Name));
    }

    [Fact]
    public void Many_contexts_list_in_name_order()
    {
        using var home = new TestHome();
        for (int i = 0; i < 150; i++)
        {
            var site = home.Site($"s{i:000}.example");
            File.WriteAllText(home.Store.PathOf(site.Name), $"type: site\nplatform: platform_wp\n");
        }
        var names = home.Store.List(ContextType.Site).Contexts.Select(c => c.Name).ToList();
        Assert.Equal(150, names.Count);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }
}

public class TreeCacheTests
{
    static TestHome HomeWithSites(int count)
    {
        var home = new TestHome();
        for (int i = 0; i < count; i++)
            File.WriteAllText(home.Store.PathOf($"s{i:000}.example"), $"type: site\nuri: s{i:000}.example\nplatform: platform_wp\nlanguage: en\n");
        return home;
    }

    static string CachePath(TestHome home) => Path.Combine(home.Path, "cache", "site-trees.bin");

    [Fact]
    public void A_full_site_listing_writes_a_private_cache_that_later_listings_agree_with()
    {
        using var home = HomeWithSites(100);
        var first = home.Store.List(ContextType.Site).Contexts.Cast<AegirSite>().Select(s => (s.Name, s.Language)).ToList();
        Assert.True(File.Exists(CachePath(home)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(CachePath(home)));
        var second = new ContextStore(home.Path).List(ContextType.Site).Contexts.Cast<AegirSite>().Select(s => (s.Name, s.Language)).ToList();
        Assert.Equal(first, second);
    }

    [Fact]
    public void A_file_changed_to_the_same_size_and_time_is_read_anew()
    {
        using var home = HomeWithSites(100);
        var path = home.Store.PathOf("s042.example");
        var stamp = File.GetLastWriteTimeUtc(path);
        home.Store.List(ContextType.Site);
        File.WriteAllText(path, "type: site\nuri: s042.example\nplatform: platform_wp\nlanguage: de\n");   // same length
        File.SetLastWriteTimeUtc(path, stamp);
        var site = (AegirSite)new ContextStore(home.Path).List(ContextType.Site).Contexts.Single(c => c.Name == "s042.example");
        Assert.Equal("de", site.Language);
    }

    [Fact]
    public void A_damaged_cache_is_ignored_and_rewritten()
    {
        using var home = HomeWithSites(80);
        home.Store.List(ContextType.Site);
        File.WriteAllBytes(CachePath(home), [1, 2, 3, 4, 5]);
        var listing = new ContextStore(home.Path).List(ContextType.Site);
        Assert.Equal(80, listing.Contexts.Count);
        Assert.Empty(listing.Errors);
        Assert.True(new FileInfo(CachePath(home)).Length > 1000);
    }

    [Fact]
    public void Broken_files_are_still_reported_with_their_line_when_others_come_from_the_cache()
    {
        using var home = HomeWithSites(80);
        home.Store.List(ContextType.Site);
        File.WriteAllText(home.Store.PathOf("s007.example"), "type: site\nuri: s007.example\nplatform: platform_wp\nlanguage: 'not a language'\n");
        for (int round = 0; round < 2; round++)
        {
            var listing = new ContextStore(home.Path).List(ContextType.Site);
            Assert.Equal(79, listing.Contexts.Count);
            Assert.Contains("s007.example.yml, line 4", Assert.Single(listing.Errors).Message);
        }
    }

    [Fact]
    public void Deleted_sites_drop_out_of_the_cache()
    {
        using var home = HomeWithSites(150);
        home.Store.List(ContextType.Site);
        var full = new FileInfo(CachePath(home)).Length;
        for (int i = 0; i < 50; i++) File.Delete(home.Store.PathOf($"s{i:000}.example"));
        home.Store.List(ContextType.Site);
        Assert.InRange(new FileInfo(CachePath(home)).Length, full * 0.6, full * 0.7);   // 100 of 150 trees left
    }
}
