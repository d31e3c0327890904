using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Platforms;
using Aegir.Core.Services;
using Aegir.Core.Services.Http;
using Aegir.Core.Tasks;
using Aegir.Core.Templates;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

public class WebServiceTests
{
    static VhostModel Site(bool enabled = true, string? redirection = null) => new(
        "a.example", "platform_wp", "/srv/wp", ["a.example", "www.a.example"], redirection, enabled,
        null, new SiteDatabase("mysql", "127.0.0.1", 3306, "aexample", "aexample", "Pw-Secret-123"))
        { SiteFolders = ["wp-content/uploads/sites/a.example"] };

    static (FakeHosting Hosting, IHttpService Web) Nginx()
    {
        var hosting = new FakeHosting();
        hosting.Engine.Edit<AegirServer>(ContextNames.Master, "Name", s =>
        {
            s.Http.Set("port", "8080");
            s.Http.Set("listen_address", "127.0.0.1");
        });
        return (hosting, new OperationEnvironment(hosting.Engine).Http(hosting.Store.GetFresh<AegirServer>(ContextNames.Master, "Name")));
    }

    static AegirTask Run(FakeHosting hosting, Action<TaskContext> body) => hosting.Runner.Run("test", "a.example", [], body);

    [Fact]
    public void A_failing_config_test_puts_the_old_files_back_and_does_not_reload()
    {
        var (hosting, web) = Nginx();
        using var _ = hosting;
        hosting.Server.Handler = spec => spec.Arguments.Contains("-t") ? FakeTransport.Fail("nginx: [emerg] unknown directive") : FakeTransport.Ok;
        hosting.Server.Put(web.SiteConfigPath("a.example"), "old config");

        var task = Run(hosting, ctx => web.WriteSite(ctx, Site()));

        Assert.Equal(AegirTaskStatus.Failed, task.Status);
        Assert.Equal("WebConfigTestFailed", task.ErrorId);
        Assert.Contains("unknown directive", task.Error);
        Assert.Equal("old config", hosting.Server.Text(web.SiteConfigPath("a.example")));
        Assert.DoesNotContain(hosting.Server.Commands, c => c.Contains("reload"));
        Assert.Contains(task.Log, e => e.Message == "Put back the previous config of a.example.conf.");
    }

    [Fact]
    public void A_new_file_that_fails_the_test_is_removed_again()
    {
        var (hosting, web) = Nginx();
        using var _ = hosting;
        hosting.Server.Handler = spec => spec.Arguments.Contains("-t") ? FakeTransport.Fail("bad") : FakeTransport.Ok;
        Run(hosting, ctx => web.WriteSite(ctx, Site()));
        Assert.False(hosting.Server.FileExists(web.SiteConfigPath("a.example")));
    }

    [Fact]
    public void A_later_failure_undoes_the_vhost_and_reloads()
    {
        var (hosting, web) = Nginx();
        using var _ = hosting;
        var task = Run(hosting, ctx =>
        {
            web.WriteSite(ctx, Site());
            ctx.Step("Reloading", () => web.Reload(ctx));
            throw new InvalidOperationException("installer failed");
        });
        Assert.False(hosting.Server.FileExists(web.SiteConfigPath("a.example")));
        Assert.Equal(2, hosting.Server.Commands.Count(c => c.EndsWith("-s reload")));
        Assert.Contains(task.Log, e => e.Message.StartsWith("Undid: Writing the nginx vhost"));
    }

    [Fact]
    public void The_vhost_cloaks_the_database_and_redirects_aliases()
    {
        var (hosting, web) = Nginx();
        using var _ = hosting;
        var text = web.RenderSite(Site(redirection: "a.example"));
        Assert.Contains("listen 127.0.0.1:8080;", text);
        Assert.Contains("server_name www.a.example;", text);
        Assert.Contains("return 301 http://a.example:8080$request_uri;", text);
        Assert.Contains("fastcgi_param db_passwd Pw-Secret-123;", text);
        Assert.Contains("location ^~ /wp-content/uploads/sites/a.example/", text);
        Assert.DoesNotContain("Site disabled", text);
        Assert.Contains("Site disabled", web.RenderSite(Site(enabled: false)));
        Assert.DoesNotContain("db_passwd", web.RenderSite(Site(enabled: false)));
    }

    [Fact]
    public void An_override_template_takes_precedence_and_a_broken_one_is_named()
    {
        using var home = new TestHome(seed: false);
        var renderer = new TemplateRenderer(home.Path);
        Directory.CreateDirectory(Path.Combine(home.Path, "templates"));
        File.WriteAllText(renderer.OverridePath("nginx-platform.conf.sbn"), "# custom {{ platform }}\n");
        Assert.Equal("# custom platform_x\n", renderer.Render("nginx-platform.conf.sbn", new Dictionary<string, object?> { ["platform"] = "platform_x" }));

        File.WriteAllText(renderer.OverridePath("nginx-platform.conf.sbn"), "# {{ no_such_value }}\n");
        var ex = Assert.Throws<AegirException>(() => renderer.Render("nginx-platform.conf.sbn", new Dictionary<string, object?> { ["platform"] = "p" }));
        Assert.Equal("TemplateBroken", ex.ErrorId);
        Assert.Contains("templates/nginx-platform.conf.sbn", ex.Message);
    }

    [Fact]
    public void Every_service_type_comes_from_its_own_class()
    {
        Assert.Equal(["apache", "cluster", "nginx", "none"], ServiceCatalog.TypesOf(ServiceCatalog.Http));
        Assert.Equal(["mysql", "none", "postgresql"], ServiceCatalog.TypesOf(ServiceCatalog.Db));
        Assert.Equal("nginx -s reload", ServiceCatalog.Get("http", "nginx").Find("restart_command")!.Default);
        Assert.Equal("apache2ctl configtest", ServiceCatalog.Get("http", "apache").Find("config_test_command")!.Default);
    }

    [Fact]
    public void A_vhost_that_would_answer_for_another_site_s_name_is_never_written()
    {
        var (hosting, web) = Nginx();
        using var _ = hosting;
        var renderer = new TemplateRenderer(hosting.Home.Path);
        Directory.CreateDirectory(Path.Combine(hosting.Home.Path, "templates"));
        File.WriteAllText(renderer.OverridePath("nginx-vhost.conf.sbn"), "server { listen {{ listen }}; server_name {{ uri }} b.example; }\n");
        var task = Run(hosting, ctx => web.WriteSite(ctx, Site()));
        Assert.Equal(AegirTaskStatus.Failed, task.Status);
        Assert.Equal("VhostNamesForeign", task.ErrorId);
        Assert.Contains("would answer for b.example", task.Error);
        Assert.False(hosting.Server.FileExists(web.SiteConfigPath("a.example")));
    }

    [Fact]
    public void A_config_test_that_warns_of_a_conflict_over_the_site_s_name_fails_the_change()
    {
        var (hosting, web) = Nginx();
        using var _ = hosting;
        hosting.Server.Handler = spec => spec.Arguments.Contains("-t")
            ? new Transport.CommandResult(0, "", "nginx: [warn] conflicting server name \"www.a.example\" on 0.0.0.0:8080, ignored\nnginx: configuration file test is successful", TimeSpan.Zero)
            : FakeTransport.Ok;
        var task = Run(hosting, ctx => web.WriteSite(ctx, Site()));
        Assert.Equal(AegirTaskStatus.Failed, task.Status);
        Assert.Contains("another vhost answers for www.a.example too", task.Error);
        Assert.False(hosting.Server.FileExists(web.SiteConfigPath("a.example")));
    }

    [Theory]
    [InlineData("666", "755", null, "lets others write to it")]
    [InlineData("644", "777", null, "lets others write to it")]
    [InlineData("644", "755", "nobody", "neither root nor the user running the module")]
    public void An_override_others_could_write_is_refused_by_name(string fileMode, string folderMode, string? owner, string problem)
    {
        using var home = new TestHome(seed: false);
        var renderer = new TemplateRenderer(home.Path);
        var folder = Path.Combine(home.Path, "templates");
        Directory.CreateDirectory(folder);
        var file = renderer.OverridePath("nginx-platform.conf.sbn");
        File.WriteAllText(file, "# {{ platform }}\n");
        File.SetUnixFileMode(file, (UnixFileMode)Convert.ToInt32(fileMode, 8));
        File.SetUnixFileMode(folder, (UnixFileMode)Convert.ToInt32(folderMode, 8));
        if (owner is not null)
        {
            if (!IO.Posix.IsRoot) return;   // only root can give a file away
            IO.Posix.Chown(file, owner, null);
        }
        var ex = Assert.Throws<AegirException>(() => renderer.Render("nginx-platform.conf.sbn", new Dictionary<string, object?> { ["platform"] = "p" }));
        Assert.Equal("TemplateUntrusted", ex.ErrorId);
        Assert.Contains(problem, ex.Message);
        Assert.Contains(fileMode == "666" || owner is not null ? file : folder, ex.Message);
    }

    [Fact]
    public void An_override_that_is_a_link_is_refused()
    {
        using var home = new TestHome(seed: false);
        var renderer = new TemplateRenderer(home.Path);
        Directory.CreateDirectory(Path.Combine(home.Path, "templates"));
        File.WriteAllText(Path.Combine(home.Path, "elsewhere.sbn"), "# {{ platform }}\n");
        File.CreateSymbolicLink(renderer.OverridePath("nginx-platform.conf.sbn"), Path.Combine(home.Path, "elsewhere.sbn"));
        Assert.Contains("it is a symlink", Assert.Throws<AegirException>(() => renderer.Render("nginx-platform.conf.sbn", new Dictionary<string, object?> { ["platform"] = "p" })).Message);
    }

    // --- a site answers only for itself: the rules each kind's vhost carries, nginx and Apache ---

    static readonly SiteDatabase Db = new("mysql", "127.0.0.1", 3306, "aexample", "aexample", "Pw-Secret-123");

    static IPlatformKind KindNamed(string kind) => kind switch
    {
        "drupal" => new DrupalKind(seven: false),
        "drupal7" => new DrupalKind(seven: true),
        "wordpress" => new WordPressKind(),
        "php" => new PhpKind(),
        _ => new PhpKind(AppManifest.Parse("site_folders:\n  - uploads/{uri}\n  - data/{uri}\nshared_folders:\n  - uploads/shared\nsettings:\n  path: conf/{uri}.txt\n  template: t.sbn\n", "/srv/x/.aegir.yml")),
    };

    /// <summary>The web service of a type on a fake master (the fake hosting's own is nginx).</summary>
    static IHttpService Web(FakeHosting hosting, string type)
    {
        hosting.Engine.Edit<AegirServer>(ContextNames.Master, "Name", s => s.Http.ChangeType(type));
        var server = hosting.Store.GetFresh<AegirServer>(ContextNames.Master, "Name");
        var env = new OperationEnvironment(hosting.Engine);
        return type == "nginx" ? new Services.Nginx.NginxService(server, env) : new Services.Apache.ApacheService(server, env);
    }

    static string Render(string type, IPlatformKind kind, bool enabled = true)
    {
        using var hosting = new FakeHosting();
        return Web(hosting, type).RenderSite(SiteAreas.For(kind, new VhostModel("a.example", "platform_x", "/srv/x", ["a.example", "www.a.example"], null, enabled, null, Db)));
    }

    static string Render(string type, string kind, bool enabled = true) => Render(type, KindNamed(kind), enabled);

    /// <summary>The paths a rendered vhost answers 404 for, whatever they hold: its rules read back as the web server reads them.</summary>
    static Func<string, bool> NotFound(string type, string text)
    {
        var rule = type == "nginx" ? "location ~ \"(.+)\" \\{ return 404; \\}" : "RedirectMatch 404 \"(.+)\"";
        var regexes = System.Text.RegularExpressions.Regex.Matches(text, rule).Select(m => new System.Text.RegularExpressions.Regex(m.Groups[1].Value)).ToList();
        Assert.NotEmpty(regexes);
        return path => regexes.Any(r => r.IsMatch(path));
    }

    public static TheoryData<string, string, string[], string[]> Neighbours()
    {
        var data = new TheoryData<string, string, string[], string[]>();
        var cases = new Dictionary<string, (string[] Others, string[] Served)>
        {
            ["drupal"] = (["/sites/b.example/files/evil.php", "/sites/b.example/settings.php", "/sites/b.example/modules/x/x.php", "/sites/b.example", "/sites/a.example.evil/files/x.txt", "/sites/.a.example.deleting-1/files/x.txt"],
                          ["/sites/a.example/files/x.txt", "/sites/all/modules/x/x.js", "/core/misc/drupal.js", "/index.php"]),
            ["drupal7"] = (["/sites/b.example/files/evil.php", "/sites/b.example/themes/x.php"], ["/sites/a.example/files/x.txt", "/sites/all/modules/views/views.js", "/misc/drupal.js"]),
            ["wordpress"] = (["/wp-content/uploads/sites/b.example/evil.php", "/wp-content/uploads/sites/b.example/2024/01/x.jpg"],
                             ["/wp-content/uploads/sites/a.example/x.jpg", "/wp-content/plugins/akismet/x.js", "/wp-includes/js/x.js", "/wp-login.php"]),
            ["php"] = (["/files/b.example/evil.php", "/files/b.example/x.txt"], ["/files/a.example/x.txt", "/index.php", "/assets/app.css"]),
            ["manifest"] = (["/conf/b.example.txt", "/uploads/b.example/x.txt", "/data/b.example/evil.php"],
                            ["/uploads/a.example/x.txt", "/data/a.example/x.txt", "/uploads/shared/x.css", "/conf/shared.css", "/index.php"]),
        };
        foreach (var type in new[] { "nginx", "apache" })
            foreach (var (kind, (others, served)) in cases) data.Add(type, kind, others, served);
        return data;
    }

    [Theory]
    [MemberData(nameof(Neighbours))]
    public void A_vhost_answers_404_for_every_other_site_s_folders_and_settings_and_never_for_its_own_or_the_shared_code(string type, string kind, string[] others, string[] served)
    {
        var notFound = NotFound(type, Render(type, kind));
        foreach (var path in others) Assert.True(notFound(path), $"{type} {kind}: {path} is another site's and must be 404");
        foreach (var path in served) Assert.False(notFound(path), $"{type} {kind}: {path} is the site's own or shared, and must not be 404");
    }

    [Theory]
    [InlineData("drupal", "sites/a.example")]
    [InlineData("wordpress", "wp-content/uploads/sites/a.example")]
    [InlineData("php", "files/a.example")]
    [InlineData("manifest", "uploads/a.example")]
    public void Nginx_serves_the_site_s_own_folders_as_files_only_before_any_regex_can_hand_them_to_php(string kind, string folder)
    {
        var text = Render("nginx", kind);
        // Drupal's image styles and aggregates, made when first asked for, go to the front controller, after PHP is denied.
        var made = kind != "drupal" ? "" : "        # What the application makes when first asked for: a file not made yet goes to the front controller.\n"
            + string.Concat(new[] { "styles", "css", "js" }.Select(f => $"        location ~ \"^/sites/a\\.example/files/{f}/\" {{ try_files $uri /index.php?$query_string; }}\n"));
        var own = $"    location ^~ /{folder}/ {{\n        disable_symlinks on from=$document_root;\n        location ~ /\\. {{ deny all; }}\n        location ~ \\.(php|phar|phtml)$ {{ deny all; }}\n{made}        try_files $uri =404;\n    }}";
        Assert.Contains(own, text);
        // Regex locations are tried in the order they stand: every 404 rule before the one that runs PHP.
        var php = text.IndexOf("location ~ \\.php$ {", StringComparison.Ordinal);
        Assert.True(php > 0);
        Assert.All(System.Text.RegularExpressions.Regex.Matches(text, "return 404;"), m => Assert.True(m.Index < php));
        Assert.Contains("    disable_symlinks if_not_owner from=$document_root;\n", text);
    }

    [Fact]
    public void Nginx_keeps_a_site_folder_inside_a_denied_folder_denied()
    {
        var text = Render("nginx", new PhpKind(AppManifest.Parse("site_folders:\n  - images/{uri}\ndeny: [/sites/]\nsettings:\n  path: sites/{uri}/LocalSettings.php\n  template: t.sbn\n", "/srv/x/.aegir.yml")));
        Assert.Contains("location ^~ /sites/ { deny all; }", text);
        Assert.DoesNotContain("location ^~ /sites/a.example/", text);
        Assert.Contains("location ^~ /images/a.example/ {", text);
    }

    [Theory]
    [InlineData("drupal", "sites/*", "sites/(?!(?:all)(?:/|$))[^/]+")]
    [InlineData("wordpress", "wp-content/uploads/sites/*", "wp-content/uploads/sites/[^/]+")]
    [InlineData("php", "files/*", "files/[^/]+")]
    public void Apache_runs_no_php_and_follows_no_link_in_any_site_s_folder(string kind, string glob, string every)
    {
        var text = Render("apache", kind);
        Assert.Contains($"    <Directory \"/srv/x/{glob}\">\n        Options None\n    </Directory>", text);
        Assert.Contains($"    <DirectoryMatch \"^/srv/x/{every}/\">\n        <FilesMatch \"\\.(php|phar|phtml)$\">\n            SetHandler none\n            Require all denied", text);
        var dir = new System.Text.RegularExpressions.Regex($"^/srv/x/{every}/");
        Assert.Matches(dir, "/srv/x/" + glob.Replace("*", "b.example") + "/files/");
        Assert.Matches(dir, "/srv/x/" + glob.Replace("*", "a.example") + "/");
        if (kind == "drupal")
        {
            Assert.DoesNotMatch(dir, "/srv/x/sites/all/modules/");
            Assert.Contains("    <Directory \"/srv/x/sites/all\">\n        Options SymLinksIfOwnerMatch\n", text);
        }
    }

    [Fact]
    public void Apache_follows_a_link_in_the_codebase_only_to_a_file_of_the_link_s_owner()
    {
        using var hosting = new FakeHosting();
        var web = Web(hosting, "apache");
        hosting.Runner.Run("test", "platform_x", [], ctx => web.WritePlatform(ctx, new AegirPlatform("platform_x") { Root = "/srv/x" }));
        var text = hosting.Server.Text(web.PlatformConfigPath("platform_x"));
        Assert.Contains("Options SymLinksIfOwnerMatch", text);
        Assert.DoesNotContain("FollowSymLinks", text);
    }

    [Theory]
    [InlineData("nginx")]
    [InlineData("apache")]
    public void A_settings_file_outside_a_denied_folder_is_denied_on_its_site_and_404_on_every_other(string type)
    {
        var text = Render(type, "manifest");
        Assert.Contains(type == "nginx" ? "location = /conf/a.example.txt { deny all; }" : "<LocationMatch \"^/conf/a\\.example\\.txt$\">", text);
        var notFound = NotFound(type, text);
        Assert.True(notFound("/conf/b.example.txt"));
        Assert.False(notFound("/conf/a.example.txt"));
    }

    [Theory]
    [InlineData("nginx")]
    [InlineData("apache")]
    public void A_disabled_site_s_vhost_serves_nothing_of_any_site(string type)
    {
        var text = Render(type, "drupal", enabled: false);
        Assert.Contains("Site disabled", text);
        Assert.DoesNotContain("sites/a.example/", text);
    }

    [Theory]
    [InlineData("nginx")]
    [InlineData("apache")]
    public void A_web_root_is_served_alone_with_the_site_folders_inside_it_seen_from_there(string type)
    {
        var kind = new PhpKind(AppManifest.Parse("web_root: public\nsite_folders:\n  - public/uploads/{uri}\n  - storage/{uri}\nsettings:\n  path: config/{uri}.php\n  template: t.sbn\n", "/srv/x/.aegir.yml"));
        var text = Render(type, kind);
        Assert.Contains(type == "nginx" ? "root /srv/x/public;" : "DocumentRoot /srv/x/public", text);
        Assert.DoesNotContain("storage", text);
        Assert.DoesNotContain("x/config", text);
        Assert.DoesNotContain("x/public/public", text);
        Assert.DoesNotContain("/public/", text.Replace("/srv/x/public/", "/srv/x/"));
        var notFound = NotFound(type, text);
        Assert.True(notFound("/uploads/b.example/x.txt"));
        Assert.False(notFound("/uploads/a.example/x.txt"));
        Assert.Contains("(?:uploads/[^/]+)", text);   // no PHP in the uploads, seen from the web root
    }

    [Theory]
    [InlineData("web_root: files/www\nsite_folders: ['files/{uri}']", "inside files/{uri}, a folder the web server writes to")]
    [InlineData("web_root: cache/www\nshared_folders: [cache]", "inside cache, a folder the web server writes to")]
    [InlineData("web_root: /public", "not a path inside the platform")]
    [InlineData("web_root: ../www", "not a path inside the platform")]
    // Served from the web root as /{uri}/, every other top-level path (/index.php) would be another site's folder, and 404.
    [InlineData("web_root: public\nsite_folders: ['public/{uri}']", "line 2: 'site_folders' has 'public/{uri}', which the web server serves as /{uri}: .*a folder of its own below public too")]
    [InlineData("web_root: public/\nsettings:\n  path: public/{uri}.php\n  template: t.sbn", "line 3: 'settings.path' has 'public/{uri}.php', which the web server serves as /{uri}.php")]
    public void A_web_root_inside_a_folder_the_web_server_writes_or_outside_the_platform_or_with_a_site_s_name_at_its_top_is_refused(string yaml, string problem)
        => Assert.Matches(problem, Assert.Throws<Errors.AegirException>(() => AppManifest.Parse(yaml, "/srv/x/.aegir.yml")).Message);

    [Theory]
    [InlineData("nginx")]
    [InlineData("apache")]
    public void Web_settings_of_the_application_with_the_site_s_over_them_reach_the_vhost(string type)
    {
        var kind = new PhpKind(AppManifest.Parse("web:\n  upload_max: 64M\n  timeout: 120\n  fastcgi_buffer_size: 32k\n  fastcgi_buffers: 16 16k\n", "/srv/x/.aegir.yml"));
        using var hosting = new FakeHosting();
        var site = new VhostModel("a.example", "platform_x", "/srv/x", ["a.example"], null, true, null, Db) { Tuning = WebTuning.From([new("timeout", "600")], (k, v, w) => new InvalidOperationException(w)) };
        var text = Web(hosting, type).RenderSite(SiteAreas.For(kind, site));
        if (type == "nginx")
        {
            Assert.Contains("client_max_body_size 64m;", text);
            Assert.Contains("fastcgi_read_timeout 600s;", text);   // the site's, over the application's 120
            Assert.Contains("fastcgi_buffer_size 32k;", text);
            Assert.Contains("fastcgi_buffers 16 16k;", text);
            Assert.Contains("include \"" + hosting.Home.Path + "/config/server_master/nginx/site.d/a.example/*.conf\";", text);
            Assert.Contains("include \"" + hosting.Home.Path + "/config/server_master/nginx/platform.d/platform_x/*.conf\";", text);
        }
        else
        {
            Assert.Contains("LimitRequestBody 67108864", text);
            Assert.Contains("RewriteCond expr \"%{HTTP:Content-Length} -gt 67108864\"", text);
            Assert.Contains("ProxyTimeout 600", text);
            Assert.DoesNotContain("fastcgi", text);
            Assert.Contains("IncludeOptional \"" + hosting.Home.Path + "/config/server_master/apache/site.d/a.example/*.conf\"", text);
        }
        Assert.DoesNotContain("client_max_body_size", Render(type, "php"));
    }

    [Theory]
    [InlineData("nginx")]
    [InlineData("apache")]
    public void A_site_without_a_database_gets_no_db_names_from_its_vhost_only_its_own(string type)
    {
        using var hosting = new FakeHosting();
        var text = Web(hosting, type).RenderSite(SiteAreas.For(new PhpKind(), new VhostModel("a.example", "platform_x", "/srv/x", ["a.example"], null, true, null, null)));
        Assert.DoesNotContain("db_", text);
        Assert.Contains(type == "nginx" ? "fastcgi_param aegir_site a.example;" : "SetEnv aegir_site a.example", text);
        Assert.Contains(type == "nginx" ? "fastcgi_param db_passwd Pw-Secret-123;" : "SetEnv db_passwd Pw-Secret-123", Render(type, "php"));
    }

    [Theory]
    [InlineData("web:\n  upload_max: 64 M", "'web.upload_max' is '64 M': it is a size such as 64M")]
    [InlineData("web:\n  upload_max: 17G", "at most 16G")]
    [InlineData("web:\n  timeout: 0", "a number of seconds from 1 to 86400")]
    [InlineData("web:\n  timeout: 60; return 200", "a number of seconds")]
    [InlineData("web:\n  fastcgi_buffers: 16 16k; }", "a count and a size such as 16 16k")]
    [InlineData("web:\n  client_max_body_size: 1G", "it is not a web setting (known: upload_max, timeout, fastcgi_buffer_size, fastcgi_buffers, pm, max_children, memory_limit)")]
    public void A_web_setting_that_is_no_single_plain_value_is_refused(string yaml, string problem)
        => Assert.Contains(problem, Assert.Throws<Errors.AegirException>(() => AppManifest.Parse(yaml, "/srv/x/.aegir.yml")).Message);

    [Fact]
    public void A_site_s_web_settings_are_checked_as_they_are_set_and_kept_sorted()
    {
        var site = new AegirSite("a.example") { WebSettings = ["timeout=30", "upload_max=8M", "timeout=60"] };
        Assert.Equal(["timeout=60", "upload_max=8M"], site.WebSettings);
        Assert.Equal(60, site.Tuning().Timeout);
        Assert.Contains("a size such as 64M", Assert.Throws<Errors.AegirException>(() => site.WebSettings = ["upload_max=8M;"]).Message);
        Assert.Contains("no key=value pair", Assert.Throws<Errors.AegirException>(() => site.WebSettings = ["upload_max"]).Message);
    }
}
