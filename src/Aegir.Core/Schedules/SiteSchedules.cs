using Aegir.Core.Backups;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Site;
using Aegir.Core.Services.Certificates;

namespace Aegir.Core.Schedules;

/// <summary>
/// The sites' schedules, each spread over its interval (every site has its own moment in it): cron for installed,
/// enabled sites; statistics for installed ones; and scheduled backups, which are queued as backup tasks (after the
/// site's retention rules have pruned its older backups), within the backup window when there is one, once per interval;
/// and the certificate renewals of sites of the LetsEncrypt source, due by their store record alone (<see cref="RenewalPolicy"/>);
/// and, hourly, the task retention setting (<see cref="TaskRetentionRun"/>).
/// </summary>
public sealed class SiteSchedules(Engine engine, ScheduleKinds kinds, BackupWindow? window = null) : IWorkSchedule
{
    readonly SiteStateStore _states = new(engine.Store.Home);
    readonly BackupStore _backups = new(engine.Store.Home);
    readonly CertificateStore _certificates = new(engine.Store.Home);
    /// <summary>Each site's state as last read, by its file's version: a round stats the files and parses only what changed.</summary>
    readonly Dictionary<string, (IO.Posix.FileVersion? Version, SiteState State)> _stateCache = new(StringComparer.Ordinal);
    /// <summary>Sites whose newest backup was found taken in the current interval: not looked at again before the next.</summary>
    readonly Dictionary<string, DateTimeOffset> _backedUpUntil = new(StringComparer.Ordinal);

    public DateTimeOffset? NextDue { get; private set; }

    /// <summary>
    /// When a continuous worker started: work never run, or missed while no worker ran, waits for its own moment after
    /// that rather than all at once (a thousand sites' first round, or a catch-up after downtime, spread over one
    /// interval). Null (a run once): everything due runs now.
    /// </summary>
    public DateTimeOffset? SpreadFrom { get; init; }

    public IReadOnlyList<ScheduledWork> Due(DateTimeOffset now)
    {
        NextDue = null;
        return Find(now).OrderBy(w => w.Last ?? DateTimeOffset.MinValue).ThenBy(w => w.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The sites come from the site index, swept (a stat per record, a parse only of what changed): a round over
    /// thousands stays cheap, and a record changed by hand in place is seen by the next round.
    /// </summary>
    IEnumerable<ScheduledWork> Find(DateTimeOffset now)
    {
        var sites = SiteIndex.For(engine.Store.ContextsPath).All(engine.Store, sweep: true).Where(s => s.Status != SiteStatus.NotInstalled).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        var states = States(sites);
        for (var i = 0; i < sites.Count; i++)
        {
            var site = sites[i];
            var state = states[i];
            var name = site.Name;
            if (kinds.HasFlag(ScheduleKinds.Cron) && site.Status == SiteStatus.Installed && IsDue("cron", site.CronInterval ?? AegirSite.DefaultCronInterval, state.CronLast))
                yield return new ScheduledWork("cron:" + name, name, state.CronLast, () => SiteCron.Run(engine, name));
            if (kinds.HasFlag(ScheduleKinds.Statistics) && IsDue("statistics", site.StatisticsInterval ?? AegirSite.DefaultStatisticsInterval, state.StatisticsLast))
                yield return new ScheduledWork("statistics:" + name, name, state.StatisticsLast, () => SiteStatisticsRun.Report(engine, SiteStatisticsRun.Run(engine, name)));
            if (kinds.HasFlag(ScheduleKinds.Backup) && site.BackupInterval is { } every && (window?.Contains(now) ?? true)
                && IsDue("backup", every, state.BackupQueued) && !BackedUp(name, every))
                yield return new ScheduledWork("backup:" + name, name, state.BackupQueued, () => QueueBackup(name));
            if (kinds.HasFlag(ScheduleKinds.Certificate) && site.Acme)
            {
                var cert = _certificates.Get(site.HostNames[0]);
                var hosts = site.HostNames;
                if (RenewalPolicy.NextAttempt(cert, hosts, now.UtcDateTime) is { } next)
                {
                    if (next <= now.UtcDateTime && Issuable(site, hosts))
                        yield return new ScheduledWork("certificate:" + name, name, cert?.LastRenewalTime is { } last ? new DateTimeOffset(last, TimeSpan.Zero) : null, () => CertificateRenewalRun.Run(engine, name))
                        {
                            // Its task holds the platform too: two renewals on one platform never wait on each other's lock.
                            Holds = site.PlatformName is { } platform ? [platform] : [],
                        };
                    else Next(new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc)));
                }
            }

            bool IsDue(string what, string interval, DateTimeOffset? last)
            {
                if (Interval.TryParse(interval) is not { } span) return false;
                var slot = Interval.LastSlot($"{what}:{name}", span, now);
                var due = last is null || last < slot;
                if (due && SpreadFrom is { } from && slot < from && (last is null || last < slot - span))
                    due = false;   // its moment in this interval passed before the worker started: the next one
                Next(due ? now : slot + span);
                return due;
            }
        }

        if (kinds.HasFlag(ScheduleKinds.Retention) && TaskRetentionRun.NextDue(engine.Store.Home) is { } retention)
        {
            if (retention <= now) yield return new ScheduledWork(TaskRetentionRun.Key, TaskRetentionRun.Target, retention == DateTimeOffset.MinValue ? null : retention - TaskRetentionRun.Every, () => TaskRetentionRun.Run(engine.Store.Home, DateTimeOffset.UtcNow));
            else Next(retention);
        }

        // A backup taken in this interval (by hand, or restored from) counts as the interval's: the next is due at the next moment.
        bool BackedUp(string name, string every)
        {
            if (_backedUpUntil.TryGetValue(name, out var until) && until > now) { Next(until); return true; }
            var span = Interval.TryParse(every)!.Value;
            var slot = Interval.LastSlot($"backup:{name}", span, now);
            if (_backups.List(name).FirstOrDefault()?.Created is not { } newest || newest < slot) return false;
            _backedUpUntil[name] = slot + span;
            Next(slot + span);
            return true;
        }

        void Next(DateTimeOffset at)
        {
            if (NextDue is null || at < NextDue) NextDue = at;
        }
    }

    /// <summary>
    /// Whether the site's web server can ask for its certificate (an ACME email set, names its CA signs, this machine
    /// serving it): read only for a site whose renewal is due; one that cannot keeps its self-signed certificate without
    /// a failing task each round.
    /// </summary>
    bool Issuable(SiteClaims site, IReadOnlyList<string> hosts)
        => site.PlatformName is not null && engine.Store.ReadFresh(site.PlatformName) is AegirPlatform platform && engine.Store.ReadFresh(platform.WebServerName) is AegirServer web
           && Machines(web) is [{ } first, ..] machines && machines.All(m => m is not null && ThisMachine.Is(m))
           && AcmeSettings.Of(first) is { Email: not null } acme && acme.Unsignable(hosts).Count == 0;

    /// <summary>
    /// The machines that serve a web server's sites (a cluster's members; null for one not recorded): each must be this
    /// machine, where ACME's challenge files are written; the first one's settings name the ACME directory.
    /// </summary>
    List<AegirServer?> Machines(AegirServer web)
        => web.IsCluster ? web.ClusterMembers.Select(m => engine.Store.ReadFresh(m) as AegirServer).ToList() : [web];

    /// <summary>Each site's state: a stat each, and a read of the changed ones, spread over the cores (a new process's first round reads them all).</summary>
    SiteState[] States(List<SiteClaims> sites)
    {
        var read = new (IO.Posix.FileVersion? Version, SiteState State, bool Changed)[sites.Count];
        Parallel.For(0, sites.Count, new ParallelOptions { MaxDegreeOfParallelism = sites.Count < 256 ? 1 : -1 }, i =>
        {
            var site = sites[i].Name;
            var version = IO.Posix.Version(Path.Combine(_states.Folder, site + ".json"));
            read[i] = _stateCache.TryGetValue(site, out var known) && known.Version == version ? (version, known.State, false)
                : (version, version is null ? new SiteState() : _states.Get(site), true);
        });
        for (var i = 0; i < sites.Count; i++)
            if (read[i].Changed) _stateCache[sites[i].Name] = (read[i].Version, read[i].State);
        return read.Select(r => r.State).ToArray();
    }

    /// <summary>Prunes the site's older backups by its retention rules, then queues its backup task (once per interval, even when it fails).</summary>
    string QueueBackup(string name)
    {
        using (engine.Runner.Hold([name], $"the scheduled backup of '@{name}'", (_, _) => { }))
        {
            var site = engine.Store.GetFresh<AegirSite>(name, "Uri");
            var rules = site.BackupRetention;
            var pruned = 0;
            if (rules is not null)
                foreach (var old in Retention.Expired(_backups.List(name), RetentionRule.ParseList(rules), DateTimeOffset.UtcNow))
                {
                    BackupStore.Delete(old.Path);
                    pruned++;
                }
            var task = engine.Enqueue(new BackupSite.Parameters(name, "scheduled backup"));
            _states.Update(name, s => s.BackupQueued = DateTimeOffset.UtcNow);
            return $"Scheduled backup of {name}: queued as task {task.Id}{(pruned > 0 ? $"; {pruned} older backup(s) let go by its retention rules ({rules})" : "")}.";
        }
    }
}
