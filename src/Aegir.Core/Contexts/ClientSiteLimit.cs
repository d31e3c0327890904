using Aegir.Core.Errors;

namespace Aegir.Core.Contexts;

/// <summary>
/// A client's limit on its number of sites. Checked when a site's record is written (under the store's lock, so two
/// creators cannot both take the last place), and before anything changes by the cmdlets and operations that make one.
/// </summary>
public static class ClientSiteLimit
{
    /// <summary>Refuses <paramref name="site"/> as one more site of its client when the client has as many as it may.</summary>
    public static void CheckRoom(ContextStore store, AegirSite site)
    {
        if (site.ClientName is not { } name || store.ReadFresh(name) is not AegirClient { MaxSites: { } max } client) return;
        var others = SiteIndex.SitesOf(store, name, except: site.Name);
        if (others.Count >= max) throw ErrorCatalog.ClientSiteLimit(client.Name, client.ShortName, max, others, site.Name);
    }
}
