using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Drift;

namespace Aegir.PowerShell.Cmdlets.Drift;

/// <summary>Reports what differs between servers and what their verify writes: the web server include and config folders, a cluster's front.</summary>
[Cmdlet(VerbsDiagnostic.Test, "AegirServer", HelpUri = HelpLinks.Docs + "Test-AegirServer.md", DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirDrift), typeof(bool))]
public sealed class TestAegirServerCommand : DriftTestCmdlet<AegirServer>
{
    protected override IReadOnlyList<AegirDrift> Test(Engine engine, string name) => DriftReport.OfServer(engine, name);
}
