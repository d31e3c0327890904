using System.Globalization;
using System.Management.Automation;
using Aegir.Core.Contexts;

namespace Aegir.PowerShell;

/// <summary>
/// Lets a DateTime parameter take an age as well: a TimeSpan, or "90d" (units s, m, h, d, w), meaning that long before
/// now. A date is passed on as it is. Unquoted, 90d and 30s reach a parameter that is not a string as the numbers
/// 90 (decimal) and 30 (short), PowerShell's number suffixes: they are read back as the ages typed.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PointInTimeAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        if (value is TimeSpan span) return DateTime.UtcNow - span;
        var text = value switch
        {
            decimal days when days == decimal.Truncate(days) && days >= 0 => days.ToString("0", CultureInfo.InvariantCulture) + "d",
            short seconds when seconds >= 0 => seconds.ToString(CultureInfo.InvariantCulture) + "s",
            string s => s.Trim(),
            _ => null,
        };
        if (text is null) return inputData;
        if (Interval.TryParse(text) is { } age) return DateTime.UtcNow - age;
        if (DateTime.TryParse(text, CultureInfo.CurrentCulture, DateTimeStyles.AllowWhiteSpaces, out var at)) return at;
        throw new ArgumentTransformationMetadataException($"'{text}' is neither a date nor an age: give a date (such as 2026-01-31), a TimeSpan (New-TimeSpan -Days 90), or an age as a number and a unit (s, m, h, d, w), such as 90d.");
    }
}
