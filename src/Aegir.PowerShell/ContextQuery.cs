using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.PowerShell;

/// <summary>
/// Finds contexts of one type for Get-* cmdlets: names with or without '@' and prefix, wildcards,
/// and a not-found error for each literal name that matched nothing. Each says what undo waits on it.
/// </summary>
internal static class ContextQuery
{
    /// <summary>Sites by uri or alias (wildcards allowed); all when <paramref name="uris"/> is null.</summary>
    public static IEnumerable<AegirSite> Sites(AegirCmdlet cmdlet, ContextStore store, string[]? uris,
        Action<ContextListing> reportErrors, Action<AegirException, object?> reportMissing)
        => Find<AegirSite>(cmdlet, store, ContextType.Site, uris, reportErrors, reportMissing, matchOther: (site, host) => site.Aliases.Contains(host));

    public static IEnumerable<T> Find<T>(AegirCmdlet cmdlet, ContextStore store, ContextType type, string[]? names,
        Action<ContextListing> reportErrors, Action<AegirException, object?> reportMissing, Func<T, string, bool>? matchOther = null)
        where T : AegirContext
    {
        var literal = new List<string>();
        var patterns = new List<WildcardPattern>();
        foreach (var input in names is { Length: > 0 } ? names : ["*"])
        {
            if (WildcardPattern.ContainsWildcardCharacters(input))
                patterns.Add(new WildcardPattern(PatternFor(input, type), WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant));
            else
            {
                try { literal.Add(ContextNames.Canonical("Name", input, type)); }
                catch (AegirException ex) { reportMissing(ex, input); }
            }
        }

        var wanted = new HashSet<string>(literal, StringComparer.Ordinal);
        // A literal name that is not a context may still name one another way (a site by an alias): the site index
        // says which record claims it (swept against the files before a name is said to be no site's), and the
        // record itself, read below, must say so too.
        var read = new HashSet<string>(wanted, StringComparer.Ordinal);
        if (patterns.Count == 0 && matchOther is not null)
            foreach (var name in literal.Where(n => !store.Exists(n)))
            {
                var index = SiteIndex.For(store.ContextsPath);
                var claimants = index.Claimants(store, name);
                if (claimants.Count == 0) claimants = index.Claimants(store, name, sweep: true);
                read.UnionWith(claimants);
            }
        var listing = patterns.Count > 0 ? store.List(type) : store.Read(type, read);
        reportErrors(listing);

        var found = new HashSet<string>(StringComparer.Ordinal);
        var tasks = new Core.Tasks.TaskStore(store.Home);
        var waiting = tasks.Waiting().ToLookup(w => w.Target, w => w.Id, StringComparer.Ordinal);
        foreach (var ctx in listing.Contexts.Cast<T>())
        {
            if (waiting.Contains(ctx.Name)) ctx.PendingUndo = Core.Tasks.WaitingUndo.Describe(tasks, waiting[ctx.Name]);
            string? hit = wanted.Contains(ctx.Name) ? ctx.Name : null;
            hit ??= matchOther is null ? null : literal.FirstOrDefault(n => matchOther(ctx, n));
            if (hit is not null || patterns.Any(p => p.IsMatch(ctx.Name)))
            {
                if (hit is not null) found.Add(hit);
                yield return ctx;
            }
        }
        foreach (var name in literal.Where(n => !found.Contains(n) && !listing.Errors.Any(e => Path.GetFileNameWithoutExtension(e.Target as string) == n)))
            reportMissing(ErrorCatalog.ContextNotFound(name, ContextNames.Label(type), store.Home), name);
    }

    /// <summary>The pattern in canonical form: no '@', lowercase, the type's prefix added when missing.</summary>
    static string PatternFor(string input, ContextType type)
    {
        var p = (input.StartsWith('@') ? input[1..] : input).ToLowerInvariant();
        var prefix = ContextNames.Prefix(type);
        if (type == ContextType.Server && p == "master") return ContextNames.Master;
        return prefix.Length > 0 && !p.StartsWith(prefix, StringComparison.Ordinal) ? prefix + p : p;
    }
}
