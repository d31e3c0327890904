using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell.Completion;

/// <summary>Completes task ids, newest first, each shown with its type and target (read from file names only).</summary>
public sealed class TaskIdCompleter : IArgumentCompleter
{
    const int Shown = 50;

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        List<(string Id, string Type, string Target)> found;
        try { found = new TaskStore(new ContextStore().Home).Headers().Where(h => h.Id.StartsWith(word, StringComparison.OrdinalIgnoreCase)).Take(Shown).ToList(); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { yield break; }
        foreach (var (id, type, target) in found)
            yield return new CompletionResult(id, $"{id} {type} @{target}", CompletionResultType.ParameterValue, $"{type} @{target}");
    }
}
