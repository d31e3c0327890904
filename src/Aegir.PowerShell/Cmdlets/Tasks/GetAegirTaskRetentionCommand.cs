using System.Management.Automation;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell.Cmdlets.Tasks;

/// <summary>How long finished task records are kept (Set-AegirTaskRetention); none set: every one is kept.</summary>
[Cmdlet(VerbsCommon.Get, "AegirTaskRetention", HelpUri = HelpLinks.Docs + "Get-AegirTaskRetention.md")]
[OutputType(typeof(TaskRetention))]
public sealed class GetAegirTaskRetentionCommand : AegirCmdlet
{
    protected override void EndProcessing() => ForItem(null, () => WriteObject(TaskRetention.Read(Store.Home)));
}
