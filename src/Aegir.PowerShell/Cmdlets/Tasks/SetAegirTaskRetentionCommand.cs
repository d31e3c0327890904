using System.Management.Automation;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell.Cmdlets.Tasks;

/// <summary>
/// Sets how long finished task records are kept. A task is kept while younger than -KeepFor or among the newest
/// -KeepPerTarget of its target; queued and running tasks, those whose undo waits and each target's newest are always
/// kept. The queue's schedule round (Invoke-AegirQueue) lets the others go hourly, as Remove-AegirTask does.
/// </summary>
[Cmdlet(VerbsCommon.Set, "AegirTaskRetention", HelpUri = HelpLinks.Docs + "Set-AegirTaskRetention.md", SupportsShouldProcess = true, DefaultParameterSetName = "Keep")]
[OutputType(typeof(TaskRetention))]
public sealed class SetAegirTaskRetentionCommand : AegirCmdlet
{
    /// <summary>How long a finished task is kept: a number and a unit (h, d, w), such as 90d; 'off' for no age limit.</summary>
    [Parameter(Position = 0, ParameterSetName = "Keep")]
    [ValidateNotNullOrEmpty]
    public string? KeepFor { get; set; }

    /// <summary>How many of each target's newest tasks are kept whatever their age (1 or more).</summary>
    [Parameter(ParameterSetName = "Keep")]
    public int KeepPerTarget { get; set; }

    /// <summary>Keeps every task record again (the default).</summary>
    [Parameter(Mandatory = true, ParameterSetName = "KeepAll")]
    public SwitchParameter KeepAll { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing() => ForItem(KeepFor, () =>
    {
        if (!KeepAll && !IsBound(nameof(KeepFor)) && !IsBound(nameof(KeepPerTarget)))
            throw ErrorCatalog.Missing("-KeepFor", "Give -KeepFor (such as 90d), -KeepPerTarget, or -KeepAll to keep every task.");
        var home = Store.Home;
        var current = TaskRetention.Read(home);
        var setting = KeepAll ? new TaskRetention(null, null)
            : TaskRetention.Of(IsBound(nameof(KeepFor)) ? KeepFor : current.KeepFor, IsBound(nameof(KeepPerTarget)) ? KeepPerTarget : current.KeepPerTarget);
        if (!ShouldProcess(TaskRetention.PathIn(home), $"Set task retention: {setting}")) return;
        var saved = setting.Save(home);
        if (PassThru) WriteObject(saved);
    });
}
