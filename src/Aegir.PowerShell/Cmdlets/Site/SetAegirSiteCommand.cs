using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>
/// Changes a site's client, profile, language, aliases or redirection (and, before install, its platform or
/// db server); an installed site is then verified, so its vhost answers to the new names at once.
/// </summary>
[Cmdlet(VerbsCommon.Set, "AegirSite", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirSite))]
public sealed class SetAegirSiteCommand : SiteSettingsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(SiteNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Uri { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public AegirSite? InputObject { get; set; }

    /// <summary>Only for a site not yet installed; an installed site moves to another platform by migration.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PlatformNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Platform { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? AddAlias { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? RemoveAlias { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForItem(InputObject ?? (object?)Uri, () =>
    {
        var name = InputObject?.Name ?? ContextNames.Canonical("Uri", Uri, ContextType.Site);
        var site = Store.GetFresh<AegirSite>(name, "Uri");
        var (platform, dbServer) = (site.PlatformName, site.DbServerName);
        if (Platform is not null) site.PlatformName = Platform;
        Apply(site);
        if (site.Status != SiteStatus.NotInstalled && (site.PlatformName != platform || site.DbServerName != dbServer))
            throw ErrorCatalog.InvalidValue(site.PlatformName != platform ? "Platform" : "DbServer", site.PlatformName != platform ? Platform : DbServer,
                $"'@{site.Name}' is installed, and its code and database live where they are",
                "Moving an installed site to another platform or database server is a migration, not a change of its record.");
        if (AddAlias is not null) site.Aliases = site.Aliases.Concat(AddAlias).ToList();
        if (RemoveAlias is not null)
        {
            var remove = RemoveAlias.Select(a => Validate.SiteHost("RemoveAlias", a)).ToHashSet();
            site.Aliases = site.Aliases.Where(a => !remove.Contains(a)).ToList();
        }
        Store.Check(site, isNew: false);
        if (!ShouldProcess(site.ToString(), "Update site context")) return;
        Store.Update(site);
        WriteVerbose($"Wrote {site.Path}");
        // An installed site's vhost and settings follow its record at once (Aegir verifies after every edit).
        if (site.Status != SiteStatus.NotInstalled && !Finish(Hosting.VerifySite(site))) return;
        if (PassThru) WriteObject(Store.GetFresh<AegirSite>(site.Name, "Uri"));
    });
}
