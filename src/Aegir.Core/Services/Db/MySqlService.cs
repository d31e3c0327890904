using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Local;
using Aegir.Core.Tasks;
using MySqlConnector;

namespace Aegir.Core.Services.Db;

/// <summary>
/// MariaDB or MySQL through MySqlConnector: per site a database and a user with a generated password,
/// granted from the web server's hosts only. Credentials travel inside the connection, never on a
/// command line; statements that cannot take parameters get validated, quoted names.
/// </summary>
public sealed class MySqlService(AegirServer server)
{
    public AegirServer Server { get; } = server;

    /// <summary>Where PHP and this module reach the database.</summary>
    public string Host => Server.Db.Get("host") ?? Server.RemoteHost;
    public int Port => Server.Db.GetInt("port");

    MySqlConnection OpenAdmin(string? database = null)
    {
        var password = Server.Db.RevealSecret("admin_password");
        var builder = new MySqlConnectionStringBuilder
        {
            Server = Host,
            Port = (uint)Port,
            UserID = Server.Db.Get("admin_user"),
            Password = password ?? "",
            Database = database ?? "",
            ConnectionTimeout = 10,
            AllowUserVariables = false,
            CharacterSet = "utf8mb4",
        };
        var conn = new MySqlConnection(builder.ConnectionString);
        try { conn.Open(); }
        catch (MySqlException ex)
        {
            conn.Dispose();
            throw ErrorCatalog.DbUnreachable(Server.Name, Host, Port, ex.Message);
        }
        return conn;
    }

    /// <summary>Admin access, utf8mb4, and the right to create and drop databases and users.</summary>
    public void Verify(TaskContext ctx)
    {
        ctx.Secret(Server.Db.RevealSecret("admin_password"));
        ctx.Step($"Checking database admin access on '@{Server.Name}' ({Host}:{Port})", () =>
        {
            using var conn = OpenAdmin();
            ctx.Info($"Database server version {conn.ServerVersion}.");
            if (Scalar(conn, "SHOW CHARACTER SET LIKE 'utf8mb4'") is null)
                throw ErrorCatalog.StepFailed("Checking utf8mb4", "the server does not offer utf8mb4", "Use MariaDB 10.2 or MySQL 5.7 or later.");
            var probe = "aegir_verify_" + Passwords.New(6).ToLowerInvariant();
            Exec(conn, $"CREATE DATABASE {Sql.Identifier(probe)} CHARACTER SET utf8mb4");
            Exec(conn, $"CREATE USER {Sql.Account(probe, "127.0.0.1")} IDENTIFIED BY {Sql.Literal(Passwords.New())}");
            Exec(conn, $"GRANT ALL PRIVILEGES ON {Sql.Identifier(probe)}.* TO {Sql.Account(probe, "127.0.0.1")}");
            Exec(conn, $"DROP USER {Sql.Account(probe, "127.0.0.1")}");
            Exec(conn, $"DROP DATABASE {Sql.Identifier(probe)}");
        });
    }

    /// <summary>A database (and user) name from the uri, as Aegir derives it, free on this server and among <paramref name="taken"/>.</summary>
    public string FreeName(string uri, ISet<string> taken)
    {
        var host = uri.StartsWith("www.", StringComparison.Ordinal) ? uri[4..] : uri;
        var stem = new string(host.Where(c => char.IsAsciiLetterOrDigit(c)).ToArray());
        if (stem.Length == 0 || char.IsAsciiDigit(stem[0])) stem = "site" + stem;
        stem = stem.Length > 16 ? stem[..16] : stem;
        using var conn = OpenAdmin();
        for (int n = 1; ; n++)
        {
            var name = n == 1 ? stem : $"{stem}_{n}";
            if (taken.Contains(name)) continue;
            bool dbTaken = Scalar(conn, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = @n", ("@n", name)) is long c && c > 0;
            bool userTaken = Scalar(conn, "SELECT COUNT(*) FROM mysql.user WHERE User = @n", ("@n", name)) is long u && u > 0;
            if (!dbTaken && !userTaken) return name;
        }
    }

    /// <summary>Creates the site's database and its user for each host; the undo drops both.</summary>
    public void CreateSiteDatabase(TaskContext ctx, string name, string password, IReadOnlyList<string> hosts)
    {
        ctx.Secret(password);
        ctx.Step($"Creating database {name} and its user on '@{Server.Name}', granted to {string.Join(", ", hosts)}", () =>
        {
            using var conn = OpenAdmin();
            Exec(conn, $"CREATE DATABASE {Sql.Identifier(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
            try
            {
                foreach (var host in hosts)
                {
                    Exec(conn, $"CREATE USER {Sql.Account(name, host)} IDENTIFIED BY {Sql.Literal(password)}");
                    Exec(conn, $"GRANT ALL PRIVILEGES ON {Sql.Identifier(name)}.* TO {Sql.Account(name, host)}");
                }
            }
            catch
            {
                DropSiteDatabase(name, hosts);   // the step failed half way: leave nothing behind
                throw;
            }
        }, () => DropSiteDatabase(name, hosts));
    }

    /// <summary>Drops the database and every account of that user name (whatever hosts it was granted from).</summary>
    public void DropSiteDatabase(string name, IReadOnlyList<string>? hosts = null)
    {
        using var conn = OpenAdmin();
        Exec(conn, $"DROP DATABASE IF EXISTS {Sql.Identifier(name)}");
        var accounts = new List<string>();
        using (var cmd = new MySqlCommand("SELECT Host FROM mysql.user WHERE User = @n", conn))
        {
            cmd.Parameters.AddWithValue("@n", name);
            using var reader = cmd.ExecuteReader();
            while (reader.Read()) accounts.Add(reader.GetString(0));
        }
        foreach (var host in accounts.Union(hosts ?? [])) Exec(conn, $"DROP USER IF EXISTS {Sql.Account(name, host)}");
    }

    public bool DatabaseExists(string name)
    {
        using var conn = OpenAdmin();
        return Scalar(conn, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = @n", ("@n", name)) is long c && c > 0;
    }

    public IReadOnlyList<string> AccountHosts(string user)
    {
        using var conn = OpenAdmin();
        using var cmd = new MySqlCommand("SELECT Host FROM mysql.user WHERE User = @n ORDER BY Host", conn);
        cmd.Parameters.AddWithValue("@n", user);
        using var reader = cmd.ExecuteReader();
        var hosts = new List<string>();
        while (reader.Read()) hosts.Add(reader.GetString(0));
        return hosts;
    }

    /// <summary>Runs a read-only query on a site's database with the admin account (package state and the like).</summary>
    public List<object?[]> Query(string database, string sql, params (string Name, object Value)[] parameters)
    {
        using var conn = OpenAdmin(database);
        using var cmd = new MySqlCommand(sql, conn);
        foreach (var (n, v) in parameters) cmd.Parameters.AddWithValue(n, v);
        using var reader = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    static void Exec(MySqlConnection conn, string sql)
    {
        using var cmd = new MySqlCommand(sql, conn);
        cmd.ExecuteNonQuery();
    }

    static object? Scalar(MySqlConnection conn, string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = new MySqlCommand(sql, conn);
        foreach (var (n, v) in parameters) cmd.Parameters.AddWithValue(n, v);
        return cmd.ExecuteScalar();
    }
}
