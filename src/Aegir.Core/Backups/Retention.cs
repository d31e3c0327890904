namespace Aegir.Core.Backups;

/// <summary>
/// Aegir's retention rules: "for backups older than <see cref="OlderThan"/>, keep one per <see cref="KeepOnePer"/>".
/// The older backups fall in buckets of that length (counted from the epoch, so a bucket does not move as time
/// passes); the newest in each bucket stays, the rest go.
/// </summary>
public sealed record RetentionRule(TimeSpan OlderThan, TimeSpan KeepOnePer)
{
    /// <summary>Parses "30d:7d" (older than 30 days, keep one a week); units m, h, d, w.</summary>
    public static RetentionRule Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 2 || Span(parts[0]) is not { } older || Span(parts[1]) is not { } per || per <= TimeSpan.Zero)
            throw Errors.ErrorCatalog.InvalidValue("Retention", text, "it is not a rule 'older-than:keep-one-per'", "Write it as 30d:7d (backups older than 30 days: keep one a week); units m, h, d, w.");
        return new RetentionRule(older, per);
    }

    /// <summary>Rules separated by commas: "7d:1d,30d:7d".</summary>
    public static IReadOnlyList<RetentionRule> ParseList(string text) => text.Split(',', StringSplitOptions.TrimEntries).Select(Parse).ToList();

    static TimeSpan? Span(string s) => s.EndsWith('s') ? null : Schedules.Interval.TryParse(s);

    public override string ToString() => $"older than {OlderThan}: keep one per {KeepOnePer}";
}

public static class Retention
{
    /// <summary>
    /// The backups the rules let go, of one site's backups, at <paramref name="now"/>. A rule works on the backups
    /// older than its age up to the age of the next older rule, which takes over from there ("older than 7 days: one a
    /// day; older than 30 days: one a week").
    /// </summary>
    public static IReadOnlyList<AegirBackup> Expired(IEnumerable<AegirBackup> backups, IReadOnlyList<RetentionRule> rules, DateTimeOffset now)
    {
        var all = backups.ToList();
        var ordered = rules.OrderBy(r => r.OlderThan).ToList();
        var doomed = new List<AegirBackup>();
        for (int i = 0; i < ordered.Count; i++)
        {
            var rule = ordered[i];
            var until = i + 1 < ordered.Count ? ordered[i + 1].OlderThan : TimeSpan.MaxValue;
            var span = all.Where(b => now - b.Created > rule.OlderThan && now - b.Created <= until);
            foreach (var bucket in span.GroupBy(b => b.Created.ToUnixTimeSeconds() / (long)rule.KeepOnePer.TotalSeconds))
                doomed.AddRange(bucket.OrderByDescending(b => b.Created).ThenByDescending(b => b.Path, StringComparer.Ordinal).Skip(1));
        }
        return doomed.OrderBy(b => b.Created).ToList();
    }
}
