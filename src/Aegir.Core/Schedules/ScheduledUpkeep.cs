using Aegir.Core.Operations;

namespace Aegir.Core.Schedules;

/// <summary>The schedules' cron and statistics as the engine's upkeep, for cron and statistics tasks (their task holds the site).</summary>
public sealed class ScheduledUpkeep : ISiteUpkeep
{
    public static readonly ScheduledUpkeep Instance = new();

    public (string Line, string? Error) Cron(Engine engine, string site) => SiteCron.Run(engine, site, held: true);

    public string Statistics(Engine engine, string site) => SiteStatisticsRun.Report(engine, SiteStatisticsRun.Run(engine, site, held: true));
}
