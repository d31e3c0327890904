using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Tasks;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Tasks;

/// <summary>Verifies a server, platform or site, fixing what is not as it should be; returns the task.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "AegirVerify", HelpUri = HelpLinks.Docs + "Invoke-AegirVerify.md", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirTask), typeof(AegirServer), typeof(AegirPlatform), typeof(AegirSite), typeof(AegirPlanStep))]
public sealed class InvokeAegirVerifyCommand : QueueableTaskCmdlet
{
    /// <summary>Any context: @server_x, @platform_x or a site's uri, with or without @ and prefix.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(AnyContextNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public AegirContext? InputObject { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Pin the host key a server reached over ssh offers (shown in the log), when none is pinned yet.</summary>
    [Parameter]
    public SwitchParameter TrustHostKey { get; set; }

    protected override int? ItemCount => InputObject is null && !MyInvocation.ExpectingInput ? Name?.Length : null;

    protected override void ProcessRecord()
    {
        if (InputObject is not null) ForItem(InputObject, () => Verify(Fresh(InputObject.Name) ?? throw ErrorCatalog.ContextNotFound(InputObject.Name, null, Store.Home)));
        else foreach (var name in Name!) ForItem(name, () => Verify(Resolve(name)));
    }

    void Verify(AegirContext ctx)
    {
        object parameters = ctx switch
        {
            AegirServer s => new Core.Operations.Server.VerifyServer.Parameters(s.Name, TrustHostKey),
            _ when TrustHostKey => throw ErrorCatalog.InvalidValue("TrustHostKey", ctx.ToString(), "a host key belongs to a server", "Pin the key on its server: Invoke-AegirVerify server_<name> -TrustHostKey."),
            AegirPlatform p => new Core.Operations.Platform.VerifyPlatform.Parameters(p.Name),
            AegirSite site => new Core.Operations.Site.VerifySite.Parameters(site.Name),
            _ => throw ErrorCatalog.InvalidValue("Name", ctx.Name, "a client has nothing to verify", "Verify its sites instead: Get-AegirSite -Client x | Invoke-AegirVerify."),
        };
        if (!Approve(parameters, ctx.ToString(), "Verify")) return;
        Emit(RunOperation(parameters).Task, PassThru, () => Store.ReadFresh(ctx.Name));
    }

    /// <summary>A context as it is on disk once what its next task repairs first is done (a verify tries again waiting undos).</summary>
    AegirContext? Fresh(string name)
    {
        Settle(name);
        return Store.ReadFresh(name);
    }

    /// <summary>A loosely typed name: exactly one context must answer to it.</summary>
    AegirContext Resolve(string input)
    {
        var found = ContextNames.Candidates(input).Select(Fresh).OfType<AegirContext>().ToList();
        return found.Count switch
        {
            1 => found[0],
            0 => throw ErrorCatalog.ContextNotFound((input.StartsWith('@') ? input[1..] : input).ToLowerInvariant(), null, Store.Home),
            _ => throw ErrorCatalog.InvalidValue("Name", input, $"it names {string.Join(" and ", found.Select(f => f.ToString()))}", "Give the full name, such as @server_x or @platform_x."),
        };
    }
}
