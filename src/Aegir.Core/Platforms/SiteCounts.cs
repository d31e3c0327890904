using Aegir.Core.Services;
using Aegir.Core.Services.Http;
using Aegir.Core.Transport;

namespace Aegir.Core.Platforms;

/// <summary>
/// A site's numbers as its application keeps them: users (and those seen in the last 30 days, where it records
/// that), published posts or nodes, approved comments. Null where the application has no such thing.
/// </summary>
public sealed record SiteCounts(long? Users, long? ActiveUsers, long? Posts, long? Comments)
{
    /// <summary>The first column of the first row as a number, or null when the query fails (a table the site does not have).</summary>
    internal static long? Scalar(IDbService db, SiteDatabase database, string sql)
    {
        try { return db.Query(database, sql) is [var row, ..] && row.Length > 0 && row[0] is { } v ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : null; }
        catch (Exception ex) when (ex is Errors.AegirException or System.Data.Common.DbException or FormatException or InvalidCastException) { return null; }
    }
}
