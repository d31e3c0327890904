using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Platform;

/// <summary>Cmdlets that act on existing platforms, given by name (one or more) or piped from Get-AegirPlatform, one at a time.</summary>
public abstract class PlatformTargetCmdlet : QueueableTaskCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PlatformNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public AegirPlatform? InputObject { get; set; }

    /// <summary>The name of the platform at hand, of those -Name gives.</summary>
    string? _name;

    protected object? Target => InputObject ?? (object?)_name;

    protected string PlatformName => InputObject?.Name ?? ContextNames.Canonical("Name", _name, ContextType.Platform);

    /// <summary>Takes each platform given in turn: the piped one, or each of -Name's.</summary>
    protected sealed override void ProcessRecord()
    {
        if (InputObject is not null)
        {
            _name = null;
            ProcessPlatform();
            return;
        }
        foreach (var name in Name ?? [])
        {
            _name = name;
            ProcessPlatform();
        }
    }

    /// <summary>The work for one platform (<see cref="Target"/>, <see cref="PlatformName"/>).</summary>
    protected abstract void ProcessPlatform();

    /// <summary>The platform as it is on disk now (once a task that died holding it is repaired).</summary>
    protected AegirPlatform ReadPlatform() => Current<AegirPlatform>(PlatformName, "Name");
}
