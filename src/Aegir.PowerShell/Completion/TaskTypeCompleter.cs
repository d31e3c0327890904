using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell.Completion;

/// <summary>Completes the task types (verify, install, ...).</summary>
public sealed class TaskTypeCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        foreach (var type in OperationRegistry.TaskTypes.Where(t => t.StartsWith(word, StringComparison.OrdinalIgnoreCase)))
            yield return new CompletionResult(type, type, CompletionResultType.ParameterValue, type);
    }
}
