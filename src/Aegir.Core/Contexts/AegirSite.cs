using Aegir.Core.Errors;
using Aegir.Core.Yaml;

namespace Aegir.Core.Contexts;

/// <summary>A uri on a platform with its own database; the context name is the uri.</summary>
public sealed class AegirSite : AegirContext
{
    string _platform = "";
    string? _dbServer = ContextNames.Master;
    string? _client;
    string _profile = "standard";
    string _language = "en";
    string? _redirection;
    List<string> _aliases = [];

    public AegirSite(string uri) : base(Validate.SiteHost("Uri", uri)) { }

    [Newtonsoft.Json.JsonIgnore]   // ConvertTo-Json writes its name (the module's types file)
    public override ContextType Type => ContextType.Site;

    public string Uri => Name;

    /// <summary>
    /// The UNIX account the site's PHP and commands run as, on a web server that gives each site its own pool (php_pools
    /// per-site): its client's where the server says php_accounts per-client, else its own.
    /// </summary>
    [Newtonsoft.Json.JsonIgnore]
    public string? UnixUser => Home is not { } home ? null
        : _client is { } client && GetPlatform()?.GetWebServer() is { Http.IsNull: false } web && web.Http.Get("php_accounts") == "per-client"
            ? AccountNames.ForClient(client[ContextNames.Prefix(ContextType.Client).Length..], home)
            : AccountNames.ForSite(Uri, home);

    /// <summary>The name of the site's own PHP-FPM pool (its file aegir-&lt;pool&gt;.conf, its folder and socket), whoever it runs as.</summary>
    [Newtonsoft.Json.JsonIgnore]
    public string? PhpPool => Home is { } home ? AccountNames.ForSite(Uri, home) : null;

    string? Home => Path is { } path ? System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(path)) : null;

    public string PlatformName { get => _platform; set => _platform = ContextNames.Canonical("Platform", value, ContextType.Platform); }

    /// <summary>The platform, read back through the store (a method, so output for scripts carries the name only).</summary>
    public AegirPlatform? GetPlatform() => Resolve<AegirPlatform>(_platform);

    /// <summary>The server of the site's database; null for a site without one (its application keeps none: a manifest's database: none).</summary>
    public string? DbServerName { get => _dbServer; set => _dbServer = value is null ? null : ContextNames.Canonical("DbServer", value, ContextType.Server); }

    /// <summary>Whether the site has a database of its own (and a database server for it).</summary>
    public bool HasDatabase => _dbServer is not null;

    public AegirServer? GetDbServer() => _dbServer is null ? null : Resolve<AegirServer>(_dbServer);

    public string? ClientName { get => _client; set => _client = string.IsNullOrEmpty(value) ? null : ContextNames.Canonical("Client", value, ContextType.Client); }

    public AegirClient? GetClient() => Resolve<AegirClient>(_client);

    /// <summary>
    /// The address the site answers on: its redirection target or uri, on its web server's port, over HTTPS for a site
    /// served so (null when its platform is not found).
    /// </summary>
    public string? Url => GetPlatform()?.GetWebServer()?.GetFirstMember() is { Http.IsNull: false } web
        ? WebAddress.Of(web.Http, Redirection ?? Uri, Https != HttpsMode.Disabled) + "/"
        : null;

    /// <summary>Whether (and how strictly) the site is served over HTTPS.</summary>
    public HttpsMode Https { get; set; } = HttpsMode.Disabled;

    /// <summary>Where the site's certificate comes from (Let's Encrypt unless set); its files are in the certificate store.</summary>
    public CertificateSource CertificateSource { get; set; } = CertificateSource.LetsEncrypt;

    public string Profile { get => _profile; set => _profile = Validate.Profile(nameof(Profile), value); }

    public string Language { get => _language; set => _language = Validate.Language(nameof(Language), value); }

    /// <summary>
    /// The site's own web server settings over its platform's (Set-AegirSite -WebSetting), as key=value: upload_max,
    /// timeout, fastcgi_buffer_size, fastcgi_buffers; each checked as it is set.
    /// </summary>
    public IReadOnlyList<string> WebSettings
    {
        get => _webSettings;
        set
        {
            var pairs = (value ?? []).Select(Pair).ToList();
            _ = Contexts.WebTuning.From(pairs, (key, v, why) => ErrorCatalog.InvalidValue("WebSetting", $"{key}={v}", why, $"Give one of {string.Join(", ", Contexts.WebTuning.Keys)} with a value such as upload_max=64M."));
            _webSettings = pairs.GroupBy(p => p.Key).Select(g => $"{g.Key}={g.Last().Value}").OrderBy(p => p, StringComparer.Ordinal).ToList();
        }
    }
    IReadOnlyList<string> _webSettings = [];

    static KeyValuePair<string, string> Pair(string setting)
        => setting.IndexOf('=') is > 0 and var at ? new(setting[..at], setting[(at + 1)..])
            : throw ErrorCatalog.InvalidValue("WebSetting", setting, "it is no key=value pair", "Give settings such as upload_max=64M.");

    /// <summary>The site's web settings, read.</summary>
    public Contexts.WebTuning Tuning() => Contexts.WebTuning.From(_webSettings.Select(Pair), (key, v, why) => ErrorCatalog.InvalidValue("WebSetting", $"{key}={v}", why, "Set it again with Set-AegirSite -WebSetting."));

    /// <summary>Other host names the site answers to.</summary>
    public IReadOnlyList<string> Aliases
    {
        get => _aliases;
        set
        {
            var list = new List<string>();
            foreach (var alias in value ?? [])
            {
                var host = Validate.SiteHost("Alias", alias);
                if (host == Uri) throw ErrorCatalog.InvalidValue("Alias", alias, "it is the site's own uri", "List only the other names the site answers to.");
                if (!list.Contains(host)) list.Add(host);
            }
            _aliases = list;
            if (_redirection is not null && _redirection != Uri && !_aliases.Contains(_redirection)) _redirection = null;
        }
    }

    /// <summary>The host every other name redirects to (the uri or one alias); null for no redirection.</summary>
    public string? Redirection
    {
        get => _redirection;
        set
        {
            if (string.IsNullOrEmpty(value)) { _redirection = null; return; }
            var host = Validate.SiteHost(nameof(Redirection), value);
            if (host != Uri && !_aliases.Contains(host))
                throw ErrorCatalog.InvalidValue(nameof(Redirection), value, "it is neither the site's uri nor one of its aliases", $"Redirect to {Uri} or to one of its aliases.");
            _redirection = host;
        }
    }

    [Newtonsoft.Json.JsonIgnore]
    public SiteStatus Status { get; set; } = SiteStatus.NotInstalled;

    // --- schedules (Invoke-AegirQueue): null takes the default ---

    public const string DefaultCronInterval = "1h";
    public const string DefaultStatisticsInterval = "1d";

    /// <summary>How often the site's cron runs ("1h" when not set; "off" for never).</summary>
    public string? CronInterval { get => _cronInterval; set => _cronInterval = Schedule(nameof(CronInterval), value); }
    string? _cronInterval;

    /// <summary>How often a scheduled backup is taken ("off", the default, for never).</summary>
    public string? BackupInterval { get => _backupInterval; set => _backupInterval = Schedule(nameof(BackupInterval), value); }
    string? _backupInterval;

    /// <summary>The retention rules scheduled backups keep to, such as "7d:1d,30d:7d"; none when not set.</summary>
    public string? BackupRetention
    {
        get => _retention;
        set
        {
            if (string.IsNullOrEmpty(value)) { _retention = null; return; }
            _ = Contexts.RetentionRule.ParseList(value);
            _retention = value;
        }
    }
    string? _retention;

    /// <summary>How often the site's statistics are collected ("1d" when not set; "off" for never).</summary>
    public string? StatisticsInterval { get => _statisticsInterval; set => _statisticsInterval = Schedule(nameof(StatisticsInterval), value); }
    string? _statisticsInterval;

    static string? Schedule(string parameter, string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        _ = Contexts.Interval.Parse(parameter, value);
        return value;
    }

    /// <summary>The site's database (and database user) on its db server; set by install.</summary>
    public string? DbName
    {
        get => _dbName;
        set => _dbName = value is null ? null : Validate.DbIdentifier("db_name", value);
    }
    string? _dbName;

    /// <summary>The database password: kept in the 0600 context file, handed to PHP by the vhost, never shown.</summary>
    internal string? DbPassword { get; set; }

    public bool HasDbPassword => DbPassword is not null;

    /// <summary>
    /// The key of a site without a database for its application's own secrets (settings' secret), kept in the 0600
    /// record; a site with a database derives it from its database password instead.
    /// </summary>
    internal string? SiteKey { get; set; }

    /// <summary>Every host name the site answers to: the uri first, then the aliases.</summary>
    public IEnumerable<string> HostNames() => _aliases.Prepend(Uri);

    public override IEnumerable<ContextReference> References()
    {
        yield return new ContextReference("Platform", _platform, ContextType.Platform);
        if (_dbServer is not null) yield return new ContextReference("DbServer", _dbServer, ContextType.Server, ServiceCatalog.Db);
        if (_client is not null) yield return new ContextReference("Client", _client, ContextType.Client);
    }

    internal override void Read(ContextReader r)
    {
        var uri = r.String("uri");
        if (uri is not null && uri != Uri) throw r.Corrupt(r.Map.Get("uri"), $"'uri' is {uri}, but the file is named for {Uri}");
        r.Required("platform");
        r.Apply("platform", v => PlatformName = v);
        r.Apply("db_server", v => DbServerName = v);
        // A site without a database says so, rather than leaving db_server out (an older record without it means master).
        r.Apply("database", v => DbServerName = v == "none" ? null : throw ErrorCatalog.InvalidValue("database", v, "it is not none", "Leave it out, or write none for a site without a database."));
        r.Apply("client", v => ClientName = v);
        r.Apply("profile", v => Profile = v);
        r.Apply("language", v => Language = v);
        var aliases = r.List("aliases", a => Validate.SiteHost("Alias", a));
        try { Aliases = aliases; }
        catch (AegirException ex) { throw r.Corrupt(r.Map.Get("aliases"), ex.Message); }
        r.Apply("redirection", v => Redirection = v);
        var web = r.List("web_settings", v => v);
        try { WebSettings = web; }
        catch (AegirException ex) { throw r.Corrupt(r.Map.Get("web_settings"), ex.Message); }
        r.Apply("status", v => Status = Enum.TryParse<SiteStatus>(v, ignoreCase: false, out var s) && Enum.IsDefined(s)
            ? s : throw ErrorCatalog.InvalidValue("status", v, "it is not a site status", $"Use one of {string.Join(", ", Enum.GetNames<SiteStatus>())}."));
        r.Apply("cron_interval", v => CronInterval = v);
        r.Apply("backup_interval", v => BackupInterval = v);
        r.Apply("backup_retention", v => BackupRetention = v);
        r.Apply("statistics_interval", v => StatisticsInterval = v);
        r.Apply("https", v => Https = Choice<HttpsMode>("https", v));
        r.Apply("certificate_source", v => CertificateSource = Choice<CertificateSource>("certificate_source", v));
        r.Apply("db_name", v => DbName = v);
        r.Apply("db_password", v => DbPassword = Validate.Secret("db_password", v));
        r.Apply("site_key", v => SiteKey = Validate.Secret("site_key", v));
    }

    static T Choice<T>(string key, string value) where T : struct, Enum
        => Enum.TryParse<T>(value, ignoreCase: false, out var v) && Enum.IsDefined(v) ? v
            : throw ErrorCatalog.InvalidValue(key, value, $"it is not one of {string.Join(", ", Enum.GetNames<T>())}", $"Write one of {string.Join(", ", Enum.GetNames<T>())}.");

    internal override void Write(YamlWriter w)
        => w.Scalar("uri", Uri).Scalar("platform", PlatformName).Scalar("db_server", DbServerName).Scalar("database", HasDatabase ? null : "none").Scalar("client", ClientName)
            .Scalar("profile", Profile).Scalar("language", Language).List("aliases", _aliases).Scalar("redirection", Redirection).List("web_settings", _webSettings)
            .Scalar("status", Status.ToString()).Scalar("cron_interval", CronInterval).Scalar("backup_interval", BackupInterval)
            .Scalar("backup_retention", BackupRetention).Scalar("statistics_interval", StatisticsInterval)
            .Scalar("https", Https == HttpsMode.Disabled ? null : Https.ToString())
            .Scalar("certificate_source", Https == HttpsMode.Disabled && CertificateSource == CertificateSource.LetsEncrypt ? null : CertificateSource.ToString())
            .Scalar("db_name", DbName).Scalar("db_password", DbPassword).Scalar("site_key", SiteKey);
}
