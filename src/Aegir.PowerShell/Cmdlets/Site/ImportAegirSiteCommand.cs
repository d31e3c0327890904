using System.Management.Automation;
using Aegir.Core.Backups;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations.Site;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>
/// Takes in the sites a platform holds without a context (made by hand, or by another tool): each gets its record
/// from its own settings and is verified. With -Path, takes in a site from an archive instead: an Aegir 3 / BOA
/// backup or a Backup-AegirSite archive from another machine, deployed as a new site. Returns one task per site.
/// </summary>
[Cmdlet(VerbsData.Import, "AegirSite", HelpUri = HelpLinks.Docs + "Import-AegirSite.md", SupportsShouldProcess = true, DefaultParameterSetName = "Platform")]
[OutputType(typeof(Core.Tasks.AegirTask), typeof(AegirSite), typeof(Core.Operations.AegirPlanStep))]
public sealed class ImportAegirSiteCommand : QueueableTaskCmdlet
{
    /// <summary>The platform whose sites to take in.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(PlatformNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Platform { get; set; }

    /// <summary>An archive to take a site in from: an Aegir 3 / BOA site backup (uri-YYYYMMDD.HHMMSS.tar.gz) or one made by Backup-AegirSite.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Archive", ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>
    /// Only these sites of the platform; all it holds without a context when left out. With -Path, the one uri the
    /// site takes (the archive's own when left out).
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Uri { get; set; }

    /// <summary>The server that holds their databases; found from their settings' host and port when left out.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ServerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? DbServer { get; set; }

    /// <summary>Returns each imported site instead of its task.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == "Archive") ImportArchive();
        else ImportFound();
    }

    void ImportArchive() => ForItem(Path, () =>
    {
        var archive = GetUnresolvedProviderPathFromPSPath(Path!);
        var platform = ContextNames.Canonical("Platform", Platform!, ContextType.Platform);
        if (Uri is { Length: > 1 })
            throw ErrorCatalog.InvalidValue("Uri", string.Join(", ", Uri), "an archive holds one site", "Give the one uri the site takes here.");
        var uri = Uri is [var given] ? Validate.SiteHost("Uri", given) : BackupArchive.SiteOf(archive, m => WriteVerbose(m));
        Settle(uri);
        var parameters = new ImportSiteArchive.Parameters(uri, platform, archive, DbServer is null ? null : ContextNames.Canonical("DbServer", DbServer, ContextType.Server));
        if (!Approve(parameters, uri, $"Import site: deploy {archive} as a new site on @{platform}")) return;
        Emit(RunOperation(parameters).Task, PassThru, () => Store.GetFresh<AegirSite>(uri, "Uri"));
    });

    void ImportFound() => ForItem(Platform, () =>
    {
        var platform = Current<AegirPlatform>(ContextNames.Canonical("Platform", Platform, ContextType.Platform), "Platform");
        var wanted = Uri?.Select(u => Validate.SiteHost("Uri", u)).ToHashSet(StringComparer.Ordinal);
        var found = SiteImports.Find(Engine, platform).Where(f => wanted is null || wanted.Contains(f.Uri)).ToList();
        foreach (var missing in wanted?.Except(found.Select(f => f.Uri)) ?? [])
            WriteAegirError(ErrorCatalog.InvalidValue("Uri", missing, $"@{platform.Name} holds no site of that name without a context", "List what it holds with Import-AegirSite -WhatIf."), missing);
        if (found.Count == 0 && wanted is null) WriteVerbose($"@{platform.Name} holds no site without a context.");
        foreach (var site in found)
            ForItem(site.Uri, () =>
            {
                if (site.Database is null)
                    throw ErrorCatalog.StepFailed(ErrorIds.SiteSettingsUnread, $"Importing {site.Uri}", "its settings name no database", $"Give its settings a database, or create the site anew.");
                var db = DbServer is not null ? ContextNames.Canonical("DbServer", DbServer, ContextType.Server)
                    : SiteImports.DbServerFor(Store, site.Database)
                      ?? throw ErrorCatalog.StepFailed(ErrorIds.DbServerUnknown, $"Importing {site.Uri}", $"its settings put database {site.Database.Database} on {site.Database.Host}:{site.Database.Port}, where no server's database service is", "Name the server with -DbServer (or record it with New-AegirServer).");
                var parameters = new ImportSite.Parameters(site.Uri, platform.Name, db, site.Database.Database);
                if (!Approve(parameters, site.Uri, $"Import site: record it from its settings (database {site.Database.Database} on @{db}) and verify it")) return;
                Emit(RunOperation(parameters).Task, PassThru, () => Store.GetFresh<AegirSite>(site.Uri, "Uri"));
            });
    });
}
