using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>Cmdlets that act on one existing site, given by uri or piped from Get-AegirSite.</summary>
public abstract class SiteTargetCmdlet : QueueableTaskCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(SiteNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Uri { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public AegirSite? InputObject { get; set; }

    /// <summary>What an error about this item names.</summary>
    protected object? Target => InputObject ?? (object?)Uri;

    /// <summary>The site as it is on disk now (once a task that died holding it is repaired).</summary>
    protected AegirSite ReadSite() => Current<AegirSite>(InputObject?.Name ?? ContextNames.Canonical("Uri", Uri, ContextType.Site), "Uri");
}
