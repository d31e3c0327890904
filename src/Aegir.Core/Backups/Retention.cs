using Aegir.Core.Contexts;

namespace Aegir.Core.Backups;

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
