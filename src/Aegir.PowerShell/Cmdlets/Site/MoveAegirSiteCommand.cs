using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Operations.Site;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>
/// Moves a site to another platform (how a site is upgraded) and/or database server, through a pre-migration backup
/// deployed on the target; the site answers from where it was until everything succeeded. Returns the task.
/// </summary>
[Cmdlet(VerbsCommon.Move, "AegirSite", HelpUri = HelpLinks.Docs + "Move-AegirSite.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "ByName")]
[OutputType(typeof(Core.Tasks.AegirTask), typeof(AegirSite), typeof(Core.Operations.AegirPlanStep))]
public sealed class MoveAegirSiteCommand : SiteTargetCmdlet
{
    /// <summary>The platform to move to.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PlatformNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Platform { get; set; }

    /// <summary>The database server to move the site's database to.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ServerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? DbServer { get; set; }

    /// <summary>Moves without asking.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Returns the site instead of the task.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (Platform is null && DbServer is null)
            ThrowAegirError(Core.Errors.ErrorCatalog.Missing("-Platform or -DbServer", "Name the platform (or database server) to move the site to."));
    }

    protected override void ProcessRecord() => ForItem(Target, () =>
    {
        var site = ReadSite();
        var platform = Platform is null ? null : ContextNames.Canonical("Platform", Platform, ContextType.Platform);
        var db = DbServer is null ? null : ContextNames.Canonical("DbServer", DbServer, ContextType.Server);
        var parameters = new MoveSite.Parameters(site.Name, platform, db);
        var where = string.Join(" and ", new[] { platform, db }.OfType<string>().Select(n => "@" + n));
        if (!Approve(parameters, site.ToString(), $"Move site to {where}: backup, deploy there, switch, then remove the old copy", Force)) return;
        Emit(RunOperation(parameters).Task, PassThru, () => Store.GetFresh<AegirSite>(site.Name, "Uri"));
    });
}
