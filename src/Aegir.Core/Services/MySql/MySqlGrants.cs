using System.Text.RegularExpressions;
using Q = Aegir.Core.Services.MySql.MySqlQuoting;

namespace Aegir.Core.Services.MySql;

/// <summary>
/// A site's accounts as SHOW GRANTS tells them, against what verify makes them (<see cref="MySqlService.EnsureUser"/>):
/// an account for each of the web server's hosts and no other, each with its login and all rights on its own database,
/// and nothing more.
/// </summary>
internal static partial class MySqlGrants
{
    /// <param name="grants">Each host the user has an account for, with that account's SHOW GRANTS lines.</param>
    public static IReadOnlyList<GrantDifference> Compare(string user, string database, IReadOnlyList<string> hosts, IReadOnlyDictionary<string, IReadOnlyList<string>> grants)
    {
        var own = $"ALL PRIVILEGES ON {Q.GrantTarget(database)}";
        var differences = new List<GrantDifference>();
        foreach (var host in hosts.Union(grants.Keys).Order(StringComparer.Ordinal))
        {
            var where = $"'{user}'@'{host}' on `{database}`";
            if (!grants.TryGetValue(host, out var lines))
            {
                differences.Add(new(where, $"an account with {own}", "no account"));
                continue;
            }
            var shown = lines.Select(Shown).ToList();
            if (!hosts.Contains(host))
            {
                differences.Add(new(where, "no account (its web server connects from " + string.Join(", ", hosts) + ")", "an account: " + string.Join("; ", shown.Where(l => !IsLogin(l)).DefaultIfEmpty("login only"))));
                continue;
            }
            // Rights on its own database other than all of them (some revoked, or with GRANT OPTION) count once, as what it holds there.
            bool OnOwn(string l) => l.Contains($" ON {Q.GrantTarget(database)}", StringComparison.Ordinal);
            if (!shown.Contains(own))
                differences.Add(new(where, own, string.Join("; ", shown.Where(OnOwn).DefaultIfEmpty("no rights on it"))));
            foreach (var extra in shown.Where(l => !IsLogin(l) && !OnOwn(l)))
                differences.Add(new(where, $"{own} alone", extra));
        }
        return differences;
    }

    /// <summary>
    /// Accounts that are neither the site's nor the module's admin and hold rights on the site's database: each is
    /// told with its rights there (verify does not touch them: the database is reachable by others until they go).
    /// </summary>
    /// <param name="holders">Each such account with its SHOW GRANTS lines.</param>
    public static IReadOnlyList<GrantDifference> Others(string database, IReadOnlyDictionary<(string User, string Host), IReadOnlyList<string>> holders)
        => holders.OrderBy(h => h.Key.User, StringComparer.Ordinal).ThenBy(h => h.Key.Host, StringComparer.Ordinal)
            .Select(h => new GrantDifference($"'{h.Key.User}'@'{h.Key.Host}' on `{database}`", "no account but the site's with rights on its database",
                string.Join("; ", h.Value.Select(Shown).Where(l => !IsLogin(l) && !l.Contains(" ON *.*", StringComparison.Ordinal)).DefaultIfEmpty("rights on it")),
                $"Revoke them if they are not yours (REVOKE ... ON `{database}`... FROM '{h.Key.User}'@'{h.Key.Host}'); verify leaves other accounts alone"))
            .ToList();

    /// <summary>A grant line without its account and password hash: "SELECT ON `other`.*", "ALL PRIVILEGES ON `db`.* WITH GRANT OPTION".</summary>
    internal static string Shown(string line)
    {
        var m = GrantLine().Match(line);
        return m.Success ? m.Groups["what"].Value + (m.Groups["with"].Success ? " " + m.Groups["with"].Value.Trim() : "") : line;
    }

    static bool IsLogin(string shown) => shown == "USAGE ON *.*";

    [GeneratedRegex(@"^GRANT (?<what>.+?) TO (?:`[^`]*`|'[^']*')@(?:`[^`]*`|'[^']*')(?: IDENTIFIED (?:BY PASSWORD '[^']*'|VIA \S+(?: USING '[^']*')?))?(?<with> WITH .+)?$")]
    private static partial Regex GrantLine();
}
