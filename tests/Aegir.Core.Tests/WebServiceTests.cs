using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Services;
using Aegir.Core.Services.Http;
using Aegir.Core.Tasks;
using Aegir.Core.Templates;

namespace Aegir.Core.Tests;

public class WebServiceTests
{
    static VhostModel Site(bool enabled = true, string? redirection = null) => new(
        "a.example", "platform_wp", "/srv/wp", ["a.example", "www.a.example"], redirection, enabled,
        "wp-content/uploads/sites/a.example", null, new SiteDatabase("mysql", "127.0.0.1", 3306, "aexample", "aexample", "Pw-Secret-123"));

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
        Assert.Contains("return 301 $scheme://a.example:8080$request_uri;", text);
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
        Assert.Equal(["apache", "nginx", "none"], ServiceCatalog.TypesOf(ServiceCatalog.Http));
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
}
