using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Schedules;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>
/// Gets sites' statistics as the statistics queue collected them: users, active users, posts or nodes, comments,
/// database and files size. The newest of each site, or with -History all of them, newest first; -Collect gathers
/// them now instead.
/// </summary>
[Cmdlet(VerbsCommon.Get, "AegirSiteStatistic", HelpUri = HelpLinks.Docs + "Get-AegirSiteStatistic.md")]
[OutputType(typeof(SiteStatistic))]
public sealed class GetAegirSiteStatisticCommand : AegirCmdlet
{
    /// <summary>The sites (wildcards allowed); every site when left out.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(SiteNameCompleter))]
    [SupportsWildcards]
    public string[]? Uri { get; set; }

    /// <summary>Every collection kept, newest first, instead of the newest alone.</summary>
    [Parameter]
    public SwitchParameter History { get; set; }

    /// <summary>Collects the statistics now (and keeps them in the history) instead of reading the last ones.</summary>
    [Parameter]
    public SwitchParameter Collect { get; set; }

    protected override void ProcessRecord()
    {
        var store = new StatisticsStore(Store.Home);
        var sites = ContextQuery.Sites(this, Store, Uri, ReportLoadErrors, (e, t) => WriteAegirError(e, t));
        foreach (var site in sites)
            ForItem(site.Name, () =>
            {
                if (Collect)
                {
                    WriteObject(SiteStatisticsRun.Run(Engine, site.Name));
                    if (ClientUsage.ProblemOf(Store, site, store) is { } problem) WriteWarning($"{site.Uri} is unhealthy: {problem}.");
                    return;
                }
                var history = store.History(site.Name);
                if (History) foreach (var s in history) WriteObject(s);
                else if (history.Count > 0) WriteObject(history[0]);
            });
    }
}
