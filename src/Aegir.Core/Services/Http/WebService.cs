using Aegir.Core.Contexts;
using Aegir.Core.Tasks;
using Aegir.Core.Templates;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.Http;

/// <summary>
/// A server's web service: the config tree <c>config/&lt;server&gt;/&lt;app&gt;/{platform.d,vhost.d}</c>, one
/// server include that the web server's main config pulls in, one include per platform, one vhost per site.
/// nginx and Apache differ only in their templates.
/// </summary>
public sealed class WebService(AegirServer server, ITransport transport, TemplateRenderer templates, string home, ReloadBatch? batch = null)
{
    public AegirServer Server { get; } = server;
    string App => Server.Http.Type;
    public string ConfigDir => Path.Combine(home, "config", Server.Name);
    string AppDir => Path.Combine(ConfigDir, App);
    public string ServerInclude => Path.Combine(ConfigDir, App + ".conf");
    public string VhostPath(string uri) => Path.Combine(AppDir, "vhost.d", uri + ".conf");
    public string PlatformPath(string platform) => Path.Combine(AppDir, "platform.d", platform + ".conf");

    public void VerifyServer(TaskContext ctx)
    {
        ctx.Step($"Creating the {App} config folders of '@{Server.Name}'", () =>
        {
            foreach (var dir in new[] { ConfigDir, AppDir, Path.Combine(AppDir, "platform.d"), Path.Combine(AppDir, "vhost.d") })
                transport.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        });
        var text = templates.Render($"{App}-server.conf.sbn", new Dictionary<string, object?> { ["server"] = Server.Name, ["config_dir"] = ConfigDir, ["listen"] = Listen() });
        WebConfigChange.Apply(ctx, transport, Server, $"Writing {ServerInclude} and reloading {App}", [(ServerInclude, text)]);
    }

    public void WritePlatform(TaskContext ctx, AegirPlatform platform)
    {
        var text = templates.Render($"{App}-platform.conf.sbn", new Dictionary<string, object?>
        {
            ["platform"] = platform.Name, ["root"] = platform.Root, ["kind"] = platform.Kind ?? "", ["version"] = platform.Version ?? "",
        });
        WebConfigChange.Apply(ctx, transport, Server, $"Writing the {App} include of '@{platform.Name}'", [(PlatformPath(platform.Name), text)], batch);
    }

    public void DeletePlatform(TaskContext ctx, AegirPlatform platform)
        => WebConfigChange.Apply(ctx, transport, Server, $"Removing the {App} include of '@{platform.Name}'", [(PlatformPath(platform.Name), null)]);

    public string RenderVhost(VhostModel site)
    {
        int port = Server.Http.GetInt("port");
        string listen = Listen();
        var portSuffix = port == 80 ? "" : ":" + port;
        var names = site.Redirection is null ? site.HostNames : [site.Redirection];
        var from = site.Redirection is null ? [] : site.HostNames.Where(h => h != site.Redirection).ToList();
        return templates.Render($"{App}-vhost.conf.sbn", new Dictionary<string, object?>
        {
            ["uri"] = site.Uri,
            ["platform"] = site.Platform,
            ["root"] = site.Root,
            ["listen"] = listen,
            ["port"] = port,
            ["port_suffix"] = portSuffix,
            ["server_names"] = names.ToList(),
            ["redirect_from"] = from.Count > 0 ? from : null,
            ["redirection"] = from.Count > 0 ? site.Redirection : null,
            ["enabled"] = site.Enabled,
            ["files_path"] = site.FilesPath,
            ["private_path"] = site.PrivatePath,
            ["socket"] = Server.Http.Get("php_fpm_socket"),
            ["site_url"] = $"http://{site.Redirection ?? site.Uri}{portSuffix}",
            ["db"] = new Dictionary<string, object?>
            {
                ["type"] = site.Database.Type, ["host"] = site.Database.Host, ["port"] = site.Database.Port,
                ["name"] = site.Database.Name, ["user"] = site.Database.User, ["password"] = site.Database.Password,
            },
        });
    }

    /// <summary>What a vhost listens on: nginx's "port" or "address:port", Apache's "address:port" (with * for all).</summary>
    string Listen()
    {
        int port = Server.Http.GetInt("port");
        var address = Server.Http.Get("listen_address") ?? "*";
        return App == "nginx" && address == "*" ? port.ToString() : $"{address}:{port}";
    }

    public void WriteSite(TaskContext ctx, VhostModel site)
        => WebConfigChange.Apply(ctx, transport, Server, $"Writing the {App} vhost of {site.Uri} and reloading",
            [(VhostPath(site.Uri), RenderVhost(site))], batch);

    public void DeleteSite(TaskContext ctx, string uri)
        => WebConfigChange.Apply(ctx, transport, Server, $"Removing the {App} vhost of {uri} and reloading", [(VhostPath(uri), null)]);
}
