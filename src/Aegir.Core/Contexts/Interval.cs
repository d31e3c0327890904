using Aegir.Core.Errors;

namespace Aegir.Core.Contexts;

/// <summary>How often a schedule runs for a site: "30s", "15m", "1h", "1d", "1w", or "off".</summary>
public static class Interval
{
    public const string Off = "off";

    /// <summary>The interval, or null for off; refuses anything else, naming the form.</summary>
    public static TimeSpan? Parse(string parameter, string text)
    {
        if (text == Off) return null;
        return TryParse(text) is { } span && span >= TimeSpan.FromSeconds(5) ? span
            : throw ErrorCatalog.InvalidValue(parameter, text, "it is not an interval of at least 5 seconds", "Write it as a number and a unit (s, m, h, d, w), such as 1h or 30m, or 'off'.");
    }

    /// <summary>A number and a unit (s, m, h, d, w); null when it does not read.</summary>
    public static TimeSpan? TryParse(string text)
    {
        if (text.Length < 2 || !int.TryParse(text[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)) return null;
        return text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            'w' => TimeSpan.FromDays(7 * n),
            _ => null,
        };
    }

    /// <summary>
    /// The latest moment at or before <paramref name="now"/> when the schedule of <paramref name="key"/> falls due:
    /// each key has its own offset within the interval (from a hash of its name), so a hundred sites' crons spread
    /// over the hour instead of all firing at its start.
    /// </summary>
    public static DateTimeOffset LastSlot(string key, TimeSpan interval, DateTimeOffset now)
    {
        long period = interval.Ticks;
        long offset = (long)(Fnv(key) % (ulong)period);
        long t = now.UtcTicks - offset;
        long slot = t - ((t % period) + period) % period + offset;
        return new DateTimeOffset(slot, TimeSpan.Zero);
    }

    /// <summary>FNV-1a: the same offset for a name in every process (string.GetHashCode differs between runs).</summary>
    static ulong Fnv(string key)
    {
        ulong hash = 14695981039346656037;
        foreach (var c in key) { hash ^= c; hash *= 1099511628211; }
        return hash;
    }
}
