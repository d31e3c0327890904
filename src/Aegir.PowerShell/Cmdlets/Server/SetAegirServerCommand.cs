using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Queues.Remote;
using Aegir.Core.Queues.Sealing;
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

    /// <summary>
    /// The server runs its own queued tasks with a worker there (Start-AegirWorker -Server), over the broker, instead
    /// of the control machine over SSH: makes the worker's key on the server (its private half never leaves it) with
    /// this control machine's public key beside it. -OwnWorker:$false goes back to SSH.
    /// </summary>
    [Parameter]
    public SwitchParameter OwnWorker { get; set; }

    protected override void ProcessRecord() => ForEachRecord(InputObject, Name, "Name", ContextType.Server, name =>
    {
        using var key = IsBound(nameof(OwnWorker)) && OwnWorker ? WorkerKey.Create() : null;
        void Change(AegirServer s)
        {
            Apply(s);
            if (!IsBound(nameof(OwnWorker))) return;
            if (key is not null) WorkerKeys.CheckServer(s);
            s.WorkerKey = key?.PublicSpki;
        }
        var changed = ChangeRecord<AegirServer>(name, "Name", Change, "Update server context",
            beforeWrite: key is null ? null : s => WorkerKeys.Install(Engine, s, key));
        if (changed is not { } server) return;
        SaveAcmeRoots();
        if (PassThru) WriteObject(server);
    });
}
