using Aegir.Core.Contexts;
using Aegir.Core.Services.Http;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Services;

/// <summary>
/// A server's web service (nginx, Apache): one include per server, one per platform, one vhost per site.
/// Every config change is a journaled step that writes the files, runs the server's config test, and puts
/// the old files back when the test fails, so the web server is never left with broken config.
/// Reloading is a separate step, so a batch of changes can share one.
/// </summary>
public interface IHttpService
{
    AegirServer Server { get; }

    /// <summary>The service type: nginx, apache.</summary>
    string Type { get; }

    /// <summary>The group the web server and PHP run as.</summary>
    string WebGroup { get; }

    string ServerConfigPath { get; }
    string SiteConfigPath(string uri);
    string PlatformConfigPath(string platform);
    /// <summary>The admin's own rules for a site's vhost (*.conf files, included as they are); they follow the site's uri.</summary>
    string SiteIncludeDir(string uri);
    /// <summary>The admin's own rules for every vhost of a platform's sites.</summary>
    string PlatformIncludeDir(string platform);

    /// <summary>Where the web server writes a site's access and error log.</summary>
    (string Access, string Error) SiteLogs(string uri);

    /// <summary>The URL of a host name on this server (scheme, host, port): https on the https_port when asked.</summary>
    string Url(string host, bool https = false);

    /// <summary>Server verify: the config folders and the server include (tested, not yet reloaded).</summary>
    void Verify(TaskContext ctx);

    void WriteSite(TaskContext ctx, VhostModel site);
    void RemoveSite(TaskContext ctx, string uri);
    void WritePlatform(TaskContext ctx, AegirPlatform platform);
    void RemovePlatform(TaskContext ctx, string platform);

    /// <summary>Runs the server's config test on the files as they are.</summary>
    CommandResult Test();

    /// <summary>Reloads, and waits until the reload has taken effect.</summary>
    void Reload(TaskContext ctx);

    /// <summary>Refuses to put a reload off when what it must reload first cannot be (PHP-FPM down under a changed pool), naming that cause.</summary>
    void CheckDeferredReload() { }

    /// <summary>Whether the web server runs (its pid file names a live process); null when it cannot tell (no pid file setting).</summary>
    bool? IsRunning();

    /// <summary>
    /// GETs a path ("/" when left out) of a host from the web server itself, as a visitor would (no redirect followed);
    /// over HTTPS on the https_port when <paramref name="tlsThumbprint"/> names the certificate it must show.
    /// </summary>
    HttpAnswer Fetch(string host, string path = "/", string? tlsThumbprint = null);

    /// <summary>Puts back config files saved before a change (an undo); true when any file changed.</summary>
    bool Restore(TaskContext ctx, byte[] saved);

    string RenderSite(VhostModel site);

    /// <summary>The server include as <see cref="Verify"/> writes it (a drift report compares it); null where there is none.</summary>
    string? RenderServer() => null;

    /// <summary>The platform's include as <see cref="WritePlatform"/> writes it (a drift report compares it); null where there is none.</summary>
    string? RenderPlatform(AegirPlatform platform) => null;
}
