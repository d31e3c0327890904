using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Site;
using Aegir.Core.Transport;

namespace Aegir.Core.Schedules;

/// <summary>Collects a site's statistics (its application's numbers, its database's and files' size) into its history.</summary>
public static class SiteStatisticsRun
{
    /// <param name="held">The caller (a statistics task) holds the site already.</param>
    public static SiteStatistic Run(Engine engine, string name, bool held = false)
    {
        SiteStatistic statistic;
        using (held ? null : engine.Runner.Hold([name], $"the statistics of '@{name}'", (_, _) => { }))
        {
            using var env = new OperationEnvironment(engine);
            var site = env.Store.GetFresh<AegirSite>(name, "Uri");
            SiteRules.Installed(site, "Collecting the statistics of");
            var parts = SiteParts.Resolve(site, env);
            // A site without a database has only its files to count.
            var database = parts.DatabaseIfAny();
            var counts = database is null ? null : parts.Kind.Counts(parts.Db!, database);
            statistic = new SiteStatistic(name, DateTimeOffset.UtcNow, counts?.Users, counts?.ActiveUsers, counts?.Posts, counts?.Comments,
                database is null ? null : parts.Db!.DatabaseSize(database.Name), FilesSize(env.Connect(parts.Web), parts));
            new StatisticsStore(engine.Store.Home).Add(statistic);
            new SiteStateStore(engine.Store.Home).Update(name, s => s.StatisticsLast = statistic.Time);
        }
        return statistic;
    }

    /// <summary>The line a worker logs for a site's statistics; a client over its quota adds a warning ("Warning: ...").</summary>
    public static string Report(Engine engine, SiteStatistic s)
        => $"Statistics of {s.Site}: {s.Users?.ToString() ?? "-"} users, {s.Posts?.ToString() ?? "-"} posts, {s.Comments?.ToString() ?? "-"} comments, database {s.DatabaseBytes / 1024} KiB, files {s.FilesBytes / 1024} KiB."
           + (engine.Store.ReadFresh(s.Site) is AegirSite site && ClientUsage.ProblemOf(engine.Store, site) is { } problem ? $" Warning: {site.Uri} is unhealthy: {problem}." : "");

    /// <summary>The bytes of the site's own folders, as du counts them on its web server; null when du cannot tell.</summary>
    static long? FilesSize(ITransport web, SiteParts parts)
    {
        var roots = parts.Kind.SiteRoots(parts.Site.Uri).Select(r => Path.Combine(parts.Platform.Root, r)).Where(r => web.Kind(r) == PathKind.Directory).ToList();
        if (roots.Count == 0) return 0;
        var result = web.Run(new CommandSpec("du", ["-s", "-b", "--", .. roots]) { Timeout = TimeSpan.FromMinutes(10) });
        if (!result.Succeeded) return null;
        long total = 0;
        foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (long.TryParse(line.Split('\t')[0], out var n)) total += n;
        return total;
    }
}
