using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Services;
using Aegir.Core.Tasks;

namespace Aegir.Core.Tests;

/// <summary>A database server in memory: databases, users and their hosts. Shared by every service made for it.</summary>
public sealed class FakeDbState
{
    public readonly SortedSet<string> Databases = new(StringComparer.Ordinal);
    public readonly SortedDictionary<string, (string Password, string Database, List<string> Hosts)> Users = new(StringComparer.Ordinal);
    /// <summary>Makes the next call of that name fail (as if the server broke).</summary>
    public string? FailOn;
    /// <summary>The server does not answer: every call fails as a connection refused does.</summary>
    public bool Down;
    /// <summary>The process using the server was killed: it makes no more calls (see <see cref="FakeHosting.Kill"/>).</summary>
    public bool Killed;
    /// <summary>Databases whose application tables are gone (the others answer that they are there).</summary>
    public readonly HashSet<string> Emptied = new(StringComparer.Ordinal);
    public int Probes;
    public readonly Dictionary<string, string> Collations = new(StringComparer.Ordinal);
    /// <summary>Rows a query answers when its SQL holds the key (the first that matches); otherwise one row saying whether the tables are there.</summary>
    public readonly Dictionary<string, object?[][]> Answers = new(StringComparer.Ordinal);

    public string Snapshot() => string.Join(",", Databases) + " | " + string.Join(",", Users.Select(u => $"{u.Key}@{string.Join("+", u.Value.Hosts)}>{u.Value.Database}"));
}

public sealed class FakeDb(AegirServer server, FakeDbState state) : IDbService
{
    public AegirServer Server { get; } = server;
    public string Type => "mysql";
    public string Driver => "mysql";
    public string Host => "127.0.0.1";
    public int Port => 3306;

    void Maybe(string call)
    {
        if (state.Killed) throw new SimulatedCrash();
        if (state.Down) throw ErrorCatalog.DbUnreachable(Server.Name, Host, Port, "Connection refused");
        if (state.FailOn == call) throw new InvalidOperationException($"{call} failed: the fake server says no");
    }

    public void Verify(TaskContext ctx)
    {
        var probe = "aegir_verify_" + (++state.Probes);
        ctx.Step("Checking database admin access", () =>
        {
            Maybe("Verify");
            state.Databases.Add(probe);
            state.Databases.Remove(probe);
        }, JournalActions.DropDatabase(Server.Name, probe, probe));
    }

    public string ProposeName(string uri, ISet<string> taken)
    {
        var stem = new string((uri.StartsWith("www.") ? uri[4..] : uri).Where(char.IsAsciiLetterOrDigit).ToArray());
        stem = stem.Length > 16 ? stem[..16] : stem;
        for (int n = 1; ; n++)
        {
            var name = n == 1 ? stem : $"{stem}_{n}";
            if (!taken.Contains(name)) return name;
        }
    }

    public bool DatabaseExists(string name) { Maybe("DatabaseExists"); return state.Databases.Contains(name); }
    public bool UserExists(string user) { Maybe("UserExists"); return state.Users.ContainsKey(user); }
    public bool NameInUse(string name) => DatabaseExists(name) || UserExists(name);

    public void CreateDatabase(string name)
    {
        Maybe("CreateDatabase");
        if (!state.Databases.Add(name)) throw ErrorCatalog.DbNameTaken(Server.Name, name, "database");
    }

    public void CreateUser(string user, string password, string database, IReadOnlyList<string> hosts)
    {
        Maybe("CreateUser");
        if (state.Users.ContainsKey(user)) throw ErrorCatalog.DbNameTaken(Server.Name, user, "user");
        state.Users[user] = (password, database, hosts.ToList());
    }

    public void EnsureUser(string user, string password, string database, IReadOnlyList<string> hosts)
    {
        Maybe("EnsureUser");
        state.Users[user] = (password, database, hosts.ToList());
    }

    public IReadOnlyList<GrantDifference> GrantDrift(string user, string database, IReadOnlyList<string> hosts)
    {
        Maybe("GrantDrift");
        if (!state.Users.TryGetValue(user, out var u)) return [new(user, $"an account with all rights on {database}", "no account")];
        var differences = new List<GrantDifference>();
        if (u.Database != database) differences.Add(new(user, $"all rights on {database}", $"all rights on {u.Database}"));
        if (!u.Hosts.ToHashSet().SetEquals(hosts)) differences.Add(new(user, $"from {string.Join(", ", hosts)}", $"from {string.Join(", ", u.Hosts)}"));
        return differences;
    }

    public bool CanConnect(string database, string user, string password)
        => !state.Down && state.Databases.Contains(database) && state.Users.TryGetValue(user, out var u) && u.Password == password && u.Database == database;

    public void DropDatabase(string name) { Maybe("DropDatabase"); state.Databases.Remove(name); }
    public void DropUser(string user) { Maybe("DropUser"); state.Users.Remove(user); }
    public IReadOnlyList<string> ListDatabases() { Maybe("ListDatabases"); return state.Databases.ToList(); }
    public IReadOnlyList<string> UserHosts(string user) { Maybe("UserHosts"); return state.Users.TryGetValue(user, out var u) ? u.Hosts : []; }
    public (string Program, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment) SqlClient(Services.Http.SiteDatabase site)
        => ("sql", [site.Name], new Dictionary<string, string> { ["SQL_PASSWORD"] = site.Password });
    public void Dump(AegirServer from, Services.Http.SiteDatabase site, Stream output) { Maybe("Dump"); output.Write(System.Text.Encoding.UTF8.GetBytes($"-- dump of {site.Name}\n")); }
    public void Import(AegirServer from, Services.Http.SiteDatabase site, Stream input) { Maybe("Import"); input.CopyTo(Stream.Null); }
    /// <summary>Collations of tables made before (database.table); none unless a test sets one.</summary>
    public string? TableCollation(string database, string table) => state.Collations.TryGetValue($"{database}.{table}", out var c) ? c : null;
    /// <summary>A database the application filled holds one table, "app".</summary>
    public IReadOnlyList<string> Tables(Services.Http.SiteDatabase site)
    {
        Maybe("Tables");
        return state.Databases.Contains(site.Name) && !state.Emptied.Contains(site.Name) ? ["app"] : [];
    }
    public long DatabaseSize(string database) { Maybe("DatabaseSize"); return state.Databases.Contains(database) ? 16384 : 0; }

    /// <summary>As the site's own account, as the real services ask: one that is not the database's own user, with its password, is refused.</summary>
    public IReadOnlyList<object?[]> Query(Services.Http.SiteDatabase site, string sql)
    {
        Maybe("Query");
        if (!state.Users.TryGetValue(site.User, out var user) || user.Password != site.Password || user.Database != site.Name)
            throw new FakeDbException($"Access denied for user '{site.User}' to database '{site.Name}'");
        return state.Answers.FirstOrDefault(a => sql.Contains(a.Key, StringComparison.Ordinal)) is { Key: not null } hit ? hit.Value
            : [[state.Databases.Contains(site.Name) && !state.Emptied.Contains(site.Name) ? 1L : 0L]];
    }
}

/// <summary>What a database driver throws when the server refuses (a DbException, as MySqlConnector's and Npgsql's are).</summary>
public sealed class FakeDbException(string message) : System.Data.Common.DbException(message);
