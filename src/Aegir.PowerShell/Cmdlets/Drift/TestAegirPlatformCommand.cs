using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Drift;

namespace Aegir.PowerShell.Cmdlets.Drift;

/// <summary>
/// Reports what differs between platforms and their last verify: files of the code changed, added or gone (checksums
/// kept at verify; git's status for a git work tree), packages added or removed, the include and shared settings, modes.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "AegirPlatform", HelpUri = HelpLinks.Docs + "Test-AegirPlatform.md", DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirDrift), typeof(bool))]
public sealed class TestAegirPlatformCommand : DriftTestCmdlet<AegirPlatform>
{
    protected override IReadOnlyList<AegirDrift> Test(Engine engine, string name) => DriftReport.OfPlatform(engine, name);
}
