using Aegir.Core.Yaml;

namespace Aegir.Core.Contexts;

/// <summary>
/// A named context: a server, platform, site or client, kept as one YAML file.
/// Setters validate, so an object holds only values that passed the rules in <see cref="Validate"/>.
/// </summary>
public abstract class AegirContext
{
    Dictionary<string, AegirContext?>? _resolved;

    protected AegirContext(string name) => Name = name;

    /// <summary>The canonical name, without '@'.</summary>
    public string Name { get; }

    public abstract ContextType Type { get; }

    /// <summary>
    /// What a failed task's undo still waits for here (its server did not answer), tried again by the next task on
    /// this context; null when nothing waits. Filled in by the Get- cmdlets from the task store, never written to the file.
    /// </summary>
    public string? PendingUndo { get; set; }

    /// <summary>The file the context was read from or written to.</summary>
    public string? Path { get; internal set; }

    internal IContextResolver? Resolver { get; set; }

    /// <summary>Entries of the file this version does not know; written back unchanged.</summary>
    internal IReadOnlyList<KeyValuePair<string, YamlNode>> Extra { get; set; } = [];

    /// <summary>The contexts this one names.</summary>
    public virtual IEnumerable<ContextReference> References() => [];

    public override string ToString() => "@" + Name;

    internal abstract void Read(ContextReader reader);

    internal abstract void Write(YamlWriter writer);

    /// <summary>Reads back a referenced context through the store that loaded this one; null when there is none.</summary>
    protected T? Resolve<T>(string? name) where T : AegirContext
    {
        if (name is null || Resolver is null) return null;
        var resolved = LazyInitializer.EnsureInitialized(ref _resolved, () => new Dictionary<string, AegirContext?>(StringComparer.Ordinal));
        lock (resolved)
        {
            if (!resolved.TryGetValue(name, out var ctx))
                resolved[name] = ctx = Resolver.TryGet(name);
            return ctx as T;
        }
    }
}
