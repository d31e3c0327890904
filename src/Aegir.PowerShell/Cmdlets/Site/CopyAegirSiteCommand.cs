using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Operations.Site;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>Copies a site to a new uri, as an independent site made from a fresh backup. Returns the task.</summary>
[Cmdlet(VerbsCommon.Copy, "AegirSite", HelpUri = HelpLinks.Docs + "Copy-AegirSite.md", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(Core.Tasks.AegirTask), typeof(AegirSite), typeof(Core.Operations.AegirPlanStep))]
public sealed class CopyAegirSiteCommand : SiteDestinationCmdlet
{
    /// <summary>The copy's uri.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? NewUri { get; set; }

    /// <summary>Returns the copy instead of the task.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessSite() => ForItem(Target, () =>
    {
        var site = ReadSite();
        var newUri = Validate.SiteHost("NewUri", NewUri);
        var (platform, db) = Destination();
        var parameters = new CloneSite.Parameters(site.Name, newUri, platform, db);
        if (!Approve(parameters, site.ToString(), $"Copy site to {newUri}: a fresh backup deployed as a new site")) return;
        Emit(RunOperation(parameters).Task, PassThru, () => Store.GetFresh<AegirSite>(newUri, "NewUri"));
    });
}
