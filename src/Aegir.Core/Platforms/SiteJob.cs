using Aegir.Core.Contexts;
using Aegir.Core.Services.Http;

namespace Aegir.Core.Platforms;

/// <summary>Everything a platform kind needs to set up, configure or install one site.</summary>
public sealed class SiteJob : PlatformJob
{
    public required AegirSite Site { get; init; }
    /// <summary>The site's database; null for a site without one (its application keeps none).</summary>
    public required SiteDatabase? Database { get; init; }
    /// <summary>The database service the site's database is on (null with it).</summary>
    public required Services.IDbService? Db { get; init; }
    /// <summary>The database of a site whose kind always has one (Drupal, WordPress).</summary>
    public SiteDatabase OwnDatabase => Database ?? throw Errors.ErrorCatalog.SiteHasNoDatabase(Site.Uri, Platform.Name);
    public Services.IDbService OwnDb => Db ?? throw Errors.ErrorCatalog.SiteHasNoDatabase(Site.Uri, Platform.Name);
    /// <summary>The URL the site answers on (scheme, main host, port).</summary>
    public required string SiteUrl { get; init; }
    public string? AdminEmail { get; init; }
    public string? Title { get; init; }

    /// <summary>The database settings a site's PHP gets from the web server, as environment for CLI tools.</summary>
    public Dictionary<string, string> DbEnvironment() => Environment(Database, Site.Uri, SiteUrl, OwnPool);

    /// <summary>Whether the site runs in a PHP-FPM pool of its own (its commands then get what its pool's environment holds).</summary>
    public bool OwnPool { get; init; }

    /// <summary>The names PHP gets from the vhost (FastCGI parameters), for a site's commands; no db_* for a site without a database.</summary>
    /// <param name="ownPool">The site runs in a pool of its own: it gets aegir_salt too, a secret of its own (from its database password) for the application's keys.</param>
    public static Dictionary<string, string> Environment(SiteDatabase? database, string uri, string url, bool ownPool = false)
    {
        var environment = new Dictionary<string, string> { ["aegir_site"] = uri, ["aegir_url"] = url };
        if (database is null) return environment;
        if (ownPool)
            environment["aegir_salt"] = Convert.ToHexString(System.Security.Cryptography.HMACSHA256.HashData(
                System.Text.Encoding.UTF8.GetBytes(database.Password), System.Text.Encoding.UTF8.GetBytes("aegir_salt:" + uri))).ToLowerInvariant();
        environment["db_type"] = database.Type;
        environment["db_host"] = database.Host;
        environment["db_port"] = database.Port.ToString();
        environment["db_name"] = database.Name;
        environment["db_user"] = database.User;
        environment["db_passwd"] = database.Password;
        return environment;
    }
}
