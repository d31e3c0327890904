using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Operations.Client;

namespace Aegir.PowerShell.Cmdlets.Client;

/// <summary>Takes a person's access to a client's sites away: out of the client's group on their web servers, off the client's record.</summary>
[Cmdlet(VerbsSecurity.Revoke, "AegirClientAccess", HelpUri = HelpLinks.Docs + "Revoke-AegirClientAccess.md", SupportsShouldProcess = true)]
[OutputType(typeof(AegirClient))]
public sealed class RevokeAegirClientAccessCommand : ClientAccessCmdlet
{
    /// <summary>Ends the person's processes that still hold the client's group (running ones keep it until they end).</summary>
    [Parameter]
    public SwitchParameter StopProcesses { get; set; }

    protected override object Parameters(string client, string user) => new RevokeClientAccess.Parameters(client, user, StopProcesses);

    protected override string Action(string user) => $"Revoke {user}'s access to the client's sites";
}
