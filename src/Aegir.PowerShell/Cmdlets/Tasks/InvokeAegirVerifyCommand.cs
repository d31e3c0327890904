using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Tasks;

/// <summary>Verifies a server, platform or site, fixing what is not as it should be; returns the task.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "AegirVerify", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirTask), typeof(AegirServer), typeof(AegirPlatform), typeof(AegirSite))]
public sealed class InvokeAegirVerifyCommand : TaskCmdlet
{
    /// <summary>Any context: @server_x, @platform_x or a site's uri, with or without @ and prefix.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(AnyContextNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public AegirContext? InputObject { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (InputObject is not null) ForItem(InputObject, () => Verify(Store.ReadFresh(InputObject.Name) ?? throw ErrorCatalog.ContextNotFound(InputObject.Name)));
        else foreach (var name in Name!) ForItem(name, () => Verify(Resolve(name)));
    }

    void Verify(AegirContext ctx)
    {
        if (!ShouldProcess(ctx.ToString(), "Verify")) return;
        var task = ctx switch
        {
            AegirServer s => Hosting.VerifyServer(s),
            AegirPlatform p => Hosting.VerifyPlatform(p),
            AegirSite site => Hosting.VerifySite(site),
            _ => throw ErrorCatalog.InvalidValue("Name", ctx.Name, "a client has nothing to verify", "Verify its sites instead: Get-AegirSite -Client x | Invoke-AegirVerify."),
        };
        Emit(task, PassThru, () => Store.ReadFresh(ctx.Name));
    }

    /// <summary>A loosely typed name: exactly one context must answer to it.</summary>
    AegirContext Resolve(string input)
    {
        var found = ContextNames.Candidates(input).Select(Store.ReadFresh).OfType<AegirContext>().ToList();
        return found.Count switch
        {
            1 => found[0],
            0 => throw ErrorCatalog.ContextNotFound((input.StartsWith('@') ? input[1..] : input).ToLowerInvariant()),
            _ => throw ErrorCatalog.InvalidValue("Name", input, $"it names {string.Join(" and ", found.Select(f => f.ToString()))}", "Give the full name, such as @server_x or @platform_x."),
        };
    }
}
