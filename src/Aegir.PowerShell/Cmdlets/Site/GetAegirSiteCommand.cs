using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Schedules;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>Lists sites by uri or alias (wildcards allowed), platform, client, database server, status, or health.</summary>
[Cmdlet(VerbsCommon.Get, "AegirSite", HelpUri = HelpLinks.Docs + "Get-AegirSite.md")]
[OutputType(typeof(AegirSite))]
public sealed class GetAegirSiteCommand : AegirCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(SiteNameCompleter))]
    [SupportsWildcards]
    public string[]? Uri { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(PlatformNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Platform { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ClientNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Client { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ServerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? DbServer { get; set; }

    [Parameter]
    public SiteStatus? Status { get; set; }

    /// <summary>Only sites whose cron failed last time or has not run for two of its intervals, whose client is over its disk quota, or whose ACME certificate ends within 14 days while its renewal fails; each carries its Health (the problems).</summary>
    [Parameter]
    public SwitchParameter Unhealthy { get; set; }

    SiteStateStore? _states;
    Aegir.Core.Services.Certificates.CertificateStore? _certificates;
    /// <summary>Each client's disk use (of a client with a quota), computed once per command: every site of a client shares it.</summary>
    readonly Dictionary<string, ClientUsage?> _usage = new(StringComparer.Ordinal);

    ClientUsage? UsageOf(string? client)
    {
        if (client is null) return null;
        if (!_usage.TryGetValue(client, out var usage))
            _usage[client] = usage = Store.ReadFresh(client) is AegirClient { DiskQuota: not null } record ? ClientUsage.Of(Store, record) : null;
        return usage;
    }

    protected override void ProcessRecord()
    {
        string? platform = null, client = null, dbServer = null;
        try
        {
            if (Platform is not null) platform = ContextNames.Canonical("Platform", Platform, ContextType.Platform);
            if (Client is not null) client = ContextNames.Canonical("Client", Client, ContextType.Client);
            if (DbServer is not null) dbServer = ContextNames.Canonical("DbServer", DbServer, ContextType.Server);
        }
        catch (AegirException ex) { ThrowAegirError(ex); }

        var sites = ContextQuery.Sites(this, Store, Uri, ReportLoadErrors, (e, t) => WriteAegirError(e, t));
        bool named = Uri is { Length: > 0 } && !Uri.Any(WildcardPattern.ContainsWildcardCharacters);
        foreach (var site in sites)
        {
            if (platform is not null && site.PlatformName != platform) continue;
            if (client is not null && site.ClientName != client) continue;
            if (dbServer is not null && site.DbServerName != dbServer) continue;
            if (Status is { } status && site.Status != status) continue;
            if (Unhealthy || named)
            {
                // Sites asked for by name, and the unhealthy, carry their health: the last cron, its result, and what is wrong.
                var certificate = site.CertificateSource != CertificateSource.SelfSigned && site.Https != HttpsMode.Disabled ? (_certificates ??= new(Store.Home)).Get(site.Uri) : null;
                var health = SiteHealth.Of(site, (_states ??= new SiteStateStore(Store.Home)).Get(site.Name), DateTimeOffset.UtcNow, UsageOf(site.ClientName), certificate);
                if (Unhealthy && health.Healthy) continue;
                var shown = PSObject.AsPSObject(site);
                Note(shown, "Health", health);
                Note(shown, "LastCron", health.LastCron);
                if (Unhealthy && !shown.TypeNames.Contains("Aegir.UnhealthySite")) shown.TypeNames.Insert(0, "Aegir.UnhealthySite");
                WriteObject(shown);
                continue;
            }
            WriteObject(site);
        }
    }

    /// <summary>Sets a note on the site's wrapper: a site read before in this session has it already (its notes stay with the object).</summary>
    static void Note(PSObject shown, string name, object? value)
    {
        if (shown.Properties[name] is { } existing) existing.Value = value;
        else shown.Properties.Add(new PSNoteProperty(name, value));
    }
}
