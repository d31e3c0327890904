using System.Management.Automation;
using Aegir.Core.Contexts;

namespace Aegir.PowerShell.Cmdlets.Server;

/// <summary>Deletes a server context; refused while platforms or sites use the server.</summary>
[Cmdlet(VerbsCommon.Remove, "AegirServer", HelpUri = HelpLinks.Docs + "Remove-AegirServer.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "ByName")]
[OutputType(typeof(void))]
public sealed class RemoveAegirServerCommand : RemoveRecordCmdlet<AegirServer>;
