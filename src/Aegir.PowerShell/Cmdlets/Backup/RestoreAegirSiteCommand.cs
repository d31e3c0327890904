using System.Management.Automation;
using Aegir.Core.Backups;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations.Site;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Backup;

/// <summary>
/// Restores a site from a backup, onto its own site or (-Uri) another site of the same kind. The live site stays as
/// it was unless every step succeeds; a pre-restore backup is taken first. Returns the task.
/// </summary>
[Cmdlet(VerbsData.Restore, "AegirSite", HelpUri = HelpLinks.Docs + "Restore-AegirSite.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "ByBackup")]
[OutputType(typeof(Core.Tasks.AegirTask), typeof(AegirSite), typeof(Core.Operations.AegirPlanStep))]
public sealed class RestoreAegirSiteCommand : QueueableTaskCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByBackup", ValueFromPipeline = true)]
    public AegirBackup? InputObject { get; set; }

    /// <summary>An archive's path, made here or elsewhere.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "ByPath")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>The site to restore onto; the backup's own site when left out.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(SiteNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Uri { get; set; }

    /// <summary>The platform to restore the site onto; where the site is now when left out (whatever the archive says).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PlatformNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Platform { get; set; }

    /// <summary>
    /// The database server of a removed site brought back from its backup (as Import-AegirSite -DbServer); where the
    /// platform's sites get theirs when left out. A site that exists keeps its own (Move-AegirSite -DbServer moves it).
    /// </summary>
    [Parameter]
    [ArgumentCompleter(typeof(ServerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? DbServer { get; set; }

    /// <summary>Restores without asking.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Returns the site instead of the task.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForItem((object?)InputObject ?? Path, () =>
    {
        var archive = InputObject?.Path ?? GetUnresolvedProviderPathFromPSPath(Path!);
        var site = Uri is not null ? ContextNames.Canonical("Uri", Uri, ContextType.Site)
            : InputObject?.Site ?? BackupArchive.SiteOf(archive, m => WriteVerbose(m));
        var platform = Platform is not null ? ContextNames.Canonical("Platform", Platform, ContextType.Platform) : null;
        Settle(site);
        if (!Store.Exists(site))
        {
            // A removed site comes back from its backup onto the platform named: the archive does not choose one.
            if (platform is null)
                throw ErrorCatalog.RestoreOfRemovedSite(site, archive, BackupArchive.PlatformOf(archive, m => WriteVerbose(m)));
            var import = new ImportSiteArchive.Parameters(site, platform, archive, DbServer is null ? null : ContextNames.Canonical("DbServer", DbServer, ContextType.Server));
            if (!Approve(import, $"{site} from {archive}", $"Restore removed site: deploy the backup as {site} on @{platform}", Force)) return;
            Emit(RunOperation(import).Task, PassThru, () => Store.GetFresh<AegirSite>(site, "Uri"));
            return;
        }
        if (DbServer is not null)
            throw ErrorCatalog.InvalidValue("DbServer", DbServer, $"{site} exists, and a restore keeps its database on the server it is on",
                $"Leave -DbServer out; to move its database, Move-AegirSite {site} -DbServer {DbServer} (before or after the restore).");
        var parameters = new RestoreSite.Parameters(site, archive, platform);
        if (!Approve(parameters, $"{site} from {archive}", "Restore site: its database and folders replaced by the backup's", Force)) return;
        var outcome = RunOperation(parameters);
        Emit(outcome.Task, PassThru, () => Store.GetFresh<AegirSite>(site, "Uri"));
    });
}
