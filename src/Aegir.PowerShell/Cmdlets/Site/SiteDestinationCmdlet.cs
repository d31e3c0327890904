using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>Cmdlets that put a site somewhere else: another platform and/or database server.</summary>
public abstract class SiteDestinationCmdlet : SiteTargetCmdlet
{
    /// <summary>The platform the site goes to.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PlatformNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Platform { get; set; }

    /// <summary>The database server the site's database goes to.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ServerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? DbServer { get; set; }

    /// <summary>-Platform and -DbServer as context names (null when not given).</summary>
    protected (string? Platform, string? DbServer) Destination()
        => (Platform is null ? null : ContextNames.Canonical("Platform", Platform, ContextType.Platform),
            DbServer is null ? null : ContextNames.Canonical("DbServer", DbServer, ContextType.Server));
}
