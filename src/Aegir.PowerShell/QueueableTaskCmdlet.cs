using System.Management.Automation;

namespace Aegir.PowerShell;

/// <summary>A cmdlet whose work is one task per item: it can queue the task (-Queue) or run it in a job (-AsJob) instead of now.</summary>
public abstract class QueueableTaskCmdlet : TaskCmdlet
{
    /// <summary>Records a queued task and returns it at once; Invoke-AegirQueue runs it.</summary>
    [Parameter]
    public SwitchParameter Queue { get; set; }

    /// <summary>Runs the task in the background and returns a PowerShell job at once (Get-Job, Wait-Job, Receive-Job).</summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    protected override bool QueueRequested => Queue;
    protected override bool JobRequested => AsJob;
}
