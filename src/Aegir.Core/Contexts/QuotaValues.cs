using System.Globalization;
using System.Text.RegularExpressions;
using Aegir.Core.Errors;

namespace Aegir.Core.Contexts;

/// <summary>
/// The values of a client's quota: a number of sites, and a disk size. Sizes count in binary units (1KB = 1024
/// bytes), as PowerShell's 2GB does, so <c>-DiskQuota 2GB</c> means the same quoted or not.
/// </summary>
public static partial class QuotaValues
{
    /// <summary>The most a quota may say: 1 PB (a bigger one is a typing mistake, and it keeps sums in a long).</summary>
    public const long MaxDiskBytes = 1L << 50;

    static readonly (string Unit, int Shift)[] Units = [("PB", 50), ("TB", 40), ("GB", 30), ("MB", 20), ("KB", 10)];

    /// <summary>A number of sites: a whole number, 0 or more; 0 (or nothing) is no limit, returned as null.</summary>
    public static int? SiteCount(string parameter, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = value.Trim();
        if (!WholeNumber().IsMatch(text) || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            throw ErrorCatalog.InvalidValue(parameter, value, "it is not a whole number of sites, 0 or more",
                $"Give how many sites the client may have, such as -{parameter} 10 (0 for no limit).");
        return count == 0 ? null : count;
    }

    /// <summary>A disk size such as 2GB, 500MB or a number of bytes; 0 (or nothing) is no limit, returned as null.</summary>
    public static long? DiskSize(string parameter, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        const string fix = "Give a size such as 2GB, 500MB or 750KB (whole numbers; KB, MB, GB, TB count in 1024s), or 0 for no limit.";
        var match = Size().Match(value.Trim());
        if (!match.Success) throw ErrorCatalog.InvalidValue(parameter, value, "it is not a size", fix);
        var unit = match.Groups[2].Value.ToUpperInvariant().TrimEnd('B');
        int shift = unit.Length == 0 ? 0 : Units.First(u => u.Unit[0] == unit[0]).Shift;
        if (!long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > MaxDiskBytes >> shift)
            throw ErrorCatalog.InvalidValue(parameter, value, "it is more than 1PB", fix);
        var bytes = number << shift;
        return bytes == 0 ? null : bytes;
    }

    /// <summary>A size as a person reads it: in the largest unit it is a whole number of (2GB), else to one decimal (1.4GB).</summary>
    public static string Format(long bytes)
    {
        foreach (var (unit, shift) in Units)
        {
            if (bytes < 1L << shift) continue;
            if (bytes % (1L << shift) == 0) return (bytes >> shift).ToString(CultureInfo.InvariantCulture) + unit;
            return (bytes / (double)(1L << shift)).ToString("0.0", CultureInfo.InvariantCulture) + unit;
        }
        return bytes.ToString(CultureInfo.InvariantCulture) + "B";
    }

    /// <summary>A size as written to a client's record: exact, in the largest unit it is a whole number of.</summary>
    public static string Exact(long bytes)
    {
        foreach (var (unit, shift) in Units)
            if (bytes >= 1L << shift && bytes % (1L << shift) == 0) return (bytes >> shift).ToString(CultureInfo.InvariantCulture) + unit;
        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^[0-9]{1,10}\\z")] private static partial Regex WholeNumber();
    [GeneratedRegex("^([0-9]{1,16})\\s*((?:[kKmMgGtTpP][bB]?)|[bB])?\\z")] private static partial Regex Size();
}
