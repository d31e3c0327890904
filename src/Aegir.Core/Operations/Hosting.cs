using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.IO;
using Aegir.Core.Platforms;
using Aegir.Core.Services.Db;
using Aegir.Core.Services.Http;
using Aegir.Core.Tasks;
using Aegir.Core.Templates;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations;

/// <summary>
/// The operations on servers, platforms and sites. Each runs as a task (see <see cref="TaskRunner"/>):
/// steps over the web, database and file services, undone in reverse when a later step fails.
/// </summary>
public sealed partial class Hosting(ContextStore store, ITaskObserver? observer = null)
{
    public ContextStore Store { get; } = store;
    public TaskRunner Runner { get; } = new(store.Home, observer);
    readonly TemplateRenderer _templates = new(store.Home);

    /// <summary>The transport of a server. Remote servers (SSH) come with their own transport.</summary>
    public static ITransport TransportFor(AegirServer server)
    {
        if (!IsLocal(server))
            throw ErrorCatalog.StepFailed($"Reaching '@{server.Name}' ({server.RemoteHost})", "this version manages the local machine only",
                "Host the platform on a server whose remote host is this machine (master, localhost or 127.0.0.1).");
        return LocalTransport.Instance;
    }

    /// <summary>Whether a server is this machine (getting this wrong made Aegir rsync to itself).</summary>
    public static bool IsLocal(AegirServer server)
        => server.Name == ContextNames.Master || server.RemoteHost is "localhost" or "127.0.0.1" or "::1"
           || string.Equals(server.RemoteHost, Environment.MachineName, StringComparison.OrdinalIgnoreCase)
           || string.Equals(server.RemoteHost, System.Net.Dns.GetHostName(), StringComparison.OrdinalIgnoreCase);

    /// <summary>While set, site changes defer their web server reloads to <see cref="FlushReloads"/>.</summary>
    public ReloadBatch? Batch { get; set; }

    WebService Web(AegirServer server) => new(server, TransportFor(server), _templates, Store.Home, Batch);

    /// <summary>Reloads, once each, the web servers the batch deferred; one reload task per server.</summary>
    public IReadOnlyList<AegirTask> FlushReloads()
    {
        if (Batch is null) return [];
        var tasks = new List<AegirTask>();
        foreach (var server in Batch.Take())
            tasks.Add(Runner.Run("reload", server.Name, [], null, ctx =>
            {
                var fresh = Store.GetFresh<AegirServer>(server.Name, "WebServer");
                WebConfigChange.Reload(ctx, TransportFor(fresh), fresh);
            }));
        return tasks;
    }

    static MySqlService Db(AegirServer server) => new(server);

    /// <summary>The account that owns site files: the server's script user where it exists, else whoever runs this.</summary>
    static string Owner(AegirServer server)
        => Posix.UserId(server.ScriptUser) is not null ? server.ScriptUser : Environment.UserName;

    static string WebGroup(AegirServer server) => server.Http.Get("web_group") ?? "www-data";

    /// <summary>Hosts the site's database user is granted from: the web server's, and loopback when both are this machine.</summary>
    static IReadOnlyList<string> GrantHosts(AegirServer web, AegirServer db)
        => IsLocal(web) && IsLocal(db) ? ["127.0.0.1", "localhost"] : [web.RemoteHost];

    (AegirPlatform Platform, AegirServer Web, AegirServer DbServer) Parts(AegirSite site)
    {
        var platform = Store.GetFresh<AegirPlatform>(site.PlatformName, "Platform");
        var web = Store.GetFresh<AegirServer>(platform.WebServerName, "WebServer");
        var db = Store.GetFresh<AegirServer>(site.DbServerName, "DbServer");
        if (web.Http.IsNull) throw ErrorCatalog.ServiceMissing(web.Name, "http", "WebServer");
        if (db.Db.IsNull) throw ErrorCatalog.ServiceMissing(db.Name, "db", "DbServer");
        return (platform, web, db);
    }

    static IPlatformKind KindOf(AegirPlatform platform)
        => platform.Kind is { } name ? PlatformKinds.Get(name) : PlatformKinds.Detect(platform.Root).Kind;

    SiteJob Job(TaskContext ctx, AegirSite site, AegirPlatform platform, AegirServer web, AegirServer db, string? title = null, string? email = null)
    {
        if (site.DbName is null || site.DbPassword is null)
            throw ErrorCatalog.StepFailed($"Reading the database of {site.Uri}", "the site has no database recorded", "Install the site first (Install-AegirSite).");
        ctx.Secret(site.DbPassword);
        int port = web.Http.GetInt("port");
        var dbService = Db(db);
        return new SiteJob
        {
            Ctx = ctx,
            Site = site,
            Platform = platform,
            Transport = TransportFor(web),
            Templates = _templates,
            Database = new SiteDatabase("mysql", dbService.Host, dbService.Port, site.DbName, site.DbName, site.DbPassword),
            SiteUrl = $"http://{site.Redirection ?? site.Uri}{(port == 80 ? "" : ":" + port)}",
            Owner = Owner(web),
            WebGroup = WebGroup(web),
            Title = title,
            AdminEmail = email ?? (site.Client is { Email: { } e } ? e : null),
        };
    }

    static VhostModel Vhost(SiteJob job, IPlatformKind kind, bool enabled)
        => new(job.Site.Uri, job.Platform.Name, job.Platform.Root, job.Site.HostNames().ToList(), job.Site.Redirection, enabled,
            kind.FilesPath(job.Site.Uri), kind.PrivatePath(job.Site.Uri), job.Database);

    /// <summary>Saves a changed context as a step whose undo writes back the previous one.</summary>
    void SaveStep(TaskContext ctx, string description, AegirContext changed)
    {
        var before = Store.ReadFresh(changed.Name);
        ctx.Step(description, () => Store.Update(changed), () => { if (before is not null) Store.Update(before); });
    }
}
