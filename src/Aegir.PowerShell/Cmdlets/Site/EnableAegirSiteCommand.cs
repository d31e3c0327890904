using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>Enables a disabled site: its vhost serves it again.</summary>
[Cmdlet(VerbsLifecycle.Enable, "AegirSite", HelpUri = HelpLinks.Docs + "Enable-AegirSite.md", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirTask), typeof(AegirSite))]
public sealed class EnableAegirSiteCommand() : SiteStateCmdlet(enable: true);
