using System.Globalization;
using Aegir.Core.Errors;

namespace Aegir.Core.Schedules;

/// <summary>The hours scheduled backups may start in, local time, such as "01:00-05:00" (it may span midnight: "22:00-04:00").</summary>
public sealed record BackupWindow(TimeOnly From, TimeOnly To)
{
    public static BackupWindow Parse(string text)
    {
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && TimeOnly.TryParseExact(parts[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
            && TimeOnly.TryParseExact(parts[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to) && from != to)
            return new BackupWindow(from, to);
        throw ErrorCatalog.InvalidValue("BackupWindow", text, "it is not a window of two different times", "Write it as 01:00-05:00 (local time; it may span midnight, as 22:00-04:00).");
    }

    public bool Contains(DateTimeOffset now)
    {
        var t = TimeOnly.FromDateTime(now.LocalDateTime);
        return From < To ? t >= From && t < To : t >= From || t < To;
    }

    public override string ToString() => $"{From:HH:mm}-{To:HH:mm}";
}
