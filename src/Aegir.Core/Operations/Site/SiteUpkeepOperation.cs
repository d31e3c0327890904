namespace Aegir.Core.Operations.Site;

/// <summary>
/// Upkeep a schedule does for a site (its cron, its statistics), as a task a queue can carry: it holds the site alone,
/// as the schedule does, and changes no web server config. The schedule runs the same code without a task record.
/// </summary>
public abstract class SiteUpkeepOperation<TParameters> : SiteOperation<TParameters> where TParameters : class, ISiteParameters
{
    public override IReadOnlyList<string> LocksOf(TParameters p, Contexts.ContextStore store) => [];

    public override IReadOnlyList<string> WebServersOf(TParameters p, Contexts.ContextStore store) => [];
}
