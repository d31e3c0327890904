namespace Aegir.Core.Operations;

/// <summary>
/// A site's upkeep that the schedules do and that also travels as a task (<see cref="Site.RunSiteCron"/>,
/// <see cref="Site.CollectSiteStatistics"/>): the schedules' code, above the operations, does it for them. Each is
/// called with the site held by the caller, and records its outcome in the site's state as a scheduled run does.
/// </summary>
public interface ISiteUpkeep
{
    /// <summary>Runs the site's cron: the line a worker logs, and why it failed (null when it did not).</summary>
    (string Line, string? Error) Cron(Engine engine, string site);

    /// <summary>Collects the site's statistics into its history: the line a worker logs.</summary>
    string Statistics(Engine engine, string site);
}
