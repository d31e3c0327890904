using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>Deletes a site context.</summary>
[Cmdlet(VerbsCommon.Remove, "AegirSite", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "ByName")]
[OutputType(typeof(void))]
public sealed class RemoveAegirSiteCommand : AegirCmdlet
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
        if (!ShouldProcessUnlessForced(Force, site.ToString(), "Remove site context")) return;
        Store.Remove(site.Name);
        WriteVerbose($"Removed {site.Path}");
    });
}
