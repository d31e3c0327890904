using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Client;

/// <summary>Changes a client's email or UNIX group.</summary>
[Cmdlet(VerbsCommon.Set, "AegirClient", HelpUri = HelpLinks.Docs + "Set-AegirClient.md", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirClient))]
public sealed class SetAegirClientCommand : AegirCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClientNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public AegirClient? InputObject { get; set; }

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

    protected override void ProcessRecord() => ForItem(InputObject ?? (object?)Name, () =>
    {
        var name = InputObject?.Name ?? ContextNames.Canonical("Name", Name, ContextType.Client);
        var client = ChangeRecord<AegirClient>(name, "Name", c =>
        {
            if (Email is not null) c.Email = Email;
            if (UnixGroup is not null) c.UnixGroup = UnixGroup;
        }, "Update client context");
        if (client is not null && PassThru) WriteObject(client);
    });
}
