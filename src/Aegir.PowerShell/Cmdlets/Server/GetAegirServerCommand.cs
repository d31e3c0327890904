using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Server;

/// <summary>Lists servers by name (wildcards allowed) or by the service types they run.</summary>
[Cmdlet(VerbsCommon.Get, "AegirServer", HelpUri = HelpLinks.Docs + "Get-AegirServer.md")]
[OutputType(typeof(AegirServer))]
public sealed class GetAegirServerCommand : AegirCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ServerNameCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(HttpServiceTypeCompleter))]
    public string? HttpServiceType { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(DbServiceTypeCompleter))]
    public string? DbServiceType { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var server in ContextQuery.Find<AegirServer>(this, Store, ContextType.Server, Name, ReportLoadErrors, (e, t) => WriteAegirError(e, t)))
        {
            if (HttpServiceType is not null && !server.Http.Type.Equals(HttpServiceType, StringComparison.OrdinalIgnoreCase)) continue;
            if (DbServiceType is not null && !server.Db.Type.Equals(DbServiceType, StringComparison.OrdinalIgnoreCase)) continue;
            WriteObject(server);
        }
    }
}
