using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Schedules;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Client;

/// <summary>Lists clients by name (wildcards allowed), each with its Usage: its sites and their disk use against its quota.</summary>
[Cmdlet(VerbsCommon.Get, "AegirClient", HelpUri = HelpLinks.Docs + "Get-AegirClient.md")]
[OutputType(typeof(AegirClient))]
public sealed class GetAegirClientCommand : AegirCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClientNameCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var statistics = new StatisticsStore(Store.Home);
        foreach (var client in ContextQuery.Find<AegirClient>(this, Store, ContextType.Client, Name, ReportLoadErrors, (e, t) => WriteAegirError(e, t)))
        {
            // Computed from the statistics store each time: a record of the client's use would only go stale.
            var shown = PSObject.AsPSObject(client);
            var usage = ClientUsage.Of(Store, client, statistics);
            if (shown.Properties["Usage"] is { } known) known.Value = usage;
            else shown.Properties.Add(new PSNoteProperty("Usage", usage));
            WriteObject(shown);
        }
    }
}
