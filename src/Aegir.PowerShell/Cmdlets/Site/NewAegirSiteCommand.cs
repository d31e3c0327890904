using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>Records a site: a uri on a platform, with the server that will hold its database.</summary>
[Cmdlet(VerbsCommon.New, "AegirSite", SupportsShouldProcess = true)]
[OutputType(typeof(AegirSite))]
public sealed class NewAegirSiteCommand : SiteSettingsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    public string? Uri { get; set; }

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PlatformNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Platform { get; set; }

    protected override void ProcessRecord() => ForItem(Uri, () =>
    {
        var site = new AegirSite(Uri!.StartsWith('@') ? Uri[1..] : Uri!) { PlatformName = Platform! };
        Apply(site);
        if (DbServer is null) site.DbServerName = DefaultDbServer(site.PlatformName);
        Store.Check(site, isNew: true);
        if (!ShouldProcess(site.ToString(), "Create site context")) return;
        Store.Create(site);
        WriteVerbose($"Wrote {site.Path}");
        WriteObject(site);
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
