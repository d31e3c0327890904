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
        var pending = new Stack<string>(roots.Where(r => !r.StartsWith('.')));
        while (pending.TryPop(out var name))
        {
            if (bundle.ContainsKey(name) || store.ReadText(name) is not { } text) continue;
            bundle[name] = text;
            if (store.TryGet(name) is { } ctx)
                foreach (var reference in ctx.References()) pending.Push(reference.Name);
        }
        return bundle;
    }

    /// <summary>The servers among the bundle's contexts, cluster members included (a cluster is no machine of its own).</summary>
    public static IReadOnlyList<AegirServer> Servers(ContextStore store, IEnumerable<string> names)
        => names.Select(store.TryGet).OfType<AegirServer>().ToList();

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
        foreach (var name in names.Concat(before.Keys).Where(n => !n.StartsWith('.')).Distinct(StringComparer.Ordinal))
        {
            var now = store.ReadText(name);
            before.TryGetValue(name, out var was);
            if (now != was) changes[name] = now;
        }
        return changes;
    }

    /// <summary>
    /// Takes a worker's changes into the control machine's store: only contexts the task was allowed to change
    /// (<paramref name="allowed"/>: its target, what it locked, what it was given), each parsed and checked as any
    /// write is, the name inside matching the name it comes under. Anything else is refused whole, before any write.
    /// </summary>
    public static void TakeChanges(ContextStore store, IReadOnlyDictionary<string, string?> changes, IReadOnlySet<string> allowed, string server)
    {
        foreach (var name in changes.Keys)
            if (!allowed.Contains(name))
                throw ErrorCatalog.InvalidValue("Changes", name, $"the worker on server '{server}' sent a change to '{name}', which its task may not change", $"Check the worker on '{server}': a worker sends back only its task's own contexts.");
        var written = changes.Where(c => c.Value is not null).ToDictionary(c => c.Key, c => c.Value!, StringComparer.Ordinal);
        foreach (var (name, text) in written) ContextSerializer.Parse(store.PathOf(name), name, text);   // all parse, or none is written
        foreach (var (name, text) in Ordered(store, written)) Put(store, name, text);
        foreach (var (name, _) in changes.Where(c => c.Value is null).OrderByDescending(c => Rank(store, c.Key))) store.RemoveIfExists(name);
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
