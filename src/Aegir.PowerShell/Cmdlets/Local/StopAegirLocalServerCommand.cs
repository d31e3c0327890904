using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Local;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Local;

/// <summary>Stops a server's private instances; -RemoveData also deletes their files, databases included.</summary>
[Cmdlet(VerbsLifecycle.Stop, "AegirLocalServer", HelpUri = HelpLinks.Docs + "Stop-AegirLocalServer.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class StopAegirLocalServerCommand : AegirCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ServerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "master";

    /// <summary>Deletes the instances' data (every database of the local MariaDB) after stopping them.</summary>
    [Parameter]
    public SwitchParameter RemoveData { get; set; }

    protected override void ProcessRecord() => ForItem(Name, () =>
    {
        var name = ContextNames.Canonical("Name", Name, ContextType.Server);
        var local = new LocalServer(Store.Home, name);
        if (!ShouldProcess("@" + name, RemoveData ? "Stop the local instances and delete their data" : "Stop the local instances")) return;
        if (RemoveData) local.Delete(m => WriteVerbose(m));
        else local.Stop(m => WriteVerbose(m));
    });
}
