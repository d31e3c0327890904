using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>
/// Creates a site: a uri on a platform with its own database, installed unless -NoInstall (then it is only
/// recorded, status NotInstalled). A failed install leaves nothing behind, the new record included.
/// </summary>
[Cmdlet(VerbsCommon.New, "AegirSite", SupportsShouldProcess = true)]
[OutputType(typeof(Core.Operations.SiteInstallation), typeof(AegirSite))]
public sealed class NewAegirSiteCommand : SiteSettingsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    public string? Uri { get; set; }

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PlatformNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Platform { get; set; }

    /// <summary>Only record the site; install it later with Install-AegirSite.</summary>
    [Parameter]
    public SwitchParameter NoInstall { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Title { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AdminEmail { get; set; }

    protected override bool ReloadsOncePerPipeline => true;

    protected override void ProcessRecord() => ForItem(Uri, () =>
    {
        var site = new AegirSite(Uri!.StartsWith('@') ? Uri[1..] : Uri!) { PlatformName = Platform! };
        Apply(site);
        if (DbServer is null) site.DbServerName = DefaultDbServer(site.PlatformName);
        var install = SiteInstaller.Prepare(Title, AdminEmail);
        Store.Check(site, isNew: true);
        if (!ShouldProcess(site.ToString(), NoInstall ? "Create site context" : "Create and install site")) return;
        Store.Create(site);
        WriteVerbose($"Wrote {site.Path}");
        if (NoInstall)
        {
            WriteObject(site);
            return;
        }
        if (SiteInstaller.Run(this, Hosting, site, install) is { } result) WriteObject(result);
        else
        {
            Store.Remove(site.Name);
            WriteWarning($"Removed the record of {site.Uri} again, since it could not be installed.");
        }
    });

    /// <summary>The platform's web server when it also runs a database, else master (as Aegir does).</summary>
    string DefaultDbServer(string platformName)
    {
        try
        {
            var web = Store.GetFresh<AegirPlatform>(platformName, "Platform").WebServer;
            if (web is { Db.IsNull: false }) return web.Name;
        }
        catch (AegirException) { /* the store check reports a missing platform */ }
        return ContextNames.Master;
    }
}
