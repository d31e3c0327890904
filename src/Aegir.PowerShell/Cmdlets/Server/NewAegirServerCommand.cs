using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.PowerShell.Cmdlets.Server;

/// <summary>Records a server and the services it provides.</summary>
[Cmdlet(VerbsCommon.New, "AegirServer", HelpUri = HelpLinks.Docs + "New-AegirServer.md", SupportsShouldProcess = true)]
[OutputType(typeof(AegirServer))]
public sealed class NewAegirServerCommand : ServerSettingsCmdlet
{
    /// <summary>master, or a name; derived from -RemoteHost when left out.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    protected override void ProcessRecord() => ForItem(Name ?? RemoteHost, () =>
    {
        string name = Name is not null ? ContextNames.Canonical("Name", Name, ContextType.Server)
            : RemoteHost is not null ? ContextNames.ServerFromHost(Validate.RemoteHost("RemoteHost", RemoteHost))
            : throw ErrorCatalog.Missing("-Name or -RemoteHost", "Name the server (master for this machine), or give its host name.");

        var server = new AegirServer(name);
        if (name == ContextNames.Master)
        {
            server.RemoteHost = "localhost";
            server.ScriptUser = AegirServer.LocalScriptUser();
        }
        else if (RemoteHost is null && !string.Equals(HttpServiceType, Aegir.Core.Contexts.ServiceCatalog.Cluster, StringComparison.OrdinalIgnoreCase))
        {
            throw ErrorCatalog.Missing("-RemoteHost", $"Give the host name or address of '@{name}'; only master (this machine) and a cluster (-HttpServiceType cluster -ClusterMembers ...) can do without.");
        }
        Apply(server);
        if (!CreateRecord(server, "Create server context")) return;
        SaveAcmeRoots();
        WriteObject(server);
    });

}
