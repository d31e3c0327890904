using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Server;

/// <summary>Changes a server's host, script user, service types or service settings.</summary>
[Cmdlet(VerbsCommon.Set, "AegirServer", HelpUri = HelpLinks.Docs + "Set-AegirServer.md", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirServer))]
public sealed class SetAegirServerCommand : ServerSettingsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ServerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public AegirServer? InputObject { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForEachRecord(InputObject, Name, "Name", ContextType.Server, name =>
    {
        if (ChangeRecord<AegirServer>(name, "Name", Apply, "Update server context") is not { } server) return;
        SaveAcmeRoots();
        if (PassThru) WriteObject(server);
    });
}
