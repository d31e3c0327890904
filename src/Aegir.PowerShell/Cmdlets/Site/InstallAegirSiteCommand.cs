using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>Installs a recorded site: database, folders, settings, the application's installer, vhost.</summary>
[Cmdlet(VerbsLifecycle.Install, "AegirSite", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(SiteInstallation))]
public sealed class InstallAegirSiteCommand : TaskCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(SiteNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Uri { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public AegirSite? InputObject { get; set; }

    /// <summary>The site's title; its uri when left out.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Title { get; set; }

    /// <summary>The admin account's email; the client's, or admin@uri, when left out.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AdminEmail { get; set; }

    protected override bool ReloadsOncePerPipeline => true;

    protected override void ProcessRecord() => ForItem(InputObject ?? (object?)Uri, () =>
    {
        var site = Store.GetFresh<AegirSite>(InputObject?.Name ?? ContextNames.Canonical("Uri", Uri, ContextType.Site), "Uri");
        var install = SiteInstaller.Prepare(Title, AdminEmail);
        if (!ShouldProcess(site.ToString(), "Install site")) return;
        if (SiteInstaller.Run(this, Hosting, site, install) is { } result) WriteObject(result);
    });
}
