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
        foreach (var name in store.ListNames(ContextType.Site))
        {
            var path = store.PathOf(name);
            if (Posix.Version(path) is not { } version) continue;
            if (_entries.TryGetValue(name, out var known) && known.Version == version)
            {
                yield return known.Claims;
                continue;
            }
            SiteClaims? claims = null;
            try
            {
                if (store.ReadFresh(name) is AegirSite site)
                    claims = new SiteClaims(site.Name, site.HostNames().ToList(), site.DbServerName, site.DbName,
                        site.Status, site.CronInterval, site.BackupInterval, site.StatisticsInterval, site.ClientName,
                        site.CertificateSource == CertificateSource.LetsEncrypt && site.Https != HttpsMode.Disabled, site.PlatformName);
            }
            catch (Errors.AegirException) { }
            if (claims is null) { _entries.TryRemove(name, out _); continue; }
            // Keyed by the version seen before the read: a change in between makes the next look read it again.
            _entries[name] = (version, claims);
            yield return claims;
        }
    }

    /// <summary>Database names the records of sites other than <paramref name="except"/> claim on <paramref name="dbServer"/>.</summary>
    public static HashSet<string> ClaimedDbNames(ContextStore store, string dbServer, string? except = null)
        => For(store.ContextsPath).All(store).Where(c => c.Name != except && c.DbName is not null && c.DbServerName == dbServer)
            .Select(c => c.DbName!).ToHashSet(StringComparer.Ordinal);

    /// <summary>The names of the sites whose records name <paramref name="client"/>, but <paramref name="except"/>.</summary>
    public static List<string> SitesOf(ContextStore store, string client, string? except = null)
        => For(store.ContextsPath).All(store).Where(c => c.ClientName == client && c.Name != except).Select(c => c.Name).ToList();
}
