using Aegir.Core.Contexts;
using Aegir.Core.Services.Http;

namespace Aegir.Core.Platforms;

/// <summary>Everything a platform kind needs to set up, configure or install one site.</summary>
public sealed class SiteJob : PlatformJob
{
    public required AegirSite Site { get; init; }
    public required SiteDatabase Database { get; init; }
    /// <summary>The database service the site's database is on.</summary>
    public required Services.IDbService Db { get; init; }
    /// <summary>The URL the site answers on (scheme, main host, port).</summary>
    public required string SiteUrl { get; init; }
    public string? AdminEmail { get; init; }
    public string? Title { get; init; }

    /// <summary>The database settings a site's PHP gets from the web server, as environment for CLI tools.</summary>
    public Dictionary<string, string> DbEnvironment() => Environment(Database, Site.Uri, SiteUrl);

    /// <summary>The names PHP gets from the vhost (FastCGI parameters), for a site's commands.</summary>
    public static Dictionary<string, string> Environment(SiteDatabase database, string uri, string url) => new()
    {
        ["db_type"] = database.Type, ["db_host"] = database.Host, ["db_port"] = database.Port.ToString(),
        ["db_name"] = database.Name, ["db_user"] = database.User, ["db_passwd"] = database.Password,
        ["aegir_site"] = uri, ["aegir_url"] = url,
    };
}
