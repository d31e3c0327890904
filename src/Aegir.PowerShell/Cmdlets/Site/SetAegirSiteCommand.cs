using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Site;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>
/// Changes a site's client, profile, language, aliases or redirection (and, before install, its platform or
/// db server); an installed site is verified with the change in one task, so its vhost answers to the new names at once.
/// Its schedules (cron, backups and their retention, statistics) change its record alone.
/// </summary>
[Cmdlet(VerbsCommon.Set, "AegirSite", HelpUri = HelpLinks.Docs + "Set-AegirSite.md", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirSite), typeof(AegirPlanStep))]
public sealed class SetAegirSiteCommand : SiteSettingsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(SiteNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Uri { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public AegirSite? InputObject { get; set; }

    /// <summary>Only for a site not yet installed; an installed site moves to another platform by migration.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PlatformNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Platform { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(SiteHostCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? AddAlias { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(SiteHostCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? RemoveAlias { get; set; }

    /// <summary>How often the site's cron runs: 30m, 1h (the default), 1d, or off; an empty string for the default.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? CronInterval { get; set; }

    /// <summary>How often a scheduled backup is taken: 1d, 1w, or off (the default); an empty string for the default.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? BackupInterval { get; set; }

    /// <summary>Retention rules for the site's backups, such as 7d:1d, 30d:7d; applied before each scheduled backup. An empty string for none.</summary>
    [Parameter]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public string[]? BackupRetention { get; set; }

    /// <summary>How often the site's statistics are collected: 1h, 1d (the default), or off; an empty string for the default.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? StatisticsInterval { get; set; }

    /// <summary>The site's own web server settings over its platform's: upload_max, timeout, fastcgi_buffer_size, fastcgi_buffers; $null clears one.</summary>
    [Parameter]
    public System.Collections.Hashtable? WebSetting { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForEachRecord(InputObject, Uri, "Uri", ContextType.Site, name =>
    {
        var changes = new SiteChanges
        {
            Platform = Platform, DbServer = DbServer, Client = Client, Profile = Profile, Language = Language,
            Aliases = Alias, Redirection = Redirection, AddAliases = AddAlias, RemoveAliases = RemoveAlias,
            CronInterval = CronInterval, BackupInterval = BackupInterval, StatisticsInterval = StatisticsInterval,
            BackupRetention = BackupRetention is null ? null : string.Join(",", BackupRetention.Where(r => r.Length > 0)),
            Https = Https, CertificateSource = CertificateSource, CertificatePath = FullPath(CertificatePath), CertificateKeyPath = FullPath(CertificateKeyPath),
            WebSettings = WebSetting?.Cast<System.Collections.DictionaryEntry>().ToDictionary(e => e.Key.ToString()!, e => e.Value is null ? null : LanguagePrimitives.ConvertTo<string>(e.Value), StringComparer.Ordinal),
        };
        Settle(name);
        SiteUpdate.Check(Engine, name, changes);
        if (Plan)
        {
            foreach (var step in SiteUpdate.Plan(Engine, name, changes)) WriteObject(step);
            return;
        }
        if (!ShouldChange(WhatIfMode ? SiteUpdate.Plan(Engine, name, changes).Select(s => s.Description) : [], "@" + name, "Update site context")) return;
        if ((Queue || AsJob) && !changes.OnlySchedules && Store.GetFresh<AegirSite>(name, "Uri").Status != SiteStatus.NotInstalled)
        {
            // The change is made by the verify that applies it, queued or in a job.
            Finish(RunOperation(new VerifySite.Parameters(name, changes)).Task);
            return;
        }
        var (site, verify) = SiteUpdate.Apply(Engine, name, changes, StopToken);
        if (verify is not null && !Finish(verify.Task)) return;
        if (PassThru) WriteObject(site);
    });
}
