using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>Deletes a site: its vhost, database and user, folders, and context. Returns the task.</summary>
[Cmdlet(VerbsCommon.Remove, "AegirSite", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "ByName")]
[OutputType(typeof(Core.Tasks.AegirTask))]
public sealed class RemoveAegirSiteCommand : TaskCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(SiteNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Uri { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public AegirSite? InputObject { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() => ForItem(InputObject ?? (object?)Uri, () =>
    {
        var name = InputObject?.Name ?? ContextNames.Canonical("Uri", Uri, ContextType.Site);
        var site = Store.GetFresh<AegirSite>(name, "Uri");
        var what = site.Status == SiteStatus.NotInstalled ? "Remove site context" : "Delete site: vhost, database and user, files, context";
        if (!ShouldProcessUnlessForced(Force, site.ToString(), what)) return;
        Emit(Hosting.DeleteSite(site), passThru: false);
    });
}
