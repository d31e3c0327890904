using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Aegir.Core.Contexts;
using Aegir.Core.Services;

namespace Aegir.PowerShell.Completion;

/// <summary>Completes the registered types of one service, so new service types complete without a code change here.</summary>
public abstract class ServiceTypeCompleter(string service) : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        foreach (var type in ServiceCatalog.TypesOf(service).Where(t => t.StartsWith(word, StringComparison.OrdinalIgnoreCase)))
            yield return new CompletionResult(type, type, CompletionResultType.ParameterValue, ServiceCatalog.Get(service, type).Description);
    }
}
