namespace Aegir.Core.Services.PostgreSql;

/// <summary>Quoting for the statements PostgreSQL takes no parameters in (CREATE ROLE, CREATE DATABASE).</summary>
internal static class PgQuoting
{
    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    /// <summary>A string literal; with standard_conforming_strings (the default since 9.1) only quotes need doubling, and E'' covers the rest.</summary>
    public static string Literal(string value) => "E'" + value.Replace("\\", "\\\\").Replace("'", "''") + "'";
}
