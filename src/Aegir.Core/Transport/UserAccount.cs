using System.Text.RegularExpressions;

namespace Aegir.Core.Transport;

/// <summary>An account on a server as <c>id</c> tells it there: its numeric ids and its groups.</summary>
public sealed partial record UserAccount(string Name, int Uid, int Gid, IReadOnlyList<(int Id, string Name)> Groups)
{
    /// <summary>The account, or null when the server has none of that name.</summary>
    public static UserAccount? Find(ITransport transport, string name)
    {
        var result = transport.Run(new CommandSpec("id", ["--", name])
        {
            Environment = new Dictionary<string, string> { ["LC_ALL"] = "C" }, Timeout = TimeSpan.FromSeconds(30),
        });
        return result.Succeeded ? Parse(name, result.StandardOutput) : null;
    }

    /// <summary>id's line: uid=998(aegir) gid=998(aegir) groups=998(aegir),33(www-data); a group without a name is its number.</summary>
    public static UserAccount? Parse(string name, string line)
    {
        var m = IdLine().Match(line.Trim());
        if (!m.Success) return null;
        var groups = m.Groups["groups"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(g => GroupWord().Match(g)).Where(g => g.Success)
            .Select(g => (int.Parse(g.Groups[1].Value), g.Groups[2].Success ? g.Groups[2].Value : g.Groups[1].Value)).ToList();
        return new UserAccount(name, int.Parse(m.Groups["uid"].Value), int.Parse(m.Groups["gid"].Value), groups);
    }

    public bool InGroup(string group) => Groups.Any(g => g.Name == group);

    [GeneratedRegex(@"^uid=(?<uid>\d+)(\([^)]*\))? gid=(?<gid>\d+)(\([^)]*\))?( groups=(?<groups>\S*))?$")] private static partial Regex IdLine();
    [GeneratedRegex(@"^(\d+)(?:\(([^)]*)\))?$")] private static partial Regex GroupWord();
}
