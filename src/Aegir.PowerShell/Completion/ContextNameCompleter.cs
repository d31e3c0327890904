using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Aegir.Core.Contexts;

namespace Aegir.PowerShell.Completion;

/// <summary>
/// Completes context names of one type from the file names in AEGIR_HOME. Names are offered bare
/// (a bare '@name' argument would be splatting); typed with '@' or a quote, they come back quoted.
/// </summary>
public abstract class ContextNameCompleter(ContextType? type) : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        bool at = word.StartsWith('@');
        if (at) word = word[1..];
        bool quote = at || (wordToComplete ?? "").StartsWith('\'') || (wordToComplete ?? "").StartsWith('"');
        var pattern = new WildcardPattern(word + "*", WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);

        IEnumerable<string> names;
        try
        {
            var store = new ContextStore();
            names = (TypeFor(commandName) is { } t ? [t] : Enum.GetValues<ContextType>()).SelectMany(store.ListNames).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { yield break; }

        foreach (var name in names)
        {
            var prefix = ContextNames.Prefix(ContextNames.TypeOf(name) ?? ContextType.Site);
            var shortName = prefix.Length > 0 ? name[prefix.Length..] : name;
            if (!pattern.IsMatch(name) && !pattern.IsMatch(shortName)) continue;
            var text = quote ? $"'@{name}'" : name;
            yield return new CompletionResult(text, name, CompletionResultType.ParameterValue, $"{ContextNames.Label(ContextNames.TypeOf(name) ?? ContextType.Site)} @{name}");
        }
    }

    /// <summary>The type whose names the command takes (the constructor's, unless a completer reads it from the command).</summary>
    protected virtual ContextType? TypeFor(string commandName) => type;
}

