using System.Management.Automation;
using Aegir.Core.Contexts;

namespace Aegir.PowerShell.Cmdlets.Platform;

/// <summary>Locks a platform: no new sites may be put on it (its sites keep running).</summary>
[Cmdlet(VerbsCommon.Lock, "AegirPlatform", HelpUri = HelpLinks.Docs + "Lock-AegirPlatform.md", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirPlatform))]
public sealed class LockAegirPlatformCommand() : PlatformLockCmdlet(locked: true);
