using System.Management.Automation;
using Aegir.Core.Contexts;

namespace Aegir.PowerShell.Cmdlets.Platform;

/// <summary>What Lock-AegirPlatform and Unlock-AegirPlatform share.</summary>
public abstract class PlatformLockCmdlet(bool locked) : PlatformTargetCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForItem(Target, () =>
    {
        var platform = ReadPlatform();
        if (!ShouldProcess(platform.ToString(), locked ? "Lock platform (no new sites)" : "Unlock platform")) return;
        var changed = Hosting.SetPlatformLocked(platform, locked);
        if (PassThru) WriteObject(changed);
    });
}
