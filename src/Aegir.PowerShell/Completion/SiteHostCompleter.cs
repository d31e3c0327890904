using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Aegir.Core.Contexts;

namespace Aegir.PowerShell.Completion;

/// <summary>
/// Completes a site's host names for -Alias, -AddAlias, -RemoveAlias and -Redirection: the names the site (named by
/// -Uri) already has, the names typed earlier on the line, and the www (or bare) twin of its uri.
/// </summary>
public sealed class SiteHostCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        var uri = Strings(fakeBoundParameters, "Uri").FirstOrDefault()?.TrimStart('@').ToLowerInvariant();
        if (string.IsNullOrEmpty(uri)) yield break;
        IReadOnlyList<string> current;
        try { current = new ContextStore().TryGet(uri) is AegirSite site ? site.Aliases : []; }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Core.Errors.AegirException) { current = []; }
        var twin = uri.StartsWith("www.", StringComparison.Ordinal) ? uri[4..] : "www." + uri;
        var typed = Strings(fakeBoundParameters, "Alias").Concat(Strings(fakeBoundParameters, "AddAlias"));

        IEnumerable<string> offered = parameterName switch
        {
            "RemoveAlias" => current,
            "AddAlias" => new[] { twin }.Except(current),
            "Redirection" => new[] { uri }.Concat(current).Concat(typed).Except(Strings(fakeBoundParameters, "RemoveAlias")),
            _ => current.Append(twin),   // -Alias replaces the list
        };
        foreach (var host in offered.Distinct(StringComparer.OrdinalIgnoreCase).Where(h => h.StartsWith(word, StringComparison.OrdinalIgnoreCase)))
            yield return new CompletionResult(host, host, CompletionResultType.ParameterValue, host);
    }

    static IEnumerable<string> Strings(IDictionary bound, string name) => bound[name] switch
    {
        string s => [s],
        IEnumerable list => list.Cast<object?>().Select(o => o?.ToString()).OfType<string>(),
        var other => other is null ? [] : [other.ToString()!],
    };
}
