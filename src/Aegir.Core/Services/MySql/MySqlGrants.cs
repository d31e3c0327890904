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
