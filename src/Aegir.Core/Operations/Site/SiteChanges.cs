using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// A change of a site's record as Set-AegirSite describes it (null: unchanged). Serialisable, so the verify
/// task that applies it to an installed site can be stored and replayed. Platform and database server change
/// only before install: an installed site moves by migration.
/// </summary>
public sealed record SiteChanges
{
    public string? Platform { get; init; }
    public string? DbServer { get; init; }
    /// <summary>The owning client; an empty string clears it.</summary>
    public string? Client { get; init; }
    public string? Profile { get; init; }
    public string? Language { get; init; }
    /// <summary>Replaces the aliases.</summary>
    public IReadOnlyList<string>? Aliases { get; init; }
    public IReadOnlyList<string>? AddAliases { get; init; }
    public IReadOnlyList<string>? RemoveAliases { get; init; }
    /// <summary>The host every other name redirects to; an empty string turns redirection off.</summary>
    public string? Redirection { get; init; }
    /// <summary>Schedules: an interval ("1h", "off"), or an empty string for the default.</summary>
    public string? CronInterval { get; init; }
    public string? BackupInterval { get; init; }
    /// <summary>Retention rules ("7d:1d,30d:7d"); an empty string for none.</summary>
    public string? BackupRetention { get; init; }
    public string? StatisticsInterval { get; init; }
    /// <summary>Web server settings to set (a value) or clear (null), over the platform's: upload_max, timeout, fastcgi_buffer_size, fastcgi_buffers.</summary>
    public IReadOnlyDictionary<string, string?>? WebSettings { get; init; }

    /// <summary>Whether the site is served over HTTPS, and how strictly.</summary>
    public HttpsMode? Https { get; init; }
    public CertificateSource? CertificateSource { get; init; }
    /// <summary>A certificate (then its chain) and its key as PEM files on this machine: the File source, checked and copied into the store.</summary>
    public string? CertificatePath { get; init; }
    public string? CertificateKeyPath { get; init; }

    /// <summary>True when only schedules change: the record alone, nothing the web server or the site's files see.</summary>
    public bool OnlySchedules => Platform is null && DbServer is null && Client is null && Profile is null && Language is null && Aliases is null
        && AddAliases is null && RemoveAliases is null && Redirection is null && WebSettings is null
        && Https is null && CertificateSource is null && CertificatePath is null && CertificateKeyPath is null;

    /// <summary>Applies the changes to a site (a fresh read), checking each value and the installed-site rules.</summary>
    public void ApplyTo(AegirSite site)
    {
        var (platform, dbServer) = (site.PlatformName, site.DbServerName);
        if (Platform is not null) site.PlatformName = Platform;
        if (DbServer is not null) site.DbServerName = DbServer;
        if (Client is not null) site.ClientName = Client;
        if (Profile is not null) site.Profile = Profile;
        if (Language is not null) site.Language = Language;
        if (Aliases is not null) site.Aliases = Aliases;
        if (Redirection is not null) site.Redirection = Redirection;
        SiteCertificates.ApplyTo(site, Https, CertificateSource, CertificatePath, CertificateKeyPath);
        if (CronInterval is not null) site.CronInterval = CronInterval;
        if (BackupInterval is not null) site.BackupInterval = BackupInterval;
        if (BackupRetention is not null) site.BackupRetention = BackupRetention;
        if (StatisticsInterval is not null) site.StatisticsInterval = StatisticsInterval;
        if (WebSettings is not null)
        {
            var settings = site.WebSettings.Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            foreach (var (key, value) in WebSettings)
            {
                if (Contexts.WebTuning.Problem(key, value) is { } why)
                    throw ErrorCatalog.InvalidValue("WebSetting", $"{key}={value}", why, $"Give one of {string.Join(", ", Contexts.WebTuning.Keys)}, such as @{{ upload_max = '64M' }}; $null clears one.");
                if (value is null) settings.Remove(key);
                else settings[key] = value;
            }
            site.WebSettings = settings.Select(p => $"{p.Key}={p.Value}").ToList();
        }
        if (site.Status != SiteStatus.NotInstalled && (site.PlatformName != platform || site.DbServerName != dbServer))
            throw ErrorCatalog.InvalidValue(site.PlatformName != platform ? "Platform" : "DbServer", site.PlatformName != platform ? Platform : DbServer,
                $"'@{site.Name}' is installed, and its code and database live where they are",
                "Moving an installed site to another platform or database server is a migration, not a change of its record.");
        if (AddAliases is not null) site.Aliases = site.Aliases.Concat(AddAliases).ToList();
        if (RemoveAliases is not null)
        {
            var remove = RemoveAliases.Select(a => Validate.SiteHost("RemoveAlias", a)).ToHashSet();
            site.Aliases = site.Aliases.Where(a => !remove.Contains(a)).ToList();
        }
    }
}
