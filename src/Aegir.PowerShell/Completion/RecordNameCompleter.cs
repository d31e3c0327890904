using System.Management.Automation;
using Aegir.Core.Contexts;

namespace Aegir.PowerShell.Completion;

/// <summary>Completes names of the context type a command's noun names (Remove-AegirServer: servers), for cmdlets whose parameters a shared base declares.</summary>
public sealed class RecordNameCompleter() : ContextNameCompleter(null)
{
    protected override ContextType? TypeFor(string commandName)
    {
        var at = commandName.IndexOf("-Aegir", StringComparison.OrdinalIgnoreCase);
        return at >= 0 && Enum.TryParse<ContextType>(commandName[(at + "-Aegir".Length)..], ignoreCase: true, out var type) ? type : null;
    }
}
