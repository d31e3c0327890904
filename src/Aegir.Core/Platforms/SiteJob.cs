using Aegir.Core.Contexts;
using Aegir.Core.Services.Http;
using Aegir.Core.Tasks;
using Aegir.Core.Templates;
using Aegir.Core.Transport;

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

    public string Root => Platform.Root;
    public string Full(string relative) => System.IO.Path.Combine(Root, relative);

    /// <summary>The database settings a site's PHP gets from the web server, as environment for CLI tools.</summary>
    public Dictionary<string, string> DbEnvironment() => new()
    {
        ["db_type"] = Database.Type, ["db_host"] = Database.Host, ["db_port"] = Database.Port.ToString(),
        ["db_name"] = Database.Name, ["db_user"] = Database.User, ["db_passwd"] = Database.Password,
        ["aegir_site"] = Site.Uri, ["aegir_url"] = SiteUrl,
    };
}

/// <summary>Everything a platform kind needs to prepare a platform.</summary>
public class PlatformJob
{
    public required TaskContext Ctx { get; init; }
    public required AegirPlatform Platform { get; init; }
    public required ITransport Transport { get; init; }
    public required TemplateRenderer Templates { get; init; }
    /// <summary>Owner of the files (the server's script user) and the web server's group.</summary>
    public required string Owner { get; init; }
    public required string WebGroup { get; init; }
}

/// <summary>What installing a site produced: the admin account the user must be told about, once.</summary>
public sealed record InstallResult(string? AdminUser, string? AdminPassword, string? LoginUrl);
