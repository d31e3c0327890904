using System.Management.Automation;
using Aegir.Core.Contexts;

namespace Aegir.PowerShell.Cmdlets.Client;

/// <summary>Deletes a client context; refused while sites belong to the client.</summary>
[Cmdlet(VerbsCommon.Remove, "AegirClient", HelpUri = HelpLinks.Docs + "Remove-AegirClient.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "ByName")]
[OutputType(typeof(void))]
public sealed class RemoveAegirClientCommand : RemoveRecordCmdlet<AegirClient>;
