using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>Cmdlets that act on existing sites, given by uri (one or more) or piped from Get-AegirSite, one site at a time.</summary>
public abstract class SiteTargetCmdlet : QueueableTaskCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(SiteNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Uri { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public AegirSite? InputObject { get; set; }

    /// <summary>The uri of the site at hand, of those -Uri names.</summary>
    string? _uri;

    /// <summary>What an error about this item names.</summary>
    protected object? Target => InputObject ?? (object?)_uri;

    /// <summary>The site as it is on disk now (once a task that died holding it is repaired).</summary>
    protected AegirSite ReadSite() => Current<AegirSite>(InputObject?.Name ?? ContextNames.Canonical("Uri", _uri, ContextType.Site), "Uri");

    /// <summary>Takes each site given in turn: the piped one, or each of -Uri's.</summary>
    protected sealed override void ProcessRecord()
    {
        if (InputObject is not null)
        {
            _uri = null;
            ProcessSite();
            return;
        }
        foreach (var uri in Uri ?? [])
        {
            _uri = uri;
            ProcessSite();
        }
    }

    /// <summary>The work for one site (<see cref="Target"/>, <see cref="ReadSite"/>).</summary>
    protected abstract void ProcessSite();
}
