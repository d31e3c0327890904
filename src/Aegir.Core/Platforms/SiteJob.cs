using Aegir.Core.Contexts;
using Aegir.Core.Services.Http;

namespace Aegir.Core.Platforms;

/// <summary>Everything a platform kind needs to set up, configure or install one site.</summary>
public sealed class SiteJob : PlatformJob
{
    public required AegirSite Site { get; init; }
    public required SiteDatabase Database { get; init; }
    /// <summary>The URL the site answers on (scheme, main host, port).</summary>
    public required string SiteUrl { get; init; }
    public string? AdminEmail { get; init; }
    public string? Title { get; init; }

    /// <summary>The database settings a site's PHP gets from the web server, as environment for CLI tools.</summary>
    public Dictionary<string, string> DbEnvironment() => new()
    {
        ["db_type"] = Database.Type, ["db_host"] = Database.Host, ["db_port"] = Database.Port.ToString(),
        ["db_name"] = Database.Name, ["db_user"] = Database.User, ["db_passwd"] = Database.Password,
        ["aegir_site"] = Site.Uri, ["aegir_url"] = SiteUrl,
    };
}
