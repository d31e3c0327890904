using System.Globalization;
using System.Management.Automation;
using Aegir.Core.Contexts;

namespace Aegir.PowerShell;

/// <summary>
/// Lets a DateTime parameter take an age as well: a TimeSpan, or "90d" (units s, m, h, d, w, quoted or not), meaning
/// that long before now. A date is passed on as it is.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PointInTimeAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        if ((inputData is PSObject ps ? ps.BaseObject : inputData) is TimeSpan span) return DateTime.UtcNow - span;
        if (IntervalAttribute.AsText(inputData) is not { } text) return inputData;
        if (Interval.TryParse(text) is { } age) return DateTime.UtcNow - age;
        if (DateTime.TryParse(text, CultureInfo.CurrentCulture, DateTimeStyles.AllowWhiteSpaces, out var at)) return at;
        throw new ArgumentTransformationMetadataException($"'{text}' is neither a date nor an age: give a date (such as 2026-01-31), a TimeSpan (New-TimeSpan -Days 90), or an age as a number and a unit (s, m, h, d, w), such as 90d.");
    }
}
