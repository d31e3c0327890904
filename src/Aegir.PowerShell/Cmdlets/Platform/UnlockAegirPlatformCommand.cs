using System.Management.Automation;
using Aegir.Core.Contexts;

namespace Aegir.PowerShell.Cmdlets.Platform;

/// <summary>Unlocks a platform so new sites may be put on it again.</summary>
[Cmdlet(VerbsCommon.Unlock, "AegirPlatform", HelpUri = HelpLinks.Docs + "Unlock-AegirPlatform.md", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirPlatform))]
public sealed class UnlockAegirPlatformCommand() : PlatformLockCmdlet(locked: false);
