namespace Aegir.Core.Contexts;

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

    static TimeSpan? Span(string s) => s.EndsWith('s') ? null : Contexts.Interval.TryParse(s);

    public override string ToString() => $"older than {OlderThan}: keep one per {KeepOnePer}";
}
