using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>Disables a site: its vhost answers every request with a "site disabled" page. Nothing is deleted.</summary>
[Cmdlet(VerbsLifecycle.Disable, "AegirSite", HelpUri = HelpLinks.Docs + "Disable-AegirSite.md", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirTask), typeof(AegirSite))]
public sealed class DisableAegirSiteCommand() : SiteStateCmdlet(enable: false);
