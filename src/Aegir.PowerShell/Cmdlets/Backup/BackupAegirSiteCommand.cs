using System.Management.Automation;
using Aegir.Core.Backups;
using Aegir.Core.Operations.Site;
using Aegir.PowerShell.Cmdlets.Site;

namespace Aegir.PowerShell.Cmdlets.Backup;

/// <summary>Backs a site up into one archive (database, folders, manifest with checksums) and returns the backup.</summary>
[Cmdlet(VerbsData.Backup, "AegirSite", HelpUri = HelpLinks.Docs + "Backup-AegirSite.md", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirBackup), typeof(Core.Operations.AegirPlanStep))]
public sealed class BackupAegirSiteCommand : SiteTargetCmdlet
{
    /// <summary>Kept in the manifest and shown by Get-AegirBackup.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Description { get; set; }

    [Parameter]
    [ValidateSet(ArchiveCompression.Zstd, ArchiveCompression.Gzip)]
    public string Compression { get; set; } = ArchiveCompression.Zstd;

    protected override void ProcessSite() => ForItem(Target, () =>
    {
        var site = ReadSite();
        var parameters = new BackupSite.Parameters(site.Name, Description, Compression);
        if (!Approve(parameters, site.ToString(), "Back up site: database and folders into one archive")) return;
        var outcome = RunOperation(parameters, done => done.Result);
        if (Finish(outcome.Task) && outcome.Result is AegirBackup backup) WriteObject(backup);
    });
}
