using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Services.Http;
using Aegir.Core.Tasks;
using Aegir.Core.Templates;

namespace Aegir.Core.Tests;

public class WebServiceTests
{
    static AegirServer Nginx()
    {
        var server = new AegirServer(ContextNames.Master);
        server.Http.ChangeType("nginx");
        server.Http.Set("port", "8080");
        server.Http.Set("listen_address", "127.0.0.1");
        server.Http.Set("pid_file", "/nonexistent/nginx.pid");
        return server;
    }

    static VhostModel Site(bool enabled = true, string? redirection = null) => new(
        "a.example", "platform_wp", "/srv/wp", ["a.example", "www.a.example"], redirection, enabled,
        "wp-content/uploads/sites/a.example", null, new SiteDatabase("mysql", "127.0.0.1", 3306, "aexample", "aexample", "Pw-Secret-123"));

    static AegirTask Run(TestHome home, Action<TaskContext> body) => new TaskRunner(home.Path).Run("test", "a.example", [], null, body);

    [Fact]
    public void A_failing_config_test_puts_the_old_files_back_and_does_not_reload()
    {
        using var home = new TestHome(seed: false);
        var transport = new FakeTransport(spec => spec.Arguments.Contains("-t") ? FakeTransport.Fail("nginx: [emerg] unknown directive") : FakeTransport.Ok);
        var web = new WebService(Nginx(), transport, new TemplateRenderer(home.Path), home.Path);
        transport.Files[web.VhostPath("a.example")] = "old config"u8.ToArray();

        var task = Run(home, ctx => web.WriteSite(ctx, Site()));

        Assert.Equal(AegirTaskStatus.Failed, task.Status);
        Assert.Equal("WebConfigTestFailed", task.ErrorId);
        Assert.Contains("unknown directive", task.Error);
        Assert.Equal("old config", transport.Text(web.VhostPath("a.example")));
        Assert.DoesNotContain(transport.Commands, c => c.Contains("reload"));
    }

    [Fact]
    public void A_new_file_that_fails_the_test_is_removed_again()
    {
        using var home = new TestHome(seed: false);
        var transport = new FakeTransport(spec => spec.Arguments.Contains("-t") ? FakeTransport.Fail("bad") : FakeTransport.Ok);
        var web = new WebService(Nginx(), transport, new TemplateRenderer(home.Path), home.Path);
        Run(home, ctx => web.WriteSite(ctx, Site()));
        Assert.False(transport.FileExists(web.VhostPath("a.example")));
    }

    [Fact]
    public void A_later_failure_undoes_the_vhost_and_reloads()
    {
        using var home = new TestHome(seed: false);
        var transport = new FakeTransport(_ => FakeTransport.Ok);
        var web = new WebService(Nginx(), transport, new TemplateRenderer(home.Path), home.Path);
        var task = Run(home, ctx =>
        {
            web.WriteSite(ctx, Site());
            throw new InvalidOperationException("installer failed");
        });
        Assert.False(transport.FileExists(web.VhostPath("a.example")));
        Assert.Equal(2, transport.Commands.Count(c => c.EndsWith("-s reload")));
        Assert.Contains(task.Log, e => e.Message.StartsWith("Undid: Writing the nginx vhost"));
    }

    [Fact]
    public void The_vhost_cloaks_the_database_and_redirects_aliases()
    {
        using var home = new TestHome(seed: false);
        var web = new WebService(Nginx(), new FakeTransport(_ => FakeTransport.Ok), new TemplateRenderer(home.Path), home.Path);
        var text = web.RenderVhost(Site(redirection: "a.example"));
        Assert.Contains("listen 127.0.0.1:8080;", text);
        Assert.Contains("server_name www.a.example;", text);
        Assert.Contains("return 301 $scheme://a.example:8080$request_uri;", text);
        Assert.Contains("fastcgi_param db_passwd Pw-Secret-123;", text);
        Assert.Contains("location ^~ /wp-content/uploads/sites/a.example/", text);
        Assert.DoesNotContain("Site disabled", text);
        Assert.Contains("Site disabled", web.RenderVhost(Site(enabled: false)));
        Assert.DoesNotContain("db_passwd", web.RenderVhost(Site(enabled: false)));
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
}
