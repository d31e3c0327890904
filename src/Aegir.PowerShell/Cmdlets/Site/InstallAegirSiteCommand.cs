using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>Installs a recorded site: database, folders, settings, the application's installer, vhost.</summary>
[Cmdlet(VerbsLifecycle.Install, "AegirSite", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(SiteInstallation))]
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

    protected override void ProcessRecord() => ForItem(Target, () =>
    {
        var site = ReadSite();
        var install = SiteInstaller.Prepare(Title, AdminEmail);
        if (!ShouldProcess(site.ToString(), "Install site")) return;
        if (SiteInstaller.Run(this, Hosting, site, install) is { } result) WriteObject(result);
    });
}
