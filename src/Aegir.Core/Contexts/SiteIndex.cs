using System.Collections.Concurrent;
using Aegir.Core.IO;

namespace Aegir.Core.Contexts;

/// <summary>
/// The claims of every site record in a store, kept for the life of the process and refreshed per file by its
/// version (inode, size, change time): the checks of a new or renamed site look at every other site, and reading a
/// stat instead of a parse per site keeps a pipeline of installs, or a store of thousands, from paying for all of
/// them each time.
/// </summary>
public sealed class SiteIndex
{
    static readonly ConcurrentDictionary<string, SiteIndex> ByFolder = new(StringComparer.Ordinal);

    public static SiteIndex For(string contextsPath) => ByFolder.GetOrAdd(contextsPath, _ => new SiteIndex());

    readonly ConcurrentDictionary<string, (Posix.FileVersion Version, SiteClaims Claims)> _entries = new(StringComparer.Ordinal);

    /// <summary>The claims of every readable site record now on disk (a record that does not load is left out, as a listing leaves it).</summary>
    public IEnumerable<SiteClaims> All(ContextStore store)
    {
        var names = store.ListNames(ContextType.Site).ToList();
        var versions = names.Select(name => Posix.Version(store.PathOf(name))).ToArray();
        ReadInBulk(store, names, versions);
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (versions[i] is not { } version) continue;
            if (_entries.TryGetValue(name, out var known) && known.Version == version)
            {
                yield return known.Claims;
                continue;
            }
            SiteClaims? claims = null;
            try
            {
                if (store.ReadFresh(name) is AegirSite site) claims = ClaimsOf(site);
            }
            catch (Errors.AegirException) { }
            if (claims is null) { _entries.TryRemove(name, out _); continue; }
            // Keyed by the version seen before the read: a change in between makes the next look read it again.
            _entries[name] = (version, claims);
            yield return claims;
        }
    }

    /// <summary>
    /// Many records unknown or changed (a new session's first look, such as a timer's renewal round over thousands of
    /// sites): read them as a listing does, in parallel and through its cache of parsed records, rather than parsing
    /// one after another. A full listing leaves that cache written for the next session.
    /// </summary>
    void ReadInBulk(ContextStore store, List<string> names, Posix.FileVersion?[] versions)
    {
        var stale = new Dictionary<string, Posix.FileVersion>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
            if (versions[i] is { } version && !(_entries.TryGetValue(names[i], out var known) && known.Version == version))
                stale[names[i]] = version;
        if (stale.Count < BulkThreshold) return;
        var listing = stale.Count == names.Count ? store.List(ContextType.Site) : store.List(ContextType.Site, stale.ContainsKey);
        foreach (var ctx in listing.Contexts)
            if (ctx is AegirSite site && stale.TryGetValue(site.Name, out var version)) _entries[site.Name] = (version, ClaimsOf(site));
    }

    const int BulkThreshold = 64;

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
