using System.Management.Automation;
using Aegir.Core.Errors;
using Aegir.Core.Queues.Workers;

namespace Aegir.PowerShell.Cmdlets.Workers;

/// <summary>The workers the registry knows (Start-AegirWorker): the live ones, or with -All the dead ones too.</summary>
[Cmdlet(VerbsCommon.Get, "AegirWorker", HelpUri = HelpLinks.Docs + "Get-AegirWorker.md")]
[OutputType(typeof(AegirWorker))]
public sealed class GetAegirWorkerCommand : AegirCmdlet
{
    /// <summary>Only workers of this name (wildcards allowed).</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Dead workers too: killed, or whose heartbeats stopped.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    protected override void EndProcessing()
    {
        var registry = new FileWorkerRegistry(Store.Home);
        registry.Prune(StartAegirWorkerCommand.PruneAfter);
        var pattern = Name is null ? null : new WildcardPattern(Name, WildcardOptions.IgnoreCase);
        var found = registry.List().Where(w => (All || w.Alive) && (pattern is null || pattern.IsMatch(w.Name))).ToList();
        foreach (var worker in found) WriteObject(worker);
        if (found.Count == 0 && Name is not null && !WildcardPattern.ContainsWildcardCharacters(Name))
            WriteAegirError(ErrorCatalog.WorkerNotFound(Name, All), Name);
    }
}
