using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Client;

/// <summary>Lists clients by name (wildcards allowed).</summary>
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
        foreach (var client in ContextQuery.Find<AegirClient>(this, Store, ContextType.Client, Name, ReportLoadErrors, (e, t) => WriteAegirError(e, t)))
            WriteObject(client);
    }
}
