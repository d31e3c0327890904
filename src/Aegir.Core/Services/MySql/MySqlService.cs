using System.Text;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.IO;
using Aegir.Core.Services.Http;
using Aegir.Core.Tasks;
using MySqlConnector;
using Q = Aegir.Core.Services.MySql.MySqlQuoting;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.MySql;

/// <summary>
/// MariaDB or MySQL through MySqlConnector; dumps and imports with the mariadb client tools on the database
/// server, their credentials in a private option file that is deleted after.
/// </summary>
[ServiceType]
public sealed class MySqlService(AegirServer server, IServiceEnvironment env) : IDbService
{
    public static ServiceTypeInfo Info { get; } = new(ServiceCatalog.Db, "mysql", "MariaDB or MySQL.",
        DbSettings.For("3306", "root", "An account that may create databases and users and grant to them."),
        (s, e) => new MySqlService(s, (IServiceEnvironment)e), dir => new LocalMariaDb(dir)) { Programs = ["mariadbd", "mysqld"], Accounts = ["mysql"] };

    static readonly string[] SystemDatabases = ["information_schema", "mysql", "performance_schema", "sys"];

    public AegirServer Server { get; } = server;
    public string Type => "mysql";
    public string Driver => "mysql";
    public string Host => Server.Db.Get("host") ?? Server.RemoteHost;
    public int Port => Server.Db.GetInt("port");
    string AdminUser => Server.Db.Get("admin_user") ?? "root";
    string AdminPassword => Server.Db.RevealSecret("admin_password") ?? "";

    MySqlConnection OpenAdmin(string? database = null)
    {
        var builder = new MySqlConnectionStringBuilder
        {
            Server = Host,
            Port = (uint)Port,
            UserID = AdminUser,
            Password = AdminPassword,
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

    public void Verify(TaskContext ctx)
    {
        ctx.Secret(AdminPassword);
        var probe = "aegir_verify_" + Passwords.New(6).ToLowerInvariant();
        ctx.Step($"Checking database admin access on '@{Server.Name}' ({Host}:{Port}): utf8mb4, and creating and dropping a database and a user", () =>
        {
            using var conn = OpenAdmin();
            ctx.Info($"Database server version {conn.ServerVersion}.");
            if (Scalar(conn, "SHOW CHARACTER SET LIKE 'utf8mb4'") is null)
                throw ErrorCatalog.StepFailed(ErrorIds.DbAdminInsufficient, "Checking utf8mb4", "the server does not offer utf8mb4", "Use MariaDB 10.2 or MySQL 5.7 or later.");
            Exec(conn, $"CREATE DATABASE {Q.Identifier(probe)} CHARACTER SET utf8mb4");
            Exec(conn, $"CREATE USER {Q.Account(probe, "127.0.0.1")} IDENTIFIED BY {Q.Literal(Passwords.New())}");
            Exec(conn, $"GRANT ALL PRIVILEGES ON {Q.GrantTarget(probe)} TO {Q.Account(probe, "127.0.0.1")}");
            Exec(conn, $"DROP USER {Q.Account(probe, "127.0.0.1")}");
            Exec(conn, $"DROP DATABASE {Q.Identifier(probe)}");
        }, JournalActions.DropDatabase(Server.Name, probe, probe));
    }

    public string ProposeName(string uri, ISet<string> taken) => DbNames.Propose(uri, taken);

    public bool DatabaseExists(string name)
    {
        using var conn = OpenAdmin();
        return Scalar(conn, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = @n", ("@n", name)) is long c && c > 0;
    }

    public bool UserExists(string user) => UserHosts(user).Count > 0;

    public bool NameInUse(string name)
    {
        using var conn = OpenAdmin();
        return Scalar(conn, "SELECT (SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = @n) + (SELECT COUNT(*) FROM mysql.user WHERE User = @n)", ("@n", name)) is long c && c > 0;
    }

    public void CreateDatabase(string name)
    {
        using var conn = OpenAdmin();
        try { Exec(conn, $"CREATE DATABASE {Q.Identifier(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); }
        catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.DatabaseCreateExists)
        {
            throw ErrorCatalog.DbNameTaken(Server.Name, name, "database");
        }
    }

    public void CreateUser(string user, string password, string database, IReadOnlyList<string> hosts)
    {
        using var conn = OpenAdmin();
        var made = new List<string>();
        try
        {
            foreach (var host in hosts)
            {
                Exec(conn, $"CREATE USER {Q.Account(user, host)} IDENTIFIED BY {Q.Literal(password)}");
                made.Add(host);
                Exec(conn, $"GRANT ALL PRIVILEGES ON {Q.GrantTarget(database)} TO {Q.Account(user, host)}");
            }
        }
        catch (MySqlException ex)
        {
            foreach (var host in made) Exec(conn, $"DROP USER IF EXISTS {Q.Account(user, host)}");   // leave nothing half made
            if (ex.ErrorCode == MySqlErrorCode.CannotUser && made.Count == 0) throw ErrorCatalog.DbNameTaken(Server.Name, user, "user");
            throw;
        }
    }

    public void EnsureUser(string user, string password, string database, IReadOnlyList<string> hosts)
    {
        var others = UserHosts(user).Except(hosts).ToList();
        using var conn = OpenAdmin();
        foreach (var host in hosts)
        {
            Exec(conn, $"CREATE USER IF NOT EXISTS {Q.Account(user, host)} IDENTIFIED BY {Q.Literal(password)}");
            Exec(conn, $"ALTER USER {Q.Account(user, host)} IDENTIFIED BY {Q.Literal(password)}");
            // An account that holds its own database only is left so: revoked and granted again, the site's requests
            // in between (a verify runs while it serves) would be refused.
            if (OwnDatabaseOnly(Column($"SHOW GRANTS FOR {Q.Account(user, host)}"), database)) continue;
            // Whatever the account held before (a wildcard grant, another database) goes: it gets its own database only.
            Exec(conn, $"REVOKE ALL PRIVILEGES, GRANT OPTION FROM {Q.Account(user, host)}");
            Exec(conn, $"GRANT ALL PRIVILEGES ON {Q.GrantTarget(database)} TO {Q.Account(user, host)}");
        }
        foreach (var host in others) Exec(conn, $"DROP USER IF EXISTS {Q.Account(user, host)}");
    }

    /// <summary>Whether an account's grants (SHOW GRANTS) are its login and all rights on its own database, and nothing more.</summary>
    internal static bool OwnDatabaseOnly(IReadOnlyList<string> grants, string database)
        => grants.Count == 2 && grants.Count(g => g.StartsWith("GRANT USAGE ON *.* TO ", StringComparison.Ordinal) && !g.Contains(" WITH ", StringComparison.Ordinal)) == 1
           && grants.Count(g => g.StartsWith($"GRANT ALL PRIVILEGES ON {Q.GrantTarget(database)} TO ", StringComparison.Ordinal) && !g.Contains(" WITH ", StringComparison.Ordinal)) == 1;

    public IReadOnlyList<GrantDifference> GrantDrift(string user, string database, IReadOnlyList<string> hosts)
        => MySqlGrants.Compare(user, database, hosts,
            UserHosts(user).ToDictionary(h => h, h => (IReadOnlyList<string>)Column($"SHOW GRANTS FOR {Q.Account(user, h)}"), StringComparer.Ordinal))
            .Concat(MySqlGrants.Others(database, OtherHolders(user, database).ToDictionary(a => a, a => (IReadOnlyList<string>)Column($"SHOW GRANTS FOR {Q.Account(a.User, a.Host)}"))))
            .ToList();

    /// <summary>
    /// The accounts other than the site's and the module's admin holding rights on the site's database or its tables
    /// (a database-level grant's name is a LIKE pattern, so one on `site%` counts too).
    /// </summary>
    List<(string User, string Host)> OtherHolders(string user, string database)
    {
        using var conn = OpenAdmin();
        // A table grant's database name is literal, not a pattern.
        using var cmd = new MySqlCommand("SELECT DISTINCT User, Host FROM (SELECT User, Host FROM mysql.db WHERE @d LIKE Db UNION SELECT User, Host FROM mysql.tables_priv WHERE Db = @d) g " +
                                         "WHERE g.User NOT IN (@u, @a) ORDER BY User, Host", conn);
        cmd.Parameters.AddWithValue("@d", database);
        cmd.Parameters.AddWithValue("@u", user);
        cmd.Parameters.AddWithValue("@a", AdminUser);
        return DbSettings.Rows(cmd).Select(r => (Convert.ToString(r[0])!, Convert.ToString(r[1])!)).ToList();
    }

    public bool CanConnect(string database, string user, string password)
    {
        var builder = new MySqlConnectionStringBuilder
        {
            Server = Host, Port = (uint)Port, UserID = user, Password = password, Database = database, ConnectionTimeout = 10, Pooling = false,
        };
        try
        {
            using var conn = new MySqlConnection(builder.ConnectionString);
            conn.Open();
            return true;
        }
        catch (MySqlException) { return false; }
    }

    public void DropDatabase(string name)
    {
        using var conn = OpenAdmin();
        Exec(conn, $"DROP DATABASE IF EXISTS {Q.Identifier(name)}");
    }

    public void DropUser(string user)
    {
        var hosts = UserHosts(user);
        if (hosts.Count == 0) return;
        using var conn = OpenAdmin();
        foreach (var host in hosts) Exec(conn, $"DROP USER IF EXISTS {Q.Account(user, host)}");
    }

    public IReadOnlyList<string> ListDatabases()
        => Column("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME").Where(n => !SystemDatabases.Contains(n)).ToList();

    public IReadOnlyList<string> UserHosts(string user)
        => Column("SELECT Host FROM mysql.user WHERE User = @n ORDER BY Host", ("@n", user));

    /// <summary>As the admin, on the database server; the password in the tool's environment, which only it and root can read.</summary>
    public (string Program, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment) SqlClient(SiteDatabase site)
        => ("mariadb", ["--no-defaults", "--batch", "--local-infile=0", $"--host={site.Host}", $"--port={site.Port}", $"--user={site.User}",
            "--default-character-set=utf8mb4", "--column-names", site.Name], new Dictionary<string, string> { ["MYSQL_PWD"] = site.Password });

    public void Dump(AegirServer from, SiteDatabase site, Stream output)
    {
        var transport = env.Connect(from);
        // --no-tablespaces: listing them needs PROCESS, a right no site's account holds.
        var spec = new CommandSpec("mariadb-dump", ["--no-defaults", $"--host={site.Host}", $"--port={site.Port}", $"--user={site.User}",
            "--single-transaction", "--no-tablespaces", "--routines", "--triggers", "--events", "--hex-blob", "--default-character-set=utf8mb4", "--", site.Name])
        {
            OutputStream = output, Timeout = TimeSpan.FromHours(6), InheritEnvironment = false,
            Environment = DbClient.SiteEnvironment("MYSQL_PWD", site.Password),
        };
        DbClient.Run(transport, DbClient.AsScriptUser(transport, from, spec), site.Password,
            $"Dumping database {site.Name} as its own account", $"Check that mariadb-dump is installed on '@{from.Name}' and that the site's account reaches {site.Host}:{site.Port} and reads its database (the site's own code may have broken a table or view).");
    }

    /// <summary>
    /// As the site's own account, from <paramref name="from"/> (the web server it is granted to), by the client run as
    /// the server's script user (never root) in its sandbox (no shell, no files, no other connection: <c>--sandbox --binary-mode</c>),
    /// with LOAD DATA LOCAL shut. The account may touch its own database only and holds no FILE right, so whatever
    /// the dump says reaches nothing else.
    /// </summary>
    public void Import(AegirServer from, SiteDatabase site, Stream input)
    {
        var transport = env.Connect(from);
        var spec = new CommandSpec("mariadb", ["--no-defaults", "--sandbox", "--binary-mode", "--local-infile=0",
            $"--host={site.Host}", $"--port={site.Port}", $"--user={site.User}", "--default-character-set=utf8mb4", site.Name])
        {
            // What the dump's statements print (a SELECT of any size) is nobody's to keep.
            InputStream = new DumpLineFilter(input, new MySqlDumpRules()), OutputStream = Stream.Null, Timeout = TimeSpan.FromHours(6), InheritEnvironment = false,
            Environment = DbClient.SiteEnvironment("MYSQL_PWD", site.Password),
        };
        var result = transport.Run(DbClient.AsScriptUser(transport, from, spec));
        DbClient.Loaded(result, site.Name, site.Password, $"Loading the dump into database {site.Name} as its own account",
            $"Check that the mariadb client (MariaDB 10.5.25, 10.6.18, 10.11.8 or later: it has --sandbox) is installed on '@{from.Name}' and reaches {site.Host}:{site.Port}.");
    }

    /// <summary>Makes (or resets) an admin account that may do everything, for each host: a local server's, over its root socket.</summary>
    public static void EnsureAdmin(MySqlConnection conn, string user, string password, IReadOnlyList<string> hosts)
    {
        foreach (var host in hosts)
        {
            Exec(conn, $"CREATE USER IF NOT EXISTS {Q.Account(user, host)} IDENTIFIED BY {Q.Literal(password)}");
            Exec(conn, $"ALTER USER {Q.Account(user, host)} IDENTIFIED BY {Q.Literal(password)}");
            Exec(conn, $"GRANT ALL PRIVILEGES ON *.* TO {Q.Account(user, host)} WITH GRANT OPTION");
        }
    }

    /// <summary>
    /// Leaves root one way in: the unix socket, as the system's root (and <paramref name="socketUser"/>, when that is
    /// another system user, the same way). Drops root's network accounts and anonymous accounts.
    /// </summary>
    public static void RestrictRootToSocket(MySqlConnection conn, string socketUser)
    {
        if (socketUser != "root")
        {
            Exec(conn, $"CREATE USER IF NOT EXISTS {MySqlQuoting.Literal(socketUser)}@'localhost' IDENTIFIED VIA unix_socket");
            Exec(conn, $"GRANT ALL PRIVILEGES ON *.* TO {MySqlQuoting.Literal(socketUser)}@'localhost' WITH GRANT OPTION");
        }
        var open = new List<(string User, string Host)>();
        using (var cmd = new MySqlCommand("SELECT User, Host FROM mysql.user WHERE (User = 'root' AND Host <> 'localhost') OR User = ''", conn))
        using (var reader = cmd.ExecuteReader())
            while (reader.Read()) open.Add((reader.GetString(0), reader.GetString(1)));
        foreach (var (user, host) in open)
            Exec(conn, $"DROP USER {MySqlQuoting.Literal(user)}@{MySqlQuoting.Literal(host)}");
        Exec(conn, "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket");
    }

    public string? TableCollation(string database, string table)
    {
        using var conn = OpenAdmin();
        return Scalar(conn, "SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = @db AND TABLE_NAME = @t", ("@db", database), ("@t", table)) as string;
    }

    /// <summary>From information_schema, which lists a view without running it.</summary>
    public IReadOnlyList<string> Tables(SiteDatabase site)
        => Column("SELECT table_name FROM information_schema.tables WHERE table_schema = @db ORDER BY table_name", ("@db", site.Name));

    public IReadOnlyList<object?[]> Query(SiteDatabase site, string sql)
    {
        var builder = new MySqlConnectionStringBuilder
        {
            Server = site.Host, Port = (uint)site.Port, UserID = site.User, Password = site.Password, Database = site.Name,
            ConnectionTimeout = 10, AllowUserVariables = false, CharacterSet = "utf8mb4", AllowLoadLocalInfile = false,
        };
        using var conn = new MySqlConnection(builder.ConnectionString);
        conn.Open();
        using var cmd = new MySqlCommand(sql, conn);
        return DbSettings.Rows(cmd);
    }

    public long DatabaseSize(string database)
    {
        using var conn = OpenAdmin();
        using var cmd = new MySqlCommand("SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables WHERE table_schema = @db", conn);
        cmd.Parameters.AddWithValue("@db", database);
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    List<string> Column(string sql, params (string Name, object Value)[] parameters)
    {
        using var conn = OpenAdmin();
        using var cmd = new MySqlCommand(sql, conn);
        foreach (var (n, v) in parameters) cmd.Parameters.AddWithValue(n, v);
        using var reader = cmd.ExecuteReader();
        var values = new List<string>();
        while (reader.Read()) values.Add(reader.GetString(0));
        return values;
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
