using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Aegir.Core.Contexts;

namespace Aegir.PowerShell.Completion;

/// <summary>
/// Completes -User with the people clients have granted: those of the client named by -Client (Revoke-AegirClientAccess),
/// or of the client of the site named by -Uri (Invoke-AegirSiteCommand); else every client's people.
/// </summary>
public sealed class ClientPersonCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        IReadOnlyList<string> people;
        try { people = People(new ContextStore(), fakeBoundParameters); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Core.Errors.AegirException) { yield break; }
        foreach (var user in people.Where(u => u.StartsWith(word, StringComparison.Ordinal)))
            yield return new CompletionResult(user, user, CompletionResultType.ParameterValue, user);
    }

    static IReadOnlyList<string> People(ContextStore store, IDictionary bound)
    {
        string? client = bound["Client"] is string c ? ContextNames.Canonical("Client", c, ContextType.Client)
            : bound["Uri"] is string uri && store.TryGet(uri.TrimStart('@').ToLowerInvariant()) is AegirSite site ? site.ClientName : null;
        var clients = client is not null ? new[] { store.TryGet(client) }.OfType<AegirContext>() : store.List(ContextType.Client).Contexts;
        return clients.OfType<AegirClient>().SelectMany(x => x.People).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }
}
