using System.Management.Automation;
using Aegir.Core.Contexts;

namespace Aegir.PowerShell.Cmdlets.Client;

/// <summary>Changes a client's email or UNIX group.</summary>
[Cmdlet(VerbsCommon.Set, "AegirClient", HelpUri = HelpLinks.Docs + "Set-AegirClient.md", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirClient))]
public sealed class SetAegirClientCommand : RecordTargetCmdlet<AegirClient>
{
    /// <summary>The client's email; an empty string clears it.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? Email { get; set; }

    /// <summary>The UNIX group; an empty string returns to the default (the client's name).</summary>
    [Parameter]
    [AllowEmptyString]
    public string? UnixGroup { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecordNamed(string name)
    {
        var client = ChangeRecord<AegirClient>(name, "Name", c =>
        {
            if (Email is not null) c.Email = Email;
            if (UnixGroup is not null) c.UnixGroup = UnixGroup;
        }, "Update client context");
        if (client is not null && PassThru) WriteObject(client);
    }
}
