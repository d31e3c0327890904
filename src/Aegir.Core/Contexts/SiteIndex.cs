using System.Collections.Concurrent;
using Aegir.Core.IO;

namespace Aegir.Core.Contexts;

/// <summary>
/// The claims of every site record in a store (host names, database, status, schedules, client), kept with the
/// records in <c>contexts/.index/sites.bin</c> so that the checks of a new or renamed site, and a schedule round, read
/// one file instead of every record. Every record write of the module updates it under the store lock, and stamps it
/// with the version (inode, size, change time) the contexts folder has after the write. Whatever changes the folder
/// otherwise (a record written by hand or by another tool, or a writer killed between its record and the index)
/// leaves the stamp behind: the next look then compares each record file's version with the index's and reads the
/// ones that differ. A record changed in place (which leaves the folder as it was) is caught by a sweep of the
/// files' versions: each schedule round and each verify makes one, and so does the first look after
/// <see cref="SweepEvery"/> without one, so that no such change goes unseen by the checks for longer.
/// </summary>
public sealed class SiteIndex
{
    static readonly ConcurrentDictionary<string, SiteIndex> ByFolder = new(StringComparer.Ordinal);

    public static SiteIndex For(string contextsPath) => ByFolder.GetOrAdd(contextsPath, path => new SiteIndex(path));

    /// <summary>The index file of a contexts folder (in a folder of its own, so writing it leaves the contexts folder's version as it is).</summary>
    public static string PathIn(string contextsPath) => Path.Combine(contextsPath, ".index", "sites.bin");

    /// <summary>The longest a look trusts the folder's version alone before it compares every record file's version.</summary>
    public static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(5);

    readonly string _contexts;
    readonly string _path;
    readonly object _gate = new();
    Dictionary<string, SiteIndexFile.Entry>? _entries;
    Posix.FileVersion? _stamp;
    Posix.FileVersion? _fileVersion;
    DateTimeOffset _swept;

    SiteIndex(string contexts)
    {
        _contexts = contexts;
        _path = PathIn(contexts);
    }

    /// <summary>The claims of every readable site record now on disk (a record that does not load is left out, as a listing leaves it).</summary>
    public IEnumerable<SiteClaims> All(ContextStore store, bool sweep = false)
    {
        lock (_gate)
        {
            Ensure(store, sweep);
            return _entries!.Values.Select(e => e.Claims).ToList();
        }
    }

    /// <summary>The sites but <paramref name="except"/> whose records claim <paramref name="host"/> (uri or alias).</summary>
    public IReadOnlyList<string> Claimants(ContextStore store, string host, string? except = null, bool sweep = false)
    {
        lock (_gate)
        {
            Ensure(store, sweep);
            return Lookup(host, except);
        }
    }

    /// <summary>The sites but <paramref name="except"/> whose records claim database <paramref name="dbName"/> on <paramref name="dbServer"/>.</summary>
    public IReadOnlyList<string> DbClaimants(ContextStore store, string dbServer, string dbName, string? except = null)
    {
        lock (_gate)
        {
            Ensure(store, sweep: false);
            return LookupDb(dbServer, dbName, except);
        }
    }

    /// <summary>A scan of the entries (a few milliseconds for 100,000: cheaper than making a map of every name for the few a check asks about).</summary>
    List<string> Lookup(string host, string? except)
    {
        var found = new List<string>();
        foreach (var (_, claims, _) in _entries!.Values)
        {
            var hosts = claims.HostNames;
            for (var i = 0; i < hosts.Count; i++)
                if (string.Equals(hosts[i], host, StringComparison.Ordinal) && claims.Name != except) { found.Add(claims.Name); break; }
        }
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    List<string> LookupDb(string server, string name, string? except)
    {
        var found = new List<string>();
        foreach (var (_, claims, _) in _entries!.Values)
            if (string.Equals(claims.DbName, name, StringComparison.Ordinal) && claims.DbServerName == server && claims.Name != except) found.Add(claims.Name);
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    /// <summary>
    /// Makes the index in memory agree with the records: as loaded when its stamp is the folder's version; else each
    /// record file's version compared with the index's, the ones that differ read again, and the index written.
    /// </summary>
    void Ensure(ContextStore store, bool sweep)
    {
        var folder = Posix.Version(_contexts);
        if (folder is null) { Set(new(StringComparer.Ordinal), null); return; }
        var file = Posix.Version(_path);
        if (_entries is null || file != _fileVersion) Load(file);
        if (!sweep && _entries is not null && _stamp == folder && DateTimeOffset.UtcNow - _swept < SweepEvery) return;
        Rebuild(store, folder.Value);
    }

    void Load(Posix.FileVersion? file)
    {
        var read = file is null ? null : SiteIndexFile.Read(_path);
        if (read is { } r) { Set(r.Entries, r.Stamp); _swept = r.Swept; }
        else _stamp = null;   // kept entries still save reading unchanged records again
        _fileVersion = file;
    }

    void Set(Dictionary<string, SiteIndexFile.Entry> entries, Posix.FileVersion? stamp)
    {
        _entries = entries;
        _stamp = stamp;
    }

    /// <summary>What a rebuild found different from the index it had: records new to it, changed, and gone.</summary>
    public sealed record Differences(IReadOnlyList<string> Added, IReadOnlyList<string> Changed, IReadOnlyList<string> Gone)
    {
        public int Count => Added.Count + Changed.Count + Gone.Count;

        public override string ToString()
        {
            static string Few(IReadOnlyList<string> names) => string.Join(", ", names.Take(5)) + (names.Count > 5 ? $" and {names.Count - 5} more" : "");
            var parts = new List<string>();
            if (Added.Count > 0) parts.Add($"{Added.Count} record(s) it did not hold ({Few(Added)})");
            if (Changed.Count > 0) parts.Add($"{Changed.Count} changed since ({Few(Changed)})");
            if (Gone.Count > 0) parts.Add($"{Gone.Count} gone ({Few(Gone)})");
            return string.Join("; ", parts);
        }
    }

    /// <summary>
    /// Reads again every record whose file's version is not the index's, drops the gone, and writes the index with
    /// <paramref name="folder"/>, the folder's version seen before the files were listed (a change meanwhile makes
    /// the next look rebuild again).
    /// </summary>
    Differences Rebuild(ContextStore store, Posix.FileVersion folder)
    {
        // The index's own folder first: making it changes the contexts folder.
        if (!Directory.Exists(Path.GetDirectoryName(_path)))
        {
            try { AtomicFile.EnsurePrivateDirectory(Path.GetDirectoryName(_path)!); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
            folder = Posix.Version(_contexts) ?? folder;
        }
        var known = _entries ?? new Dictionary<string, SiteIndexFile.Entry>(StringComparer.Ordinal);
        var names = store.ListNames(ContextType.Site).ToArray();
        var versions = new Posix.FileVersion?[names.Length];
        Parallel.For(0, names.Length, new ParallelOptions { MaxDegreeOfParallelism = names.Length < 4096 ? 1 : -1 },
            i => versions[i] = Posix.Version(store.PathOf(names[i])));

        var entries = new Dictionary<string, SiteIndexFile.Entry>(names.Length, StringComparer.Ordinal);
        var stale = new Dictionary<string, Posix.FileVersion>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            if (versions[i] is not { } version) continue;
            if (known.TryGetValue(names[i], out var entry) && entry.Version == version) entries[names[i]] = entry;
            else stale[names[i]] = version;
        }
        if (stale.Count >= BulkThreshold)
        {
            // Read as a listing reads, in parallel and through its cache of parsed records.
            var listing = stale.Count == names.Length ? store.List(ContextType.Site) : store.List(ContextType.Site, stale.ContainsKey);
            foreach (var ctx in listing.Contexts)
                if (ctx is AegirSite site && stale.TryGetValue(site.Name, out var version)) entries[site.Name] = new(version, ClaimsOf(site));
        }
        else
            foreach (var (name, version) in stale)
            {
                try
                {
                    // Keyed by the version seen before the read: a change in between makes the next sweep read it again.
                    if (store.ReadFresh(name) is AegirSite site) entries[name] = new(version, ClaimsOf(site));
                }
                catch (Errors.AegirException) { /* left out, as a listing leaves it out */ }
            }

        var differences = new Differences(
            stale.Keys.Where(n => !known.ContainsKey(n)).Order(StringComparer.Ordinal).ToList(),
            stale.Keys.Where(n => known.TryGetValue(n, out var old) && (!entries.TryGetValue(n, out var now) || !Same(old.Claims, now.Claims))).Order(StringComparer.Ordinal).ToList(),
            known.Keys.Where(n => !entries.ContainsKey(n) && !stale.ContainsKey(n)).Order(StringComparer.Ordinal).ToList());
        if (stale.Count > 0 || differences.Count > 0 || _entries is null) Set(entries, folder);
        else _stamp = folder;
        _swept = DateTimeOffset.UtcNow;
        Save();
        return differences;
    }

    static bool Same(SiteClaims a, SiteClaims b) => a with { HostNames = b.HostNames } == b && a.HostNames.SequenceEqual(b.HostNames);

    const int BulkThreshold = 64;

    void Save()
    {
        try
        {
            SiteIndexFile.Write(_path, _stamp!.Value, _swept, _entries!.Values);
            _fileVersion = Posix.Version(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not written: the index on disk keeps its old stamp, so whoever reads it next rebuilds it.
        }
    }

    /// <summary>
    /// Under the store lock, before a record is written or removed: whether the index agrees with the folder now.
    /// Only then does <see cref="Written"/> carry it over the write; else it stays behind, to be rebuilt when next used.
    /// </summary>
    internal bool Agrees()
    {
        lock (_gate)
        {
            var folder = Posix.Version(_contexts);
            var file = Posix.Version(_path);
            if (file is null) return false;
            if (_entries is null || file != _fileVersion) Load(file);
            return _entries is not null && folder is not null && _stamp == folder;
        }
    }

    /// <summary>After a record write under the store lock: the site's claims as written (none when removed), stamped with the folder's version now.</summary>
    internal void Written(string name, AegirContext? written)
    {
        lock (_gate)
        {
            if (_entries is null || Posix.Version(_contexts) is not { } folder) return;
            if (ContextNames.TypeOf(name) == ContextType.Site)
            {
                _entries.Remove(name);
                if (written is AegirSite site && Posix.Version(Path.Combine(_contexts, name + ContextNames.FileExtension)) is { } version)
                    _entries[name] = new(version, ClaimsOf(site));
            }
            _stamp = folder;
            Save();
        }
    }

    /// <summary>
    /// The check of verify: the index's stamp against the folder and every record file's version against the index;
    /// rebuilt from the files when they disagree. Returns what was wrong (for the task's log), or null when it agreed.
    /// </summary>
    public string? Verify(ContextStore store)
    {
        lock (_gate)
        {
            if (Posix.Version(_contexts) is not { } folder) return null;
            var file = Posix.Version(_path);
            Load(file);
            // A store with no site records and no index yet (a new one) gets one made, with nothing to repair.
            var made = file is null && _stamp is null && !store.ListNames(ContextType.Site).Any();
            var why = made ? null : _stamp is null ? $"there was no readable index ({_path})"
                : _stamp != folder ? "its stamp was not the contexts folder's version (a record written by another tool, or a write cut short)"
                : null;
            var differences = Rebuild(store, folder);
            if (why is null && differences.Count == 0) return null;
            return $"The site index disagreed with the records: {why ?? differences.ToString()}{(why is not null && differences.Count > 0 ? "; " + differences : "")}. Rebuilt it from the files.";
        }
    }

    static SiteClaims ClaimsOf(AegirSite site)
        => new(site.Name, site.HostNames().ToList(), site.DbServerName, site.DbName,
            site.Status, site.CronInterval, site.BackupInterval, site.StatisticsInterval, site.ClientName,
            site.CertificateSource == CertificateSource.LetsEncrypt && site.Https != HttpsMode.Disabled, site.PlatformName);

    /// <summary>Database names the records of sites other than <paramref name="except"/> claim on <paramref name="dbServer"/>.</summary>
    public static HashSet<string> ClaimedDbNames(ContextStore store, string dbServer, string? except = null)
        => For(store.ContextsPath).All(store).Where(c => c.Name != except && c.DbName is not null && c.DbServerName == dbServer)
            .Select(c => c.DbName!).ToHashSet(StringComparer.Ordinal);

    /// <summary>The names of the sites whose records name <paramref name="client"/>, but <paramref name="except"/>.</summary>
    public static List<string> SitesOf(ContextStore store, string client, string? except = null)
        => For(store.ContextsPath).All(store).Where(c => c.ClientName == client && c.Name != except).Select(c => c.Name).ToList();
}
