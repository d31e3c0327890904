using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Platform;

/// <summary>Cmdlets that act on one existing platform, given by name or piped from Get-AegirPlatform.</summary>
public abstract class PlatformTargetCmdlet : QueueableTaskCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PlatformNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public AegirPlatform? InputObject { get; set; }

    protected object? Target => InputObject ?? (object?)Name;

    protected string PlatformName => InputObject?.Name ?? ContextNames.Canonical("Name", Name, ContextType.Platform);

    /// <summary>The platform as it is on disk now (once a task that died holding it is repaired).</summary>
    protected AegirPlatform ReadPlatform() => Current<AegirPlatform>(PlatformName, "Name");
}
