using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Platforms;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Platform;

/// <summary>
/// Lists the packages of a platform (modules, themes, profiles, plugins, core), or of a site with whether
/// the site has each enabled, read from the site's database.
/// </summary>
[Cmdlet(VerbsCommon.Get, "AegirPackage", HelpUri = HelpLinks.Docs + "Get-AegirPackage.md", DefaultParameterSetName = "Platform")]
[OutputType(typeof(AegirPackage))]
public sealed class GetAegirPackageCommand : AegirCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Platform")]
    [ArgumentCompleter(typeof(PlatformNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Platform { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "Site")]
    [ArgumentCompleter(typeof(SiteNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Site { get; set; }

    /// <summary>A platform or a site, from Get-AegirPlatform or Get-AegirSite.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "InputObject", ValueFromPipeline = true)]
    public AegirContext? InputObject { get; set; }

    /// <summary>Only packages whose name matches (wildcards allowed).</summary>
    [Parameter]
    [SupportsWildcards]
    public string? Name { get; set; }

    /// <summary>Only packages of this type: core, module, theme, profile, plugin.</summary>
    [Parameter]
    public string? Type { get; set; }

    protected override void ProcessRecord() => ForItem(InputObject ?? (object?)Platform ?? Site, () =>
    {
        var packages = InputObject switch
        {
            AegirPlatform p => PackageListing.OfPlatform(Engine, p),
            AegirSite s => PackageListing.OfSite(Engine, s, WriteWarning),
            null when Platform is not null => PackageListing.OfPlatform(Engine, Store.GetFresh<AegirPlatform>(ContextNames.Canonical("Platform", Platform, ContextType.Platform), "Platform")),
            null => PackageListing.OfSite(Engine, Store.GetFresh<AegirSite>(ContextNames.Canonical("Site", Site, ContextType.Site), "Site"), WriteWarning),
            _ => throw ErrorCatalog.InvalidValue("InputObject", InputObject.Name, "only platforms and sites have packages", "Pipe a platform or a site."),
        };
        var pattern = Name is null ? null : new WildcardPattern(Name, WildcardOptions.IgnoreCase);
        foreach (var package in packages)
        {
            if (pattern is not null && !pattern.IsMatch(package.Name)) continue;
            if (Type is not null && !string.Equals(package.Type, Type, StringComparison.OrdinalIgnoreCase)) continue;
            WriteObject(package);
        }
    });
}
