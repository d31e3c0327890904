using System.Management.Automation;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Site;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>Installs a recorded site: database, folders, settings, the application's installer, vhost.</summary>
[Cmdlet(VerbsLifecycle.Install, "AegirSite", HelpUri = HelpLinks.Docs + "Install-AegirSite.md", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(SiteInstallation), typeof(AegirPlanStep))]
public sealed class InstallAegirSiteCommand : SiteTargetCmdlet
{
    /// <summary>The site's title; its uri when left out.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Title { get; set; }

    /// <summary>The admin account's email; the client's, or admin@uri, when left out.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AdminEmail { get; set; }

    protected override bool ReloadsOncePerPipeline => true;

    protected override void ProcessSite() => ForItem(Target, () =>
    {
        var site = ReadSite();
        var parameters = new InstallSite.Parameters(site.Name, Title, AdminEmail).Checked();
        if (!Approve(parameters, site.ToString(), "Install site")) return;
        var outcome = RunOperation(parameters, done => SiteInstaller.From(new Core.Contexts.ContextStore(Store.Home), site.Name, done));
        if (Finish(outcome.Task)) WriteObject(SiteInstaller.From(Store, site.Name, outcome));
    });
}
