using Aegir.Core.Contexts;

namespace Aegir.Core.Services;

/// <summary>The settings every database service type declares: where it listens and the admin account the module uses.</summary>
internal static class DbSettings
{
    public static IReadOnlyList<ServiceSetting> For(string port, string adminUser, string adminDescription) =>
    [
        new("host", SettingKind.Host, null, "Where the database listens; the server's remote host when unset."),
        new("port", SettingKind.Port, port, "The database port."),
        new("admin_user", SettingKind.Text, adminUser, adminDescription),
        new("admin_password", SettingKind.Secret, null, "The admin account's password (kept only in the 0600 context file)."),
    ];

    /// <summary>Every row of a query, each value as the driver gives it (null for SQL NULL).</summary>
    public static IReadOnlyList<object?[]> Rows(System.Data.Common.DbCommand command)
    {
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }
}
