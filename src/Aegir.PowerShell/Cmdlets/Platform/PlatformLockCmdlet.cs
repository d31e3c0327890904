using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Platform;

/// <summary>What Lock-AegirPlatform and Unlock-AegirPlatform share.</summary>
public abstract class PlatformLockCmdlet(bool locked) : TaskCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PlatformNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public AegirPlatform? InputObject { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForItem(InputObject ?? (object?)Name, () =>
    {
        var platform = Store.GetFresh<AegirPlatform>(InputObject?.Name ?? ContextNames.Canonical("Name", Name, ContextType.Platform), "Name");
        if (!ShouldProcess(platform.ToString(), locked ? "Lock platform (no new sites)" : "Unlock platform")) return;
        var changed = Hosting.SetPlatformLocked(platform, locked);
        if (PassThru) WriteObject(changed);
    });
}
