using System.Collections.Concurrent;
using Aegir.Core.Errors;
using Aegir.Core.IO;
using Aegir.Core.Yaml;

namespace Aegir.Core.Contexts;

/// <summary>
/// The contexts of one AEGIR_HOME, one YAML file each under <c>contexts/</c>. Writes are atomic and
/// serialised between processes by a lock file; reads never take the lock, since a file is always whole.
/// </summary>
public sealed class ContextStore : IContextResolver
{
    const int ParallelThreshold = 64;
    static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    readonly ConcurrentDictionary<string, AegirContext?> _cache = new(StringComparer.Ordinal);

    public ContextStore(string? home = null)
    {
        var path = string.IsNullOrEmpty(home) ? DefaultHome() : home;
        Home = System.IO.Path.GetFullPath(path);
        ContextsPath = System.IO.Path.Combine(Home, "contexts");
    }

    /// <summary><c>$AEGIR_HOME</c>, or <c>~/.aegir</c>.</summary>
    public static string DefaultHome()
    {
        var env = Environment.GetEnvironmentVariable("AEGIR_HOME");
        return string.IsNullOrEmpty(env)
            ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aegir")
            : env;
    }

    public string Home { get; }

    public string ContextsPath { get; }

    public string PathOf(string name) => System.IO.Path.Combine(ContextsPath, name + ContextNames.FileExtension);

    public bool Exists(string name) => File.Exists(PathOf(name));

    /// <summary>The context of that canonical name, read once per store; null when there is none.</summary>
    public AegirContext? TryGet(string name) => _cache.GetOrAdd(name, ReadFresh);

    /// <summary>The context of that canonical name and type, or an error that says how to find the right name.</summary>
    public T Get<T>(string name, string parameter) where T : AegirContext
    {
        var expected = ContextNames.Label(ContextNames.TypeOf<T>());
        var ctx = TryGet(name) ?? throw ErrorCatalog.ContextNotFound(name, expected, Home);
        return ctx as T ?? throw ErrorCatalog.WrongContextType(name, ContextNames.Label(ctx.Type), expected, parameter);
    }

    /// <summary>Like <see cref="Get{T}"/>, but read from disk now: the starting point of every change.</summary>
    public T GetFresh<T>(string name, string parameter) where T : AegirContext
    {
        _cache.TryRemove(name, out _);
        return Get<T>(name, parameter);
    }

    /// <summary>Runs every check a write would, without writing (for -WhatIf and for errors before any prompt).</summary>
    public void Check(AegirContext ctx, bool isNew) => Check(ctx, isNew, restoring: false);

    void Check(AegirContext ctx, bool isNew, bool restoring)
    {
        var previous = ReadFresh(ctx.Name);
        if (isNew && previous is not null) throw ErrorCatalog.ContextExists(ctx.Name, ContextNames.Label(previous.Type));
        if (!isNew && previous is null) throw ErrorCatalog.ContextNotFound(ctx.Name, ContextNames.Label(ctx.Type), Home);
        ContextValidator.Check(this, ctx, previous, restoring);
    }

    /// <summary>Reads a context from disk, bypassing the cache.</summary>
    public AegirContext? ReadFresh(string name)
    {
        var path = PathOf(name);
        var bytes = ReadBytes(path);
        return bytes is null ? null : Build(name, path, bytes, null);
    }

    /// <summary>The file's bytes (ReadAllBytes sizes its buffer from the file: little garbage over many files); null when absent.</summary>
    static byte[]? ReadBytes(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { throw ErrorCatalog.ReadFailed(path, ex); }
    }

    AegirContext Build(string name, string path, byte[] bytes, TreeCacheUse? cache)
    {
        YamlMap tree;
        if (cache is null) tree = Parsed(path, bytes);
        else
        {
            var key = YamlTreeCache.Key(bytes);
            if (cache.Old.TryGet(key, out tree)) cache.Seen[key] = null;   // the next cache file copies it as it is
            else
            {
                tree = ContextSerializer.ParseTree(path, Decode(bytes));
                Interlocked.Increment(ref cache.Misses);
                cache.Seen[key] = tree;
            }
        }
        var ctx = ContextSerializer.FromTree(path, name, tree);
        ctx.Path = path;
        ctx.Resolver = this;
        return ctx;
    }

    // Parsed trees by content, for the life of the process: the same platform and server records are read again
    // by every task of a pipeline. A tree is never changed once parsed, so sharing one is safe.
    static readonly ConcurrentDictionary<(ulong, ulong), YamlMap> ParsedTrees = new();
    const int ParsedTreesKept = 4096;

    static YamlMap Parsed(string path, byte[] bytes)
    {
        var key = YamlTreeCache.Key(bytes);
        if (ParsedTrees.TryGetValue(key, out var tree)) return tree;
        tree = ContextSerializer.ParseTree(path, Decode(bytes));
        if (ParsedTrees.Count >= ParsedTreesKept) ParsedTrees.Clear();
        ParsedTrees[key] = tree;
        return tree;
    }

    static string Decode(byte[] bytes)
    {
        var span = bytes.AsSpan();
        if (span.StartsWith("\uFEFF"u8)) span = span[3..];   // a BOM left by an editor
        return System.Text.Encoding.UTF8.GetString(span);
    }

    /// <summary>The parse cache as one listing uses it: what was there, and what this listing saw.</summary>
    sealed class TreeCacheUse(YamlTreeCache old)
    {
        public readonly YamlTreeCache Old = old;
        public readonly ConcurrentDictionary<(ulong, ulong), YamlMap?> Seen = new();
        public int Misses;
    }

    string TreeCachePath => System.IO.Path.Combine(Home, "cache", "site-trees.bin");

    /// <summary>
    /// Every context of a type (all types when null) whose name passes <paramref name="include"/>, read from disk.
    /// A file that does not load becomes an error in the listing; the others still load.
    /// </summary>
    public ContextListing List(ContextType? type = null, Func<string, bool>? include = null)
    {
        if (!Directory.Exists(ContextsPath)) return new ContextListing([], []);
        var names = new List<string>();
        foreach (var file in Directory.EnumerateFiles(ContextsPath, "*" + ContextNames.FileExtension))
        {
            var name = System.IO.Path.GetFileNameWithoutExtension(file);
            if (name.StartsWith('.')) continue;
            var t = ContextNames.TypeOf(name);
            if (type is not null && t is not null && t != type) continue;
            if (include is not null && !include(name)) continue;
            names.Add(name);
        }
        names.Sort(StringComparer.Ordinal);

        // Site listings (the ones that grow to thousands) reuse parsed trees. The cache is 0600 in a 0700
        // folder like the contexts themselves, since a site's record holds its database password.
        var cache = type == ContextType.Site && names.Count >= ParallelThreshold ? new TreeCacheUse(YamlTreeCache.Load(TreeCachePath)) : null;
        var results = new AegirContext?[names.Count];
        var errors = new AegirException?[names.Count];
        void Load(int i)
        {
            try
            {
                var path = PathOf(names[i]);
                var bytes = ReadBytes(path);
                if (bytes is not null) results[i] = Build(names[i], path, bytes, cache);
            }
            catch (AegirException ex) { errors[i] = ex; }
        }
        if (names.Count >= ParallelThreshold) Parallel.For(0, names.Count, Load);
        else for (int i = 0; i < names.Count; i++) Load(i);

        // A full listing rewrites the cache with exactly what it saw, so deleted files drop out.
        if (cache is not null && include is null && (cache.Misses > 0 || cache.Seen.Count != cache.Old.Count))
        {
            try
            {
                AtomicFile.EnsurePrivateDirectory(System.IO.Path.GetDirectoryName(TreeCachePath)!);
                YamlTreeCache.Save(TreeCachePath, cache.Seen, cache.Old);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { /* the cache only saves time */ }
        }

        var contexts = new List<AegirContext>(names.Count);
        foreach (var ctx in results)
            if (ctx is not null && (type is null || ctx.Type == type)) contexts.Add(ctx);
        return new ContextListing(contexts, errors.OfType<AegirException>().ToList());
    }

    /// <summary>
    /// The contexts of these names that are of <paramref name="type"/>, read from disk by name without listing the
    /// folder (a name with no file is left out); as <see cref="List"/>, a file that does not load is an error.
    /// </summary>
    public ContextListing Read(ContextType type, IReadOnlyCollection<string> names)
    {
        var contexts = new List<AegirContext>();
        var errors = new List<AegirException>();
        foreach (var name in names.Where(n => !n.StartsWith('.') && n.IndexOfAny(['/', '\0']) < 0 && ContextNames.TypeOf(n) is var t && (t is null || t == type)).Order(StringComparer.Ordinal))
        {
            try
            {
                var path = PathOf(name);
                if (ReadBytes(path) is { } bytes && Build(name, path, bytes, null) is var ctx && ctx.Type == type) contexts.Add(ctx);
            }
            catch (AegirException ex) { errors.Add(ex); }
        }
        return new ContextListing(contexts, errors);
    }

    /// <summary>Canonical names of one type from the file names alone, without reading the files (for completion).</summary>
    public IEnumerable<string> ListNames(ContextType type)
    {
        if (!Directory.Exists(ContextsPath)) return [];
        return Directory.EnumerateFiles(ContextsPath, "*" + ContextNames.FileExtension)
            .Select(f => System.IO.Path.GetFileNameWithoutExtension(f))
            .Where(n => !n.StartsWith('.') && ContextNames.TypeOf(n) == type)
            .Order(StringComparer.Ordinal);
    }

    /// <summary>Writes a new context; refused if the name is taken or a cross-context rule fails.</summary>
    public void Create(AegirContext ctx)
    {
        using (AcquireLock()) WriteLocked(ctx, ContextSerializer.Serialize(ctx), isNew: true);
    }

    /// <summary>
    /// Changes a context on a fresh read, under the store lock, and writes it: only what <paramref name="change"/>
    /// touched changes, whatever another writer did before. Returns the context and the old values of the fields
    /// that changed (for an undo that puts back just those).
    /// </summary>
    public ContextEdit<T> Modify<T>(string name, string parameter, Action<T> change) where T : AegirContext
    {
        using (AcquireLock()) return Edit(name, parameter, change, write: true);
    }

    /// <summary>
    /// What <see cref="Modify{T}"/> would change, not written (for plans, and for journaling old values first).
    /// With <paramref name="check"/> the rules that look at other contexts run too; Modify runs them anyway, under the lock.
    /// </summary>
    public ContextEdit<T> Preview<T>(string name, string parameter, Action<T> change, bool check = true) where T : AegirContext
        => Edit(name, parameter, change, write: false, check);

    ContextEdit<T> Edit<T>(string name, string parameter, Action<T> change, bool write, bool check = true) where T : AegirContext
    {
        _cache.TryRemove(name, out _);
        var ctx = Get<T>(name, parameter);
        _cache.TryRemove(name, out _);
        var before = ContextSerializer.ParseTree(ctx.Path!, ContextSerializer.Serialize(ctx));
        change(ctx);
        var text = ContextSerializer.Serialize(ctx);
        var changed = ContextFields.Changed(before, ContextSerializer.ParseTree(ctx.Path!, text));
        if (changed.Count > 0)
        {
            if (write) WriteLocked(ctx, text, isNew: false);
            else if (check) Check(ctx, isNew: false);
        }
        return new ContextEdit<T>(ctx, ContextFields.Save(before, changed), changed);
    }

    /// <summary>Puts back the fields an edit changed (from <see cref="ContextEdit{T}.OldValues"/>), leaving every other field as it is now.</summary>
    public void RestoreFields(string name, string oldValues)
    {
        using (AcquireLock())
        {
            var path = PathOf(name);
            var bytes = ReadBytes(path) ?? throw ErrorCatalog.ContextNotFound(name, ContextNames.TypeOf(name) is { } t ? ContextNames.Label(t) : null, Home);
            var tree = ContextFields.Apply(ContextSerializer.ParseTree(path, Decode(bytes)), ContextSerializer.ParseTree("saved fields", oldValues));
            var ctx = ContextSerializer.FromTree(path, name, tree);
            WriteLocked(ctx, ContextSerializer.Serialize(ctx), isNew: false, restoring: true);
        }
    }

    /// <summary>The file of a context as it is on disk (secrets included: for undo data only); null when there is none.</summary>
    public string? ReadText(string name) => ReadBytes(PathOf(name)) is { } bytes ? Decode(bytes) : null;

    /// <summary>
    /// Writes a context from the text of its file, made or replaced, after the checks any write gets (a copy another
    /// machine sent: what is written is the parsed context, never the text as it came).
    /// </summary>
    public void Put(string name, string text)
    {
        using (AcquireLock())
        {
            var ctx = ContextSerializer.Parse(PathOf(name), name, text);
            WriteLocked(ctx, ContextSerializer.Serialize(ctx), isNew: !Exists(name));
        }
    }

    /// <summary>Writes back a removed context from its saved file text; refused if a context of that name exists again.</summary>
    public void Recreate(string name, string text)
    {
        using (AcquireLock())
        {
            var ctx = ContextSerializer.Parse(PathOf(name), name, text);
            WriteLocked(ctx, ContextSerializer.Serialize(ctx), isNew: true, restoring: true);
        }
    }

    void WriteLocked(AegirContext ctx, string text, bool isNew, bool restoring = false)
    {
        var path = PathOf(ctx.Name);
        Check(ctx, isNew, restoring);
        var index = SiteIndex.For(ContextsPath);
        var indexAgrees = index.Agrees();
        // Every writer holds the lock, so a temp file of this name now is what a killed writer left.
        foreach (var stale in Directory.EnumerateFiles(ContextsPath, AtomicFile.TempPrefix + System.IO.Path.GetFileName(path) + ".*"))
            File.Delete(stale);
        try { AtomicFile.WriteAllText(path, text); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { throw ErrorCatalog.WriteFailed(path, ex); }
        // A kill here leaves the index's stamp behind the folder: the next look rebuilds it.
        if (indexAgrees) index.Written(ctx.Name, ctx);
        ctx.Path = path;
        ctx.Resolver = this;
        _cache[ctx.Name] = ctx;
    }

    /// <summary>Refuses, with the list of referrers, when another context names this one.</summary>
    public void CheckRemovable(string name)
    {
        var referrers = FindReferrers(name);
        if (referrers.Count > 0) throw ErrorCatalog.ContextInUse(name, referrers.Select(r => r.Name));
    }

    /// <summary>Deletes a context if it exists (the undo of its creation); refused while another context names it.</summary>
    public void RemoveIfExists(string name)
    {
        if (Exists(name)) Remove(name);
    }

    /// <summary>Deletes a context; refused while another context names it.</summary>
    public void Remove(string name)
    {
        using (AcquireLock())
        {
            CheckRemovable(name);
            var path = PathOf(name);
            if (!File.Exists(path)) throw ErrorCatalog.ContextNotFound(name, ContextNames.TypeOf(name) is { } t ? ContextNames.Label(t) : null, Home);
            var index = SiteIndex.For(ContextsPath);
            var indexAgrees = index.Agrees();
            try { File.Delete(path); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { throw ErrorCatalog.WriteFailed(path, ex); }
            if (indexAgrees) index.Written(name, null);
        }
        _cache.TryRemove(name, out _);
    }

    /// <summary>The contexts whose properties name <paramref name="name"/>.</summary>
    public IReadOnlyList<AegirContext> FindReferrers(string name)
    {
        var type = ContextNames.TypeOf(name);
        if (type is ContextType.Site) return [];
        // Only sites name platforms and clients; platforms, sites and clusters name servers.
        var listing = type == ContextType.Server ? List(include: n => n != name) : List(ContextType.Site);
        return listing.Contexts.Where(c => c.References().Any(r => r.Name == name)).ToList();
    }

    IDisposable AcquireLock()
    {
        try { AtomicFile.EnsureHome(Home); AtomicFile.EnsurePrivateDirectory(ContextsPath); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { throw ErrorCatalog.WriteFailed(ContextsPath, ex); }
        return FileLock.TryAcquire(System.IO.Path.Combine(ContextsPath, ".lock"), LockTimeout) ?? throw ErrorCatalog.StoreBusy(ContextsPath, LockTimeout);
    }
}
