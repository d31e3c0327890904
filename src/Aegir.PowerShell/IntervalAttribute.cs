using System.Globalization;
using System.Management.Automation;

namespace Aegir.PowerShell;

/// <summary>
/// Gives back the interval a user typed when PowerShell read it as a number: unquoted, <c>90d</c> arrives as the
/// decimal 90 and <c>30s</c> as the short 30 (number suffixes), whereas <c>12h</c> or <c>4w</c> arrive as text.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class IntervalAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData) => AsText(inputData) ?? inputData;

    /// <summary>The interval as text ("90d"), or null for anything that is not one typed as a number.</summary>
    public static string? AsText(object inputData) => (inputData is PSObject ps ? ps.BaseObject : inputData) switch
    {
        decimal days when days == decimal.Truncate(days) && days >= 0 => days.ToString("0", CultureInfo.InvariantCulture) + "d",
        short seconds when seconds >= 0 => seconds.ToString(CultureInfo.InvariantCulture) + "s",
        string text => text.Trim(),
        _ => null,
    };
}
