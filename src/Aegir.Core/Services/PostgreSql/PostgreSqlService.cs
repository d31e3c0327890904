using System.Text;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.IO;
using Aegir.Core.Machine;
using Aegir.Core.Services.Http;
using Aegir.Core.Tasks;
using Npgsql;
using Q = Aegir.Core.Services.PostgreSql.PgQuoting;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.PostgreSql;

/// <summary>
/// PostgreSQL through Npgsql: per site a database owned by a login role of the same name that only it may connect
/// to, and lines in pg_hba.conf that let that role in from its web server's hosts only. Passwords are set as
/// SCRAM verifiers; dumps and imports run pg_dump and psql on the database server with a private password file.
/// </summary>
[ServiceType]
public sealed class PostgreSqlService(AegirServer server, IServiceEnvironment env) : IDbService
{
    public static ServiceTypeInfo Info { get; } = new(ServiceCatalog.Db, "postgresql", "PostgreSQL.",
        DbSettings.For("5432", "postgres", "A superuser: it reads pg_hba.conf's rules through the server and reloads them."),
        (s, e) => new PostgreSqlService(s, (IServiceEnvironment)e), dir => new LocalPostgreSql(dir)) { Programs = ["postgres"], Accounts = ["postgres"] };

    static readonly string[] SystemDatabases = ["postgres", "template0", "template1"];

    public AegirServer Server { get; } = server;
    public string Type => "postgresql";
    public string Driver => "pgsql";
    public string Host => Server.Db.Get("host") ?? Server.RemoteHost;
    public int Port => Server.Db.GetInt("port");
    string AdminUser => Server.Db.Get("admin_user") ?? "postgres";
    string AdminPassword => Server.Db.RevealSecret("admin_password") ?? "";

    /// <summary>Unpooled: a pooled connection left open on a site's database would stop its DROP DATABASE.</summary>
    string ConnectionString(string database, string user, string password) => new NpgsqlConnectionStringBuilder
    {
        Host = Host, Port = Port, Username = user, Password = password, Database = database, Timeout = 10, Pooling = false,
    }.ConnectionString;

    /// <summary>
    /// The admin, always in the server's own postgres database and with pg_catalog alone on its search path: it never
    /// connects into a site's database, where the site's role could have left a function or an operator that would
    /// then run as the superuser (what a site reads of its own goes through <see cref="Query"/> as its own role).
    /// </summary>
    NpgsqlConnection OpenAdmin()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString("postgres", AdminUser, AdminPassword)) { SearchPath = "pg_catalog" };
        var conn = new NpgsqlConnection(builder.ConnectionString);
        try { conn.Open(); }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
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
        ctx.Step($"Checking database admin access on '@{Server.Name}' ({Host}:{Port}): a superuser, its pg_hba.conf within reach, and creating and dropping a database and a role", () =>
        {
            using var conn = OpenAdmin();
            ctx.Info($"Database server version PostgreSQL {conn.PostgreSqlVersion}.");
            if (Scalar(conn, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user") is not true)
                throw ErrorCatalog.StepFailed(ErrorIds.DbAdminInsufficient, "Checking the PostgreSQL admin account", $"{AdminUser} is no superuser, so it cannot read pg_hba.conf's rules or reload them",
                    $"Give the server an admin account that is a superuser (Set-AegirServer {Server.Name} -DbSetting @{{admin_user = 'postgres'}}).");
            var hba = HbaFile(conn);
            if (env.Connect(Server).ReadFile(hba) is null)
                throw ErrorCatalog.StepFailed(ErrorIds.DbAccessRulesUnreadable, "Reading pg_hba.conf", $"{hba} cannot be read on '@{Server.Name}'", "Run the module as root on the database server, or as the account that owns PostgreSQL's config.");
            Exec(conn, $"CREATE DATABASE {Q.Identifier(probe)} ENCODING 'UTF8' TEMPLATE template0");
            Exec(conn, $"CREATE ROLE {Q.Identifier(probe)} LOGIN PASSWORD {Q.Literal(ScramVerifier.For(Passwords.New()))}");
            Exec(conn, $"DROP DATABASE {Q.Identifier(probe)}");
            Exec(conn, $"DROP ROLE {Q.Identifier(probe)}");
        }, JournalActions.DropDatabase(Server.Name, probe, probe));
    }

    public string ProposeName(string uri, ISet<string> taken) => DbNames.Propose(uri, taken);

    public bool DatabaseExists(string name)
    {
        using var conn = OpenAdmin();
        return Scalar(conn, "SELECT COUNT(*) FROM pg_database WHERE datname = @n", ("n", name)) is long c && c > 0;
    }

    public bool UserExists(string user)
    {
        using var conn = OpenAdmin();
        return Scalar(conn, "SELECT COUNT(*) FROM pg_roles WHERE rolname = @n", ("n", user)) is long c && c > 0;
    }

    public bool NameInUse(string name)
    {
        using var conn = OpenAdmin();
        return Scalar(conn, "SELECT (SELECT COUNT(*) FROM pg_database WHERE datname = @n) + (SELECT COUNT(*) FROM pg_roles WHERE rolname = @n)", ("n", name)) is long c && c > 0;
    }

    public void CreateDatabase(string name)
    {
        using var conn = OpenAdmin();
        try { Exec(conn, $"CREATE DATABASE {Q.Identifier(name)} ENCODING 'UTF8' TEMPLATE template0"); }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            throw ErrorCatalog.DbNameTaken(Server.Name, name, "database");
        }
        // No other role may connect to it: PUBLIC has CONNECT on a new database.
        Exec(conn, $"REVOKE ALL ON DATABASE {Q.Identifier(name)} FROM PUBLIC");
    }

    public void CreateUser(string user, string password, string database, IReadOnlyList<string> hosts)
    {
        using (var conn = OpenAdmin())
        {
            try { Exec(conn, $"CREATE ROLE {Q.Identifier(user)} LOGIN PASSWORD {Q.Literal(ScramVerifier.For(password))}"); }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateObject)
            {
                throw ErrorCatalog.DbNameTaken(Server.Name, user, "role");
            }
            try { Grant(conn, user, database); }
            catch
            {
                Exec(conn, $"DROP ROLE IF EXISTS {Q.Identifier(user)}");   // leave nothing half made
                throw;
            }
        }
        ChangeAccess(sites => sites[user] = (database, hosts.ToList()));
    }

    /// <summary>The role owns its database (and so its public schema) and may connect to it; nobody else may.</summary>
    static void Grant(NpgsqlConnection conn, string user, string database)
    {
        Exec(conn, $"ALTER DATABASE {Q.Identifier(database)} OWNER TO {Q.Identifier(user)}");
        Exec(conn, $"REVOKE ALL ON DATABASE {Q.Identifier(database)} FROM PUBLIC");
        Exec(conn, $"GRANT ALL ON DATABASE {Q.Identifier(database)} TO {Q.Identifier(user)}");
    }

    public void EnsureUser(string user, string password, string database, IReadOnlyList<string> hosts)
    {
        using (var conn = OpenAdmin())
        {
            var verifier = Q.Literal(ScramVerifier.For(password));
            if (Scalar(conn, "SELECT COUNT(*) FROM pg_roles WHERE rolname = @n", ("n", user)) is long c && c > 0)
            {
                // Whatever else it was given goes (as MariaDB's accounts lose it): powers, memberships, rights on other databases.
                Exec(conn, $"ALTER ROLE {Q.Identifier(user)} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS LOGIN PASSWORD {verifier}");
                foreach (var role in Column(conn, $"SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = {Q.Literal(user)}"))
                    Exec(conn, $"REVOKE {Q.Identifier(role)} FROM {Q.Identifier(user)}");
                foreach (var other in Column(conn, $"SELECT DISTINCT d.datname FROM pg_database d, aclexplode(d.datacl) a WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = {Q.Literal(user)}) AND d.datname <> {Q.Literal(database)}"))
                    Exec(conn, $"REVOKE ALL ON DATABASE {Q.Identifier(other)} FROM {Q.Identifier(user)}");
            }
            else
                Exec(conn, $"CREATE ROLE {Q.Identifier(user)} LOGIN PASSWORD {verifier}");
            Grant(conn, user, database);
        }
        ChangeAccess(sites => sites[user] = (database, hosts.ToList()));
    }

    public IReadOnlyList<GrantDifference> GrantDrift(string user, string database, IReadOnlyList<string> hosts)
    {
        PgRoleFacts facts;
        using (var conn = OpenAdmin())
        {
            IReadOnlyList<object?[]> Rows(string sql)
            {
                using var cmd = new NpgsqlCommand(sql, conn);
                cmd.Parameters.AddWithValue("u", user);
                cmd.Parameters.AddWithValue("d", database);
                return DbSettings.Rows(cmd);
            }
            var role = Rows("SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = @u").FirstOrDefault();
            string[] powers = ["SUPERUSER", "CREATEDB", "CREATEROLE", "REPLICATION", "BYPASSRLS"];
            facts = new PgRoleFacts(
                Rows("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = @d").FirstOrDefault()?[0] as string,
                // Default rights count as given: a database whose rights were never set lets PUBLIC connect.
                Rows("SELECT d.datname, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type FROM pg_database d, " +
                     "aclexplode(COALESCE(d.datacl, acldefault('d', d.datdba))) a WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = @u) " +
                     // Other roles with rights on the site's database count too; its owner and superusers hold them anyway.
                     "OR (d.datname = @d AND (a.grantee = 0 OR (a.grantee <> d.datdba AND NOT (SELECT rolsuper FROM pg_roles WHERE oid = a.grantee))))")
                    .Select(r => ((string)r[0]!, (string)r[1]!, (string)r[2]!)).ToList(),
                role is not null && (bool)role[0]!,
                role is null ? null : powers.Where((_, i) => (bool)role[i + 1]!).ToList(),
                Rows("SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = @u ORDER BY 1").Select(r => (string)r[0]!).ToList(),
                Rows("SELECT datname FROM pg_database WHERE pg_get_userbyid(datdba) = @u AND datname <> @d ORDER BY 1").Select(r => (string)r[0]!).ToList(),
                []);
        }
        return PgGrants.Compare(user, database, hosts, facts with { HbaHosts = UserHosts(user) });
    }

    public bool CanConnect(string database, string user, string password)
    {
        try
        {
            using var conn = new NpgsqlConnection(ConnectionString(database, user, password));
            conn.Open();
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException) { return false; }
    }

    public void DropDatabase(string name)
    {
        using var conn = OpenAdmin();
        Exec(conn, $"DROP DATABASE IF EXISTS {Q.Identifier(name)} WITH (FORCE)");
    }

    public void DropUser(string user)
    {
        ChangeAccess(sites => sites.Remove(user));
        using var conn = OpenAdmin();
        Exec(conn, $"DROP ROLE IF EXISTS {Q.Identifier(user)}");
    }

    public IReadOnlyList<string> ListDatabases()
    {
        using var conn = OpenAdmin();
        return Column(conn, "SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY datname").Where(n => !SystemDatabases.Contains(n)).ToList();
    }

    public IReadOnlyList<string> UserHosts(string user)
    {
        using var conn = OpenAdmin();
        var text = env.Connect(Server).ReadFile(HbaFile(conn)) is { } bytes ? Encoding.UTF8.GetString(bytes) : "";
        return PgHba.Read(text).TryGetValue(user, out var entry) ? entry.Hosts : [];
    }

    /// <summary>PostgreSQL keeps one encoding per database, none per table.</summary>
    public string? TableCollation(string database, string table) => null;

    /// <summary>As the site's own role, which owns them: the admin never connects into a site's database.</summary>
    public IReadOnlyList<string> Tables(SiteDatabase site)
    {
        using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString(site.Name, site.User, site.Password)) { SearchPath = "pg_catalog" }.ConnectionString);
        conn.Open();
        return Column(conn, "SELECT table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE' ORDER BY table_name");
    }

    public IReadOnlyList<object?[]> Query(SiteDatabase site, string sql)
    {
        using var conn = new NpgsqlConnection(ConnectionString(site.Name, site.User, site.Password));
        conn.Open();
        using var cmd = new NpgsqlCommand(sql, conn);
        return DbSettings.Rows(cmd);
    }

    /// <summary>From the server's own database, by the site's database's name.</summary>
    public long DatabaseSize(string database)
    {
        using var conn = OpenAdmin();
        using var cmd = new NpgsqlCommand("SELECT pg_catalog.pg_database_size(@n)", conn);
        cmd.Parameters.AddWithValue("n", database);
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>As the admin, on the database server; the password in the tool's environment, which only it and root can read.</summary>
    public (string Program, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment) SqlClient(SiteDatabase site)
        => ("psql", ["-X", "--no-password", "-v", "ON_ERROR_STOP=1", "--no-align", "--field-separator=\t", "--host", site.Host, "--port", site.Port.ToString(),
            "--username", site.User, "--dbname", site.Name, "--file=-"], new Dictionary<string, string> { ["PGPASSWORD"] = site.Password });

    public void Dump(AegirServer from, SiteDatabase site, Stream output)
    {
        var transport = env.Connect(from);
        var spec = new CommandSpec("pg_dump", ["--host", site.Host, "--port", site.Port.ToString(), "--username", site.User, "--no-password",
            "--no-owner", "--no-privileges", "--format=plain", "--dbname", site.Name])
        {
            OutputStream = output, Timeout = TimeSpan.FromHours(6), InheritEnvironment = false,
            Environment = DbClient.SiteEnvironment("PGPASSWORD", site.Password),
        };
        DbClient.Run(transport, DbClient.AsScriptUser(transport, from, spec), site.Password,
            $"Dumping database {site.Name} as its own role", $"Check that pg_dump is installed on '@{from.Name}' and that the site's role reaches {site.Host}:{site.Port} and reads its database (the site's own code may have broken a table or view).");
    }

    /// <summary>
    /// As the site's own role (it owns its database and nothing else, and is no superuser), from <paramref name="from"/>
    /// (the web server pg_hba.conf lets it in from), by psql run as the server's script user (never root) in restricted mode: no
    /// backslash command of the dump's is run (<see cref="PgDumpRules"/>), so no shell, file or other connection.
    /// </summary>
    public void Import(AegirServer from, SiteDatabase site, Stream input)
    {
        var transport = env.Connect(from);
        var spec = new CommandSpec("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "--host", site.Host, "--port", site.Port.ToString(),
            "--username", site.User, "--no-password", "--dbname", site.Name, "-f", "-"])
        {
            // What the dump's statements print (a SELECT of any size) is nobody's to keep.
            InputStream = new DumpLineFilter(input, new PgDumpRules()), OutputStream = Stream.Null, Timeout = TimeSpan.FromHours(6), InheritEnvironment = false,
            Environment = DbClient.SiteEnvironment("PGPASSWORD", site.Password),
        };
        var result = transport.Run(DbClient.AsScriptUser(transport, from, spec));
        if (!result.Succeeded && result.StandardError.Contains("invalid command \\restrict", StringComparison.Ordinal))
            throw ErrorCatalog.StepFailed(ErrorIds.DbToolFailed, $"Loading the dump into database {site.Name}", $"psql on '@{from.Name}' has no restricted mode, so it could run the dump's backslash commands",
                "Install a PostgreSQL client of 13.22, 14.19, 15.14, 16.10, 17.6 or later on the web server.");
        DbClient.Loaded(result, site.Name, site.Password, $"Loading the dump into database {site.Name} as its own role",
            $"Check that psql is installed on '@{from.Name}' and reaches {site.Host}:{site.Port}.");
    }

    // --- pg_hba.conf ---

    static string HbaFile(NpgsqlConnection conn) => (string)Scalar(conn, "SELECT current_setting('hba_file')")!;

    /// <summary>
    /// Changes the module's block of pg_hba.conf, one change at a time per server: the file is written, PostgreSQL's
    /// own parse of it is checked (the old file goes back on any error), and only then is it reloaded and the
    /// reload waited for, so the next connection sees the new rules.
    /// </summary>
    void ChangeAccess(Action<SortedDictionary<string, (string Database, List<string> Hosts)>> change)
    {
        var locks = Path.Combine(env.Home, "locks");
        AtomicFile.EnsurePrivateDirectory(locks);
        using var held = FileLock.TryAcquire(Path.Combine(locks, $"pg_hba-{Server.Name}.lock"), TimeSpan.FromMinutes(2))
            ?? throw ErrorCatalog.StepFailed(ErrorIds.DbAccessRulesBusy, $"Changing pg_hba.conf of '@{Server.Name}'", "another task has held it for two minutes", "Run the task again once the other has finished.");
        using var conn = OpenAdmin();
        var path = HbaFile(conn);
        var transport = env.Connect(Server);
        var old = transport.ReadFile(path) ?? throw ErrorCatalog.StepFailed(ErrorIds.DbAccessRulesUnreadable, $"Reading {path}", $"it cannot be read on '@{Server.Name}'", "Run the module as root on the database server.");
        var text = Encoding.UTF8.GetString(old);
        var sites = PgHba.Read(text);
        change(sites);
        var updated = PgHba.Write(text, sites);
        if (updated == text) return;
        var (owner, group) = transport.OwnerOf(path) ?? ("postgres", "postgres");
        var mode = transport.GetMode(path);
        transport.WriteFile(path, Encoding.UTF8.GetBytes(updated), mode, owner, group);
        var errors = Column(conn, "SELECT line_number || ': ' || error FROM pg_hba_file_rules WHERE error IS NOT NULL");
        if (errors.Count > 0)
        {
            transport.WriteFile(path, old, mode, owner, group);
            throw ErrorCatalog.StepFailed(ErrorIds.DbAccessRulesRejected, $"Changing {path}", $"PostgreSQL does not accept it ({string.Join("; ", errors)}), so the old file was put back", "Fix the lines it names, then run the task again.");
        }
        var loaded = (DateTime)Scalar(conn, "SELECT pg_conf_load_time()")!;
        Exec(conn, "SELECT pg_reload_conf()");
        Daemon.WaitFor(() =>
        {
            using var fresh = OpenAdmin();
            return (DateTime)Scalar(fresh, "SELECT pg_conf_load_time()")! > loaded;
        }, TimeSpan.FromSeconds(10));
    }

    // --- helpers ---

    static void Exec(NpgsqlConnection conn, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, conn);
        cmd.ExecuteNonQuery();
    }

    static object? Scalar(NpgsqlConnection conn, string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in parameters) cmd.Parameters.AddWithValue(n, v);
        return cmd.ExecuteScalar();
    }

    static List<string> Column(NpgsqlConnection conn, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, conn);
        using var reader = cmd.ExecuteReader();
        var values = new List<string>();
        while (reader.Read()) values.Add(reader.GetString(0));
        return values;
    }
}
