using System.Management.Automation;
using Aegir.Core.Backups;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Backup;

/// <summary>
/// Deletes backups: those piped from Get-AegirBackup, or, with -Retention, those a site's retention rules let go
/// ("older than N, keep one per M").
/// </summary>
[Cmdlet(VerbsCommon.Remove, "AegirBackup", HelpUri = HelpLinks.Docs + "Remove-AegirBackup.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "ByObject")]
[OutputType(typeof(AegirBackup))]
public sealed class RemoveAegirBackupCommand : AegirCmdlet
{
    [Parameter(Mandatory = true, ParameterSetName = "ByObject", ValueFromPipeline = true)]
    public AegirBackup? InputObject { get; set; }

    /// <summary>The sites whose backups the rules judge; every site's when left out.</summary>
    [Parameter(Position = 0, ParameterSetName = "ByRetention", ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "Site")]
    [ArgumentCompleter(typeof(SiteNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Uri { get; set; }

    /// <summary>Rules "older-than:keep-one-per", such as 7d:1d, 30d:7d, 365d:30d (units m, h, d, w).</summary>
    [Parameter(Mandatory = true, ParameterSetName = "ByRetention")]
    [ValidateNotNullOrEmpty]
    public string[]? Retention { get; set; }

    /// <summary>Deletes without asking.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Returns each deleted backup.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    IReadOnlyList<RetentionRule>? _rules;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (Retention is not null)
        {
            try { _rules = Retention.Select(RetentionRule.Parse).ToList(); }
            catch (AegirException ex) { ThrowAegirError(ex); }
        }
    }

    protected override void ProcessRecord()
    {
        var store = new BackupStore(Store.Home);
        if (InputObject is not null)
        {
            ForItem(InputObject, () => Delete(InputObject));
            return;
        }
        var sites = Uri?.Select(u => ContextNames.Canonical("Uri", u, ContextType.Site)).ToList();
        foreach (var group in store.List().GroupBy(b => b.Site).Where(g => sites is null || sites.Contains(g.Key)))
            foreach (var backup in Core.Backups.Retention.Expired(group, _rules!, DateTimeOffset.UtcNow))
                ForItem(backup, () => Delete(backup));
    }

    void Delete(AegirBackup backup)
    {
        if (!ShouldProcessUnlessForced(Force, backup.Path, "Delete backup")) return;
        BackupStore.Delete(backup.Path);
        WriteVerbose($"Deleted {backup.Path}");
        if (PassThru) WriteObject(backup);
    }
}
