using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Queues.Remote;

/// <summary>
/// The flat contexts a task needs, as their files' text: its target and the contexts it locks, and every context
/// those name (a site's platform, its web and database servers, its client), read under the task's locks so they are
/// the ones it runs against. What a worker on a server receives with a task, and what it sends back changed.
/// </summary>
public static class ContextBundle
{
    /// <summary>The contexts of <paramref name="roots"/> and all they name, by name; a root not recorded yet (a new site) is left out.</summary>
    public static SortedDictionary<string, string> Collect(ContextStore store, IEnumerable<string> roots)
    {
        var bundle = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var ctx in Closure(store, roots))
            if (store.ReadText(ctx.Name) is { } text) bundle[ctx.Name] = text;
        return bundle;
    }

    /// <summary>The contexts of <paramref name="roots"/> and all they name, read through the store's cache (no file read for one seen before).</summary>
    public static IReadOnlyList<AegirContext> Closure(ContextStore store, IEnumerable<string> roots)
    {
        var seen = new Dictionary<string, AegirContext>(StringComparer.Ordinal);
        var pending = new Stack<string>(roots.Where(r => !r.StartsWith('.')));
        while (pending.TryPop(out var name))
        {
            if (seen.ContainsKey(name) || store.TryGet(name) is not { } ctx) continue;
            seen[name] = ctx;
            foreach (var reference in ctx.References()) pending.Push(reference.Name);
        }
        return [.. seen.Values];
    }

    /// <summary>
    /// Writes the bundle's contexts into <paramref name="store"/> (a worker's copy): servers first, then clients,
    /// platforms and sites, so each finds what it names; each one is checked as any write is.
    /// </summary>
    public static void Apply(ContextStore store, IReadOnlyDictionary<string, string> contexts)
    {
        foreach (var (name, text) in Ordered(store, contexts)) Put(store, name, text);
    }

    /// <summary>What changed in <paramref name="store"/> against <paramref name="before"/> among <paramref name="names"/>: the new text, or null for a context removed.</summary>
    public static SortedDictionary<string, string?> Changes(ContextStore store, IReadOnlyDictionary<string, string> before, IEnumerable<string> names)
    {
        var changes = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in names.Where(n => !n.StartsWith('.')).Distinct(StringComparer.Ordinal))
        {
            var now = store.ReadText(name);
            before.TryGetValue(name, out var was);
            if (now != was) changes[name] = now;
        }
        return changes;
    }

    /// <summary>
    /// Takes a worker's changes into the control machine's store: only contexts the task holds (<paramref name="allowed"/>:
    /// its target and what it locked), each parsed and checked as any write is. Anything else is refused whole, before
    /// any write. A record that changed here since it was sent (<paramref name="sent"/>) keeps this machine's text:
    /// returns those names.
    /// </summary>
    public static IReadOnlyList<string> TakeChanges(ContextStore store, IReadOnlyDictionary<string, string?> changes, IReadOnlySet<string> allowed, string server, IReadOnlyDictionary<string, string> sent)
    {
        foreach (var name in changes.Keys)
            if (!allowed.Contains(name))
                throw ErrorCatalog.InvalidValue("Changes", name, $"the worker on server '{server}' sent a change to '{name}', which its task does not hold", $"Check the worker on '{server}': a worker sends back only its task's own records.");
        var kept = changes.Keys.Where(name => store.ReadText(name) != sent.GetValueOrDefault(name)).ToList();
        var written = changes.Where(c => c.Value is not null && !kept.Contains(c.Key)).ToDictionary(c => c.Key, c => c.Value!, StringComparer.Ordinal);
        foreach (var (name, text) in written) ContextSerializer.Parse(store.PathOf(name), name, text);   // all parse, or none is written
        foreach (var (name, text) in Ordered(store, written)) Put(store, name, text);
        foreach (var (name, _) in changes.Where(c => c.Value is null && !kept.Contains(c.Key)).OrderByDescending(c => Rank(store, c.Key))) store.RemoveIfExists(name);
        return kept;
    }

    static IEnumerable<KeyValuePair<string, string>> Ordered(ContextStore store, IReadOnlyDictionary<string, string> contexts)
        => contexts.OrderBy(c => Rank(ContextSerializer.Parse(store.PathOf(c.Key), c.Key, c.Value).Type)).ThenBy(c => c.Key, StringComparer.Ordinal);

    static int Rank(ContextStore store, string name) => store.TryGet(name) is { } ctx ? Rank(ctx.Type) : 0;

    static int Rank(ContextType type) => type switch { ContextType.Server => 0, ContextType.Client => 1, ContextType.Platform => 2, _ => 3 };

    static void Put(ContextStore store, string name, string text)
    {
        if (store.ReadText(name) == text) return;
        store.Put(name, text);
    }
}
