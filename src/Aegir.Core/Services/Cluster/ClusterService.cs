using Aegir.Core.Contexts;
using Aegir.Core.Services.Http;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.Cluster;

/// <summary>
/// Web servers that serve the same platforms and sites (Aegir's cluster): a cluster has no address of its own; each
/// change of config is written to, tested on and reloaded on every member, each member's step journaled with its own
/// undo, so a member whose config test fails puts back what the change did on every member.
/// </summary>
[ServiceType]
public sealed class ClusterService(AegirServer server, IServiceEnvironment env) : IHttpService
{
    public const string MembersSetting = AegirServer.ClusterMembersSetting;
    public const string FrontPortSetting = "front_port";
    public const string FrontHttpsPortSetting = "front_https_port";

    public static ServiceTypeInfo Info { get; } = new(ServiceCatalog.Http, ServiceCatalog.Cluster,
        "Web servers serving the same sites: each site is written to, tested on and reloaded on every member.",
        [
            new(MembersSetting, SettingKind.ServerList, null, "The member web servers (server records with a web service of their own), as New-AegirServer -ClusterMembers names them."),
            new(FrontPortSetting, SettingKind.Port, "80", "The port the haproxy front verify writes for the cluster (config/<cluster>/haproxy.cfg in AEGIR_HOME) listens on."),
            new(FrontHttpsPortSetting, SettingKind.Port, "443", "The port on which the haproxy front passes HTTPS through to the members' https_port (TCP: each member shows the site's certificate)."),
        ],
        (s, e) => new ClusterService(s, (IServiceEnvironment)e));

    /// <summary>The member servers' names a cluster's record holds, in order (the first is where single commands run).</summary>
    public static IReadOnlyList<string> MemberNames(AegirServer server) => server.ClusterMembers;

    public AegirServer Server { get; } = server;
    public string Type => ServiceCatalog.Cluster;

    /// <summary>Each member's web service, as its own record says.</summary>
    public IReadOnlyList<IHttpService> Members => _members ??= MemberNames(Server).Select(n => env.Http(env.Server(n))).ToList();
    IReadOnlyList<IHttpService>? _members;

    IHttpService First => Members.Count > 0 ? Members[0] : throw Errors.ErrorCatalog.ClusterEmpty(Server.Name);

    public string WebGroup => First.WebGroup;
    public string ServerConfigPath => First.ServerConfigPath;
    public string SiteConfigPath(string uri) => First.SiteConfigPath(uri);
    public string PlatformConfigPath(string platform) => First.PlatformConfigPath(platform);
    public string SiteIncludeDir(string uri) => First.SiteIncludeDir(uri);
    public string PlatformIncludeDir(string platform) => First.PlatformIncludeDir(platform);
    public (string Access, string Error) SiteLogs(string uri) => First.SiteLogs(uri);
    public string Url(string host, bool https = false) => First.Url(host, https);

    public void Verify(TaskContext ctx)
    {
        foreach (var member in Members) member.Verify(ctx);
    }

    /// <summary>
    /// Writes the vhost on every member, each pointing at that member's own pool of the site where it has one. A member
    /// whose vhost is missing or differs while another member's is as it should be has drifted: it is named before it is
    /// put right.
    /// </summary>
    public void WriteSite(TaskContext ctx, VhostModel site)
    {
        foreach (var drifted in Drifted(site)) ctx.Warn($"The vhost of {site.Uri} on member '@{drifted.Member}' of '@{Server.Name}' {drifted.Problem}; it is written again.");
        foreach (var member in Members) member.WriteSite(ctx, site.On(member.Server.Name));
    }

    /// <summary>
    /// Members whose vhost of a site is missing or not as it should be, while another member's is. One that still sends
    /// the site to the member's shared pool, where it now has its own, is moving into it, not drifting.
    /// </summary>
    public IReadOnlyList<(string Member, string Problem)> Drifted(VhostModel site)
    {
        var states = Members.Select(m => (m.Server.Name, Text: Read(m, m.SiteConfigPath(site.Uri)), Want: m.RenderSite(site.On(m.Server.Name)),
            Shared: site.On(m.Server.Name).Socket is null ? null : m.RenderSite(site.On(m.Server.Name) with { Socket = null }))).ToList();
        if (!states.Any(s => s.Text == s.Want)) return [];
        return states.Where(s => s.Text != s.Want && s.Text != s.Shared).Select(s => (s.Name, s.Text is null ? "is missing" : "differs from the others")).ToList();
    }

    string? Read(IHttpService member, string path)
        => env.Connect(member.Server).ReadFile(path) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    public void RemoveSite(TaskContext ctx, string uri)
    {
        foreach (var member in Members) member.RemoveSite(ctx, uri);
    }

    public void WritePlatform(TaskContext ctx, AegirPlatform platform)
    {
        foreach (var member in Members) member.WritePlatform(ctx, platform);
    }

    public void RemovePlatform(TaskContext ctx, string platform)
    {
        foreach (var member in Members) member.RemovePlatform(ctx, platform);
    }

    /// <summary>Every member's config test: the first that fails, else the first member's.</summary>
    public CommandResult Test()
    {
        var results = Members.Select(m => m.Test()).ToList();
        return results.FirstOrDefault(r => !r.Succeeded) ?? results[0];
    }

    public void Reload(TaskContext ctx)
    {
        foreach (var member in Members) member.Reload(ctx);
    }

    public bool? IsRunning()
    {
        var states = Members.Select(m => m.IsRunning()).ToList();
        return states.Contains(false) ? false : states.Contains(null) ? null : true;
    }

    /// <summary>Asks the first member; a site's check asks each member itself.</summary>
    public HttpAnswer Fetch(string host, string path = "/", string? tlsThumbprint = null) => First.Fetch(host, path, tlsThumbprint);

    /// <summary>Config is saved and put back per member (their journal entries name the member), never for the cluster as one.</summary>
    public bool Restore(TaskContext ctx, byte[] saved) => false;

    public string RenderSite(VhostModel site) => First.RenderSite(site.On(First.Server.Name));

    /// <summary>Where verify writes the cluster's haproxy front: on this machine, beside the module's other config.</summary>
    public string FrontConfigPath => Path.Combine(env.Home, "config", Server.Name, "haproxy.cfg");

    /// <summary>An haproxy config that spreads requests over the members, each at the address and ports its vhosts listen on (HTTPS passed through).</summary>
    public string FrontConfig() => env.Templates.Render("haproxy-front.cfg.sbn", new Dictionary<string, object?>
    {
        ["cluster"] = Server.Name,
        ["listen"] = "*:" + Server.Http.Get(FrontPortSetting),
        ["https_listen"] = "*:" + Server.Http.Get(FrontHttpsPortSetting),
        ["members"] = Members.Select(m => new Dictionary<string, object?>
        {
            ["name"] = m.Server.Name,
            ["address"] = m.Server.Http.Get("listen_address") is { } listen and not "*" ? TemplatedWebService.Bracketed(listen)
                : ThisMachine.Is(m.Server) ? "127.0.0.1" : TemplatedWebService.Bracketed(m.Server.RemoteHost),
            ["port"] = m.Server.Http.GetInt("port"),
            ["https_port"] = m.Server.Http.GetInt("https_port"),
        }).ToList(),
    });
}
