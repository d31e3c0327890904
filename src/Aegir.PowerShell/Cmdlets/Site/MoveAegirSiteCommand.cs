using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Operations.Site;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>
/// Moves a site to another platform (how a site is upgraded) and/or database server, through a pre-migration backup
/// deployed on the target; the site answers from where it was until everything succeeded. Returns the task.
/// </summary>
[Cmdlet(VerbsCommon.Move, "AegirSite", HelpUri = HelpLinks.Docs + "Move-AegirSite.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "ByName")]
[OutputType(typeof(Core.Tasks.AegirTask), typeof(AegirSite), typeof(Core.Operations.AegirPlanStep))]
public sealed class MoveAegirSiteCommand : SiteDestinationCmdlet
{
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

    protected override void ProcessSite() => ForItem(Target, () =>
    {
        var site = ReadSite();
        var (platform, db) = Destination();
        var parameters = new MoveSite.Parameters(site.Name, platform, db);
        var where = string.Join(" and ", new[] { platform, db }.OfType<string>().Select(n => "@" + n));
        if (!Approve(parameters, site.ToString(), $"Move site to {where}: backup, deploy there, switch, then remove the old copy", Force)) return;
        Emit(RunOperation(parameters).Task, PassThru, () => Store.GetFresh<AegirSite>(site.Name, "Uri"));
    });
}
