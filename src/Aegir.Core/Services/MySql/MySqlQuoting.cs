using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Services.MySql;

/// <summary>Quoting for the MySQL statements that cannot take parameters (CREATE USER, GRANT, CREATE DATABASE).</summary>
public static class MySqlQuoting
{
    /// <summary>A string literal: backslash and quote escaped, and no control characters at all.</summary>
    public static string Literal(string value)
    {
        if (value.Any(char.IsControl)) throw ErrorCatalog.InvalidValue("SQL value", "********", "it contains control characters", "Use printable characters only.");
        return "'" + value.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
    }

    /// <summary>A database or user name: validated to [a-z0-9_], then back-quoted.</summary>
    public static string Identifier(string name) => "`" + Validate.DbIdentifier("Database name", name) + "`";

    /// <summary>
    /// The `db`.* of a GRANT: '_' is a wildcard there, so site_1 would also grant site11 (another
    /// site's database); it is escaped to match the one name only.
    /// </summary>
    public static string GrantTarget(string database) => Identifier(database).Replace("_", "\\_") + ".*";

    /// <summary>A user account: 'name'@'host' with both parts validated.</summary>
    public static string Account(string user, string host)
    {
        Validate.DbIdentifier("Database user", user);
        if (host.Length is 0 or > 255 || host.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '%' or '_')))
            throw ErrorCatalog.InvalidValue("Database host", host, "it is not a host name or address", "Give a host name or IP address.");
        return $"'{user}'@'{host}'";
    }
}
