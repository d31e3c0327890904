using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Drift;

namespace Aegir.PowerShell.Cmdlets.Drift;

/// <summary>
/// Reports what differs between installed sites and what their verify makes them: vhost, pool and settings edited by
/// hand, owners and modes, a folder gone, database grants beyond or short of the site's own, a certificate about to end.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "AegirSite", HelpUri = HelpLinks.Docs + "Test-AegirSite.md", DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirDrift), typeof(bool))]
public sealed class TestAegirSiteCommand : DriftTestCmdlet<AegirSite>
{
    protected override IReadOnlyList<AegirDrift> Test(Engine engine, string name) => DriftReport.OfSite(engine, name);

    protected override bool Tested(AegirSite record) => record.Status != SiteStatus.NotInstalled;
}
