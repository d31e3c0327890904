using System.Net;
using System.Text;

namespace Aegir.Core.Services.PostgreSql;

/// <summary>
/// The block of pg_hba.conf this module writes: for each site's role, its database from each of its web server's
/// hosts (scram-sha-256), then a reject of that role from anywhere else. It goes first in the file, since the first
/// matching line wins, so a general line further down lets no site's role in from elsewhere.
/// </summary>
internal static class PgHba
{
    const string Begin = "# BEGIN Aegir: each site's role reaches its database from its web server only (written by Aegir; changes here are overwritten)";
    const string End = "# END Aegir";

    /// <summary>Role → (database, hosts), as the block says.</summary>
    public static SortedDictionary<string, (string Database, List<string> Hosts)> Read(string text)
    {
        var sites = new SortedDictionary<string, (string Database, List<string> Hosts)>(StringComparer.Ordinal);
        bool inside = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line == Begin) { inside = true; continue; }
            if (line == End) { inside = false; continue; }
            if (!inside || line.Length == 0 || line.StartsWith('#')) continue;
            var f = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var (database, user, address) = f[0] == "local" && f.Length >= 4 ? (f[1], f[2], "localhost") : f.Length >= 5 ? (f[1], f[2], f[3]) : ("", "", "");
            if (user.Length == 0 || database == "all") continue;   // a reject line
            var role = Unquote(user);
            if (!sites.TryGetValue(role, out var entry)) sites[role] = entry = (Unquote(database), []);
            entry.Hosts.Add(Host(address));
        }
        return sites;
    }

    /// <summary>The file with the block made from <paramref name="sites"/>, first; the rest of the file as it was.</summary>
    public static string Write(string text, IReadOnlyDictionary<string, (string Database, List<string> Hosts)> sites)
    {
        var rest = new List<string>();
        bool inside = false;
        foreach (var raw in text.TrimEnd('\n').Split('\n'))
        {
            var line = raw.Trim();
            if (line == Begin) { inside = true; continue; }
            if (line == End) { inside = false; continue; }
            if (!inside) rest.Add(raw);
        }
        var block = new StringBuilder();
        if (sites.Count > 0)
        {
            block.Append(Begin).Append('\n');
            foreach (var (role, (database, hosts)) in sites)
            {
                foreach (var host in hosts)
                    block.Append(host == "localhost"
                        ? $"local\t{Quote(database)}\t{Quote(role)}\tscram-sha-256\n"
                        : $"host\t{Quote(database)}\t{Quote(role)}\t{Address(host)}\tscram-sha-256\n");
                block.Append($"local\tall\t{Quote(role)}\treject\nhost\tall\t{Quote(role)}\tall\treject\n");
            }
            block.Append(End).Append('\n');
        }
        // The block goes before the first rule, after the file's opening comments.
        int first = rest.FindIndex(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'));
        if (first < 0) first = rest.Count;
        var lines = rest.Take(first).Select(l => l + "\n").Append(block.ToString()).Concat(rest.Skip(first).Select(l => l + "\n"));
        return string.Concat(lines);
    }

    static string Quote(string name) => "\"" + name + "\"";
    static string Unquote(string name) => name.Trim('"');

    static string Address(string host) => IPAddress.TryParse(host, out var ip)
        ? $"{host}/{(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32)}"
        : host;

    static string Host(string address) => address.EndsWith("/32", StringComparison.Ordinal) || address.EndsWith("/128", StringComparison.Ordinal) ? address[..address.LastIndexOf('/')] : address;
}
