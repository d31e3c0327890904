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

    /// <summary>
    /// Runs an account change (useradd, usermod, userdel): another process changing accounts at the same time (a held
    /// lock, the same user made) is waited out. Null once it is done; else the last attempt's result, for the caller's error.
    /// </summary>
    public static CommandResult? Change(ITransport transport, IReadOnlyList<string> words, Func<bool> done)
    {
        CommandResult? result = null;
        for (int attempt = 0; attempt < 10; attempt++)
        {
            result = transport.Run(new CommandSpec(words[0], words.Skip(1).ToList()) { Timeout = TimeSpan.FromMinutes(1) });
            if (result.Succeeded || done()) return null;
            Thread.Sleep(200 * (attempt + 1));
        }
        return result;
    }

    [GeneratedRegex(@"^uid=(?<uid>\d+)(\([^)]*\))? gid=(?<gid>\d+)(\([^)]*\))?( groups=(?<groups>\S*))?$")] private static partial Regex IdLine();
    [GeneratedRegex(@"^(\d+)(?:\(([^)]*)\))?$")] private static partial Regex GroupWord();
}
