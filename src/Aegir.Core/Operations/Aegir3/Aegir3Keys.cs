namespace Aegir.Core.Operations.Aegir3;

/// <summary>
/// What each property of an Aegir 3 context becomes here (Provision/Context/*.php and the services' init_*): carried
/// into the record, derived (Aegir's own paths and facts it found, which the module finds for itself), or not
/// carried, with what to do instead. A key in none of these is unknown: reported, never dropped silently.
/// </summary>
public static class Aegir3Keys
{
    static readonly string[] Everywhere = ["context_type", "server"];

    /// <summary>Keys the import reads into the record, by context type.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> Carried = new Dictionary<string, IReadOnlySet<string>>
    {
        ["server"] = Set("remote_host", "script_user", "aegir_root", "http_service_type", "http_port", "http_ssl_port", "web_group",
            "cluster_web_servers", "db_service_type", "master_db", "db_port"),
        ["platform"] = Set("root", "web_server"),
        ["site"] = Set("uri", "platform", "db_server", "aliases", "redirection", "profile", "language", "site_enabled"),
    };

    /// <summary>Keys Aegir derives or detects (paths under aegir_root, what verify found): the module has its own.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> Derived = new Dictionary<string, IReadOnlySet<string>>
    {
        ["server"] = Set([.. Everywhere, "backup_path", "config_path", "include_path", "clients_path", "master_url", "admin_email", "utf8mb4_is_supported",
            "http_app_path", "http_pred_path", "http_postd_path", "http_platformd_path", "http_vhostd_path", "http_subdird_path", "http_platforms_path",
            "web_disable_url", "web_maintenance_url", "ssld_path", "http_ssld_path", "ssl_enabled", "ssl_key",
            "nginx_config_mode", "nginx_is_modern", "nginx_has_etag", "nginx_has_http2", "nginx_has_gzip", "nginx_has_upload_progress",
            "provision_db_cloaking", "phpfpm_mode", "subdirs_support", "satellite_mode"]),
        ["platform"] = Set([.. Everywhere, "make_working_copy"]),
        ["site"] = Set([.. Everywhere, "root", "site_path", "cron_key", "install_method", "ip_addresses", "ssl_key", "https_key"]),
    };

    /// <summary>Keys with a meaning the module keeps elsewhere or not at all: reported when set, with what to do.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NotCarried = new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["server"] = new Dictionary<string, string>
        {
            ["http_restart_cmd"] = "the web server is reloaded with the module's command for its type; give another with Set-AegirServer -HttpSetting @{ restart_command = '...' }",
            ["ip_addresses"] = "vhosts listen on the web service's listen_address (every address unless set): Set-AegirServer -HttpSetting @{ listen_address = '...' }",
            ["db_grant_all_hosts"] = "site users are granted to each web server's own address only",
        },
        ["platform"] = new Dictionary<string, string>
        {
            ["makefile"] = "the platform is taken in as its code stands; its makefile is not run",
        },
        ["site"] = new Dictionary<string, string>
        {
            ["client_name"] = "make the client (New-AegirClient) and give it the site: Set-AegirSite <uri> -Client <name>",
            ["ssl_enabled"] = "the site is taken in over HTTP; turn HTTPS on with Set-AegirSite <uri> -Https Enabled (or Required)",
            ["https_enabled"] = "the site is taken in over HTTP; turn HTTPS on with Set-AegirSite <uri> -Https Enabled (or Required)",
            ["drush_aliases"] = "drush aliases are not kept; the site answers to its uri and aliases",
        },
    };

    static IReadOnlySet<string> Set(params string[] keys) => new HashSet<string>(keys, StringComparer.Ordinal);
}
