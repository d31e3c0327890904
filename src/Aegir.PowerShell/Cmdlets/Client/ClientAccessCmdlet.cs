using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Client;

/// <summary>What Grant-AegirClientAccess and Revoke-AegirClientAccess share: the client, the person, and the task that changes both.</summary>
public abstract class ClientAccessCmdlet : QueueableTaskCmdlet
{
    /// <summary>The client whose sites the person may (or may no longer) work on.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(ClientNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Client { get; set; }

    /// <summary>The person's UNIX login on the client's web servers.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ArgumentCompleter(typeof(ClientPersonCompleter))]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The operation's parameters for the client (canonical name) and the checked person.</summary>
    protected abstract object Parameters(string client, string user);

    protected abstract string Action(string user);

    protected override void ProcessRecord() => ForItem(Client, () =>
    {
        var client = Current<AegirClient>(ContextNames.Canonical("Client", Client, ContextType.Client), "Client");
        var user = ClientPeople.Check("User", User);
        var parameters = Parameters(client.Name, user);
        Core.Operations.OperationRegistry.For(parameters).Check(parameters, Store);
        if (!Approve(parameters, client.ToString(), Action(user))) return;
        var task = RunOperation(parameters).Task;
        if (Finish(task) && PassThru) WriteObject(Store.GetFresh<AegirClient>(client.Name, "Client"));
    });
}
