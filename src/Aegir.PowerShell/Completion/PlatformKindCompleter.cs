using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Aegir.Core.Services;

namespace Aegir.PowerShell.Completion;

/// <summary>Completes the platform kinds (drupal, drupal7, wordpress, php).</summary>
public sealed class PlatformKindCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        foreach (var kind in Core.Platforms.PlatformKinds.Names.Where(k => k.StartsWith(word, StringComparison.OrdinalIgnoreCase)))
            yield return new CompletionResult(kind, kind, CompletionResultType.ParameterValue, kind);
    }
}
