using System.Management.Automation;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell.Cmdlets.Tasks;

/// <summary>
/// Deletes the records of tasks older than a date or an age, with their undo data and queue markers. Never a task that
/// is queued or running, one whose undo still waits for a server, or the newest task of its target.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "AegirTask", HelpUri = HelpLinks.Docs + "Remove-AegirTask.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveAegirTaskCommand : AegirCmdlet
{
    /// <summary>A date, or an age before now: a TimeSpan (New-TimeSpan -Days 90) or "90d" (units s, m, h, d, w).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [PointInTime]
    public DateTime OlderThan { get; set; }

    /// <summary>Deletes without asking.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void EndProcessing()
    {
        var before = new DateTimeOffset(OlderThan.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(OlderThan, DateTimeKind.Local) : OlderThan).ToUniversalTime();
        var pruning = new TaskPruning(new TaskStore(Store.Home));
        var expired = pruning.Find(before);
        WriteVerbose($"{expired.Count} task record(s) made before {before:u} may go (the queued and running ones, those whose undo waits and each target's newest are kept).");
        if (expired.Count == 0) return;
        var what = $"Delete {expired.Count} task record(s) made before {before:u}, oldest {expired[0].Id} ({expired[0].Type} on '@{expired[0].Target}')";
        if (!ShouldProcessUnlessForced(Force, Path.Combine(Store.Home, "tasks"), what)) return;
        var gone = pruning.Delete(expired, StopToken);
        WriteVerbose($"Deleted {gone} task record(s).");
    }
}
