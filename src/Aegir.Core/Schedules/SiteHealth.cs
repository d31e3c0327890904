using Aegir.Core.Contexts;

namespace Aegir.Core.Schedules;

/// <summary>
/// Whether a site's schedules are keeping it well: its last cron succeeded and a cron has run within two of its
/// intervals (since it was recorded, when none has yet). A site that is not installed, or disabled, or whose cron is
/// off, or whose application has no cron command, expects no cron. A site whose client is over its disk quota is
/// unhealthy too, whatever its cron, and so is a site whose ACME certificate ends within 14 days while its renewal fails.
/// </summary>
public sealed record SiteHealth(bool Healthy, IReadOnlyList<string> Problems, DateTimeOffset? LastCron, bool? CronSucceeded, string? CronError, DateTimeOffset? LastStatistics)
{
    /// <param name="client">The usage of the site's client (<see cref="ClientUsage.OfSite"/>), when it has one.</param>
    /// <param name="certificate">The site's certificate record (the store's), for a site of the LetsEncrypt source served over HTTPS.</param>
    public static SiteHealth Of(AegirSite site, SiteState state, DateTimeOffset now, ClientUsage? client = null, Services.Certificates.AegirCertificate? certificate = null)
    {
        var problems = new List<string>();
        if (site.Status == SiteStatus.Installed && !state.CronNone && Interval.Parse("CronInterval", site.CronInterval ?? AegirSite.DefaultCronInterval) is { } interval)
        {
            if (state.CronSucceeded == false)
                problems.Add($"its last cron, at {state.CronLast?.ToLocalTime():yyyy-MM-dd HH:mm:ss}, failed: {state.CronError}");
            var since = state.CronLast ?? Recorded(site) ?? now;
            if (now - since > 2 * interval)
                problems.Add(state.CronLast is null
                    ? $"its cron has never run (the site was recorded {since.ToLocalTime():yyyy-MM-dd HH:mm:ss}; its interval is {site.CronInterval ?? AegirSite.DefaultCronInterval}): is Invoke-AegirQueue running?"
                    : $"its cron has not run since {since.ToLocalTime():yyyy-MM-dd HH:mm:ss}, over two intervals of {site.CronInterval ?? AegirSite.DefaultCronInterval}: is Invoke-AegirQueue running?");
        }
        if (client?.Problem is { } overQuota) problems.Add(overQuota);
        if (site.Https != HttpsMode.Disabled && site.CertificateSource != CertificateSource.SelfSigned
            && Services.Certificates.RenewalPolicy.Problem(certificate, now.UtcDateTime) is { } renewal)
            problems.Add(renewal);
        return new SiteHealth(problems.Count == 0, problems, state.CronLast, state.CronSucceeded, state.CronError, state.StatisticsLast);
    }

    static DateTimeOffset? Recorded(AegirSite site)
        => site.Path is { } path && File.Exists(path) ? new DateTimeOffset(File.GetCreationTimeUtc(path), TimeSpan.Zero) : null;

    public override string ToString() => Healthy ? "healthy" : string.Join("; ", Problems);
}
