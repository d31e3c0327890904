using Aegir.Core.Contexts;

namespace Aegir.Core.Schedules;

/// <summary>
/// The disk space a client's sites take up, from each one's newest statistics (its own folders, as du counts them,
/// and its database's size, as the database server reports it), against the client's quota. A site with no
/// statistics yet counts nothing until its first collection.
/// </summary>
public sealed record ClientUsage(string Client, string ShortName, long UsedBytes, long? QuotaBytes, int Sites, int? MaxSites, int Measured)
{
    public bool OverQuota => QuotaBytes is { } quota && UsedBytes > quota;

    public static ClientUsage Of(ContextStore store, AegirClient client, StatisticsStore? statistics = null)
    {
        statistics ??= new StatisticsStore(store.Home);
        var sites = SiteIndex.SitesOf(store, client.Name);
        long used = 0;
        int measured = 0;
        foreach (var site in sites)
        {
            if (statistics.Latest(site) is not { } newest) continue;
            used += (newest.FilesBytes ?? 0) + (newest.DatabaseBytes ?? 0);
            measured++;
        }
        return new ClientUsage(client.Name, client.ShortName, used, client.DiskQuota, sites.Count, client.MaxSites, measured);
    }

    /// <summary>The usage of the client of <paramref name="site"/>, or null when it has none.</summary>
    public static ClientUsage? OfSite(ContextStore store, AegirSite site, StatisticsStore? statistics = null)
        => site.ClientName is { } name && store.ReadFresh(name) is AegirClient client ? Of(store, client, statistics) : null;

    /// <summary>Why <paramref name="site"/> is unhealthy for its client's disk quota, or null (at once when its client has no quota).</summary>
    public static string? ProblemOf(ContextStore store, AegirSite site, StatisticsStore? statistics = null)
        => site.ClientName is { } name && store.ReadFresh(name) is AegirClient { DiskQuota: not null } client ? Of(store, client, statistics).Problem : null;

    /// <summary>What is wrong for each of the client's sites when it is over its quota; null when it is not.</summary>
    public string? Problem => OverQuota
        ? $"its client '@{Client}' is over its disk quota: its sites take up {QuotaValues.Format(UsedBytes)} of {QuotaValues.Format(QuotaBytes!.Value)} (files and databases at their last statistics). Free some space, or raise the quota (Set-AegirClient {ShortName} -DiskQuota {QuotaValues.Exact(NextQuota())})"
        : null;

    long NextQuota()
    {
        // The smallest whole number of the quota's own unit above the use: a fix that would pass.
        long unit = 1;
        for (long step = 1L << 50; step >= 1024; step >>= 10)
            if (QuotaBytes!.Value % step == 0) { unit = step; break; }
        return (UsedBytes / unit + 1) * unit;
    }

    public override string ToString()
        => $"{QuotaValues.Format(UsedBytes)}{(QuotaBytes is { } q ? " of " + QuotaValues.Format(q) : "")}, {Sites}{(MaxSites is { } m ? " of " + m : "")} site{(Sites == 1 && MaxSites is null ? "" : "s")}";
}
