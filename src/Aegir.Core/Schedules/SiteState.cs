using System.Text.Json;
using System.Text.Json.Serialization;
using Aegir.Core.IO;

namespace Aegir.Core.Schedules;

/// <summary>What the schedules last did for a site: its cron's time and result, its last statistics, its last scheduled backup.</summary>
public sealed class SiteState
{
    public DateTimeOffset? CronLast { get; set; }
    /// <summary>True when the last cron succeeded; null before the first.</summary>
    public bool? CronSucceeded { get; set; }
    /// <summary>Why the last cron failed (its exit code and the end of its output), or null.</summary>
    public string? CronError { get; set; }
    public double? CronSeconds { get; set; }
    public long CronRuns { get; set; }
    /// <summary>True when the site's application has no cron command (its cron is looked for again each interval).</summary>
    public bool CronNone { get; set; }
    public DateTimeOffset? StatisticsLast { get; set; }
    /// <summary>When a scheduled backup was last queued, so a failing one is tried once per interval, not in a loop.</summary>
    public DateTimeOffset? BackupQueued { get; set; }
}

