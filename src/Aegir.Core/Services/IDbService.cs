using Aegir.Core.Contexts;
using Aegir.Core.Tasks;

namespace Aegir.Core.Services;

/// <summary>
/// A server's database service (MariaDB/MySQL, PostgreSQL): per site a database and a user granted from the
/// web server's hosts only. Credentials travel inside connections or private files, never on a command line;
/// names are validated and quoted by the implementation.
/// </summary>
public interface IDbService
{
    AegirServer Server { get; }

    /// <summary>The service type: mysql.</summary>
    string Type { get; }

    /// <summary>What PHP's db_type says for this database (mysql, pgsql).</summary>
    string Driver { get; }

    /// <summary>Where PHP and this module reach the database.</summary>
    string Host { get; }
    int Port { get; }

    /// <summary>Admin access, and the right to create and drop databases and users (a journaled probe).</summary>
    void Verify(TaskContext ctx);

    /// <summary>The database (and user) name for a uri, as Aegir derives it, not in <paramref name="taken"/>; without asking the server.</summary>
    string ProposeName(string uri, ISet<string> taken);

    bool DatabaseExists(string name);
    bool UserExists(string user);

    /// <summary>Whether a database or a user of this name exists (one question to the server).</summary>
    bool NameInUse(string name);

    /// <summary>Creates an empty database; fails with NothingChanged set when one of that name exists.</summary>
    void CreateDatabase(string name);

    /// <summary>Creates the user for each host with all rights on <paramref name="database"/>; fails with NothingChanged set when the user exists.</summary>
    void CreateUser(string user, string password, string database, IReadOnlyList<string> hosts);

    /// <summary>
    /// Makes the user what the site's record says: it exists for each host with that password and all rights on the
    /// database, and for no other host. Safe to repeat.
    /// </summary>
    void EnsureUser(string user, string password, string database, IReadOnlyList<string> hosts);

    /// <summary>
    /// How the user's accounts differ from what <see cref="EnsureUser"/> makes them (rights beyond or short of all rights
    /// on its own database, hosts other than these), read from the server's own grants; changes nothing.
    /// </summary>
    IReadOnlyList<GrantDifference> GrantDrift(string user, string database, IReadOnlyList<string> hosts);

    /// <summary>Whether the user gets into the database with that password from this machine.</summary>
    bool CanConnect(string database, string user, string password);

    /// <summary>Drops a database if it exists.</summary>
    void DropDatabase(string name);

    /// <summary>Drops every account of a user name, whatever hosts it was granted from.</summary>
    void DropUser(string user);

    /// <summary>Databases other than the server's own.</summary>
    IReadOnlyList<string> ListDatabases();

    /// <summary>The hosts a user may connect from.</summary>
    IReadOnlyList<string> UserHosts(string user);

    /// <summary>
    /// The database's own client as the site's account, reading SQL from its input (never an argument: SQL can hold
    /// secrets, and any user sees arguments), rows as tab-separated lines; the password in the environment it returns.
    /// </summary>
    (string Program, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment) SqlClient(Http.SiteDatabase site);

    /// <summary>
    /// Writes the site's database's dump, made as the site's own account from <paramref name="from"/> (the web server
    /// the account is granted to) by the client run as its script user: whatever the site's code planted in its
    /// database (a view, a function, an operator) runs with the site's rights when it is read, never the admin's.
    /// </summary>
    void Dump(AegirServer from, Http.SiteDatabase site, Stream output);

    /// <summary>
    /// Loads a dump that came from outside (a backup archive) into the site's database as the site's own account, from
    /// <paramref name="from"/> (the web server the account is granted to), by a client that runs no command of the
    /// dump's and as no privileged user: whatever the dump says, it reaches that database only.
    /// </summary>
    void Import(AegirServer from, Http.SiteDatabase site, Stream input);

    /// <summary>The collation a table of a database was made with (utf8mb3_general_ci, utf8mb4_unicode_ci); null when there is no such table, or the database keeps none per table.</summary>
    string? TableCollation(string database, string table);

    /// <summary>The tables a site's database holds (none when it is empty), read without running anything of the site's as an admin.</summary>
    IReadOnlyList<string> Tables(Http.SiteDatabase site);

    /// <summary>
    /// A read-only query on a site's database (application tables: packages, users) as the site's own account: its
    /// tables are the site's, and whatever a view or function of them does, it does with the site's rights alone.
    /// </summary>
    IReadOnlyList<object?[]> Query(Http.SiteDatabase site, string sql);

    /// <summary>The space a database takes on its server, in bytes.</summary>
    long DatabaseSize(string database);
}
