using Aegir.Core.Errors;

namespace Aegir.Core.Local;

/// <summary>Quoting for the statements that cannot take parameters (CREATE USER, GRANT, CREATE DATABASE).</summary>
public static class Sql
{
    /// <summary>A string literal: backslash and quote escaped, and no control characters at all.</summary>
    public static string Literal(string value)
    {
        if (value.Any(char.IsControl)) throw ErrorCatalog.InvalidValue("SQL value", "********", "it contains control characters", "Use printable characters only.");
        return "'" + value.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
    }

    /// <summary>A database or user name: validated to [a-z0-9_], then back-quoted.</summary>
    public static string Identifier(string name)
    {
        if (name.Length is 0 or > 64 || name.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')))
            throw ErrorCatalog.InvalidValue("Database name", name, "it may hold only lowercase letters, digits and underscores, at most 64", "This is a bug: database names are derived from the uri.");
        return "`" + name + "`";
    }

    /// <summary>A user account: 'name'@'host' with both parts validated.</summary>
    public static string Account(string user, string host)
    {
        Identifier(user);
        if (host.Length is 0 or > 255 || host.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '%' or '_')))
            throw ErrorCatalog.InvalidValue("Database host", host, "it is not a host name or address", "Give a host name or IP address.");
        return $"'{user}'@'{host}'";
    }
}
