using Aegir.Core.Contexts;

namespace Aegir.Core.Services.Http;

/// <summary>Everything a vhost template needs about one site (its database null for a site without one).</summary>
public sealed record VhostModel(
    string Uri,
    string Platform,
    string Root,
    IReadOnlyList<string> HostNames,
    string? Redirection,
    bool Enabled,
    string? PrivatePath,
    SiteDatabase? Database)
{
    /// <summary>Where requests that are no file go, relative to the root.</summary>
    public string FrontController { get; init; } = "index.php";
    /// <summary>Paths never served, from the site's root: a folder ends in '/'.</summary>
    public IReadOnlyList<string> Denied { get; init; } = [];
    /// <summary>The site's own folders, relative to the root: served to its names as files only, never run as PHP, never through a link.</summary>
    public IReadOnlyList<string> SiteFolders { get; init; } = [];
    /// <summary>Folders inside the site's own whose files the application makes when first asked for: one not there yet goes to the front controller.</summary>
    public IReadOnlyList<string> MadeOnRequest { get; init; } = [];
    /// <summary>Folders all sites of the platform share that the web server writes to: served as files only, like the site's own.</summary>
    public IReadOnlyList<string> SharedFolders { get; init; } = [];
    /// <summary>Where every site of the platform keeps its own: no PHP runs there, and only this site's answer here (404 for the rest).</summary>
    public IReadOnlyList<SiteArea> SiteAreas { get; init; } = [];
    /// <summary>Trees the web server writes to, as unanchored patterns from the root: no PHP runs anywhere in them.</summary>
    public IReadOnlyList<string> NoScripts { get; init; } = [];
    /// <summary>The application's web settings (its manifest's web key) with the site's over them.</summary>
    public WebTuning Tuning { get; init; } = WebTuning.None;
    /// <summary>The socket of the site's own PHP-FPM pool, whose environment holds its credentials; null for the shared pool.</summary>
    public string? Socket { get; init; }
    /// <summary>
    /// A cluster's site: the socket of its own pool on each member, by the member's name (null where that member's sites
    /// share its pool): each member's vhost points at that member's own.
    /// </summary>
    public IReadOnlyDictionary<string, string?>? MemberSockets { get; init; }

    /// <summary>The vhost as one member of a cluster serves it: with that member's socket (a server's own site is itself).</summary>
    public VhostModel On(string member)
        => MemberSockets is { } sockets ? this with { Socket = sockets.TryGetValue(member, out var socket) ? socket : Socket, MemberSockets = null } : this;

    /// <summary>The certificate of a site served over HTTPS; null for one served over HTTP only.</summary>
    public SiteTls? Tls { get; init; }
}
