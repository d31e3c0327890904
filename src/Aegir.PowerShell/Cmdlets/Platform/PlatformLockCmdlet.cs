using System.Management.Automation;
using Aegir.Core.Operations.Platform;

namespace Aegir.PowerShell.Cmdlets.Platform;

/// <summary>What Lock-AegirPlatform and Unlock-AegirPlatform share.</summary>
public abstract class PlatformLockCmdlet(bool locked) : PlatformTargetCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessPlatform() => ForItem(Target, () =>
    {
        var platform = ReadPlatform();
        object parameters = locked ? new LockPlatform.Parameters(platform.Name) : new UnlockPlatform.Parameters(platform.Name);
        if (!Approve(parameters, platform.ToString(), locked ? "Lock platform (no new sites)" : "Unlock platform")) return;
        var task = RunOperation(parameters).Task;
        if (Finish(task) && PassThru) WriteObject(Store.GetFresh<Aegir.Core.Contexts.AegirPlatform>(platform.Name, "Name"));
    });
}
