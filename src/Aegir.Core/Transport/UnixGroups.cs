using Aegir.Core.Errors;

namespace Aegir.Core.Transport;

/// <summary>
/// A client's group and its people on a server, through the system's own tools (groupadd, usermod, gpasswd,
/// useradd): each an argument list run as this connection's account (root), each refused with what went wrong.
/// </summary>
public static class UnixGroups
{
    /// <summary>Makes a system group (a gid below the logins'); nothing when it is there (made meanwhile by a task beside this one too: --force).</summary>
    /// <param name="gid">The number it must have (a group deleted and made again), when given.</param>
    public static void Add(ITransport transport, string group, string server, int? gid = null)
    {
        if (transport.GroupExists(group)) return;
        Run(transport, server, $"Making the group {group}", "groupadd",
            gid is { } id ? ["--system", "--gid", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--", group] : ["--system", "--force", "--", group]);
    }

    /// <summary>The logins whose own (primary) group is number <paramref name="gid"/>: they are in it without being its members.</summary>
    public static IReadOnlyList<string> PrimaryOf(ITransport transport, int gid)
    {
        var passwd = transport.Run(new CommandSpec("getent", ["passwd"]) { Timeout = TimeSpan.FromSeconds(30) });
        var number = gid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return passwd.StandardOutput.Split('\n').Select(l => l.Split(':')).Where(f => f.Length >= 4 && f[3] == number).Select(f => f[0]).ToList();
    }

    /// <summary>The group's members (not those whose primary group it is); empty when it has none or is not there.</summary>
    public static IReadOnlyList<string> Members(ITransport transport, string group)
    {
        var result = transport.Run(new CommandSpec("getent", ["group", "--", group]) { Timeout = TimeSpan.FromSeconds(30) });
        var fields = result.StandardOutput.Trim().Split(':');
        return result.Succeeded && fields.Length >= 4 ? fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries) : [];
    }

    /// <summary>Deletes a group, when it is there (the undo of <see cref="Add"/>).</summary>
    public static void Delete(ITransport transport, string group, string server)
    {
        if (!transport.GroupExists(group)) return;
        Run(transport, server, $"Deleting the group {group}", "groupdel", ["--", group]);
    }

    /// <summary>Puts <paramref name="user"/> into <paramref name="group"/> (as well as the groups it has).</summary>
    public static void Join(ITransport transport, string user, string group, string server)
    {
        if (UserAccount.Find(transport, user) is { } account && account.InGroup(group)) return;
        Run(transport, server, $"Putting {user} into the group {group}", "usermod", ["--append", "--groups", group, "--", user]);
    }

    /// <summary>Takes <paramref name="user"/> out of <paramref name="group"/>; nothing when either is gone or it is no member.</summary>
    public static void Leave(ITransport transport, string user, string group, string server)
    {
        if (!transport.GroupExists(group) || UserAccount.Find(transport, user) is not { } account || !account.InGroup(group)) return;
        Run(transport, server, $"Taking {user} out of the group {group}", "gpasswd", ["--delete", user, group]);
    }

    /// <summary>The group's number, or null when the server has no such group.</summary>
    public static int? Id(ITransport transport, string group)
    {
        var result = transport.Run(new CommandSpec("getent", ["group", "--", group]) { Timeout = TimeSpan.FromSeconds(30) });
        var fields = result.StandardOutput.Trim().Split(':');
        return result.Succeeded && fields.Length >= 3 && int.TryParse(fields[2], out var gid) ? gid : null;
    }

    /// <summary>The name of group number <paramref name="gid"/>, or null when no group has it (any more).</summary>
    public static string? Name(ITransport transport, int gid)
    {
        var result = transport.Run(new CommandSpec("getent", ["group", gid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { Timeout = TimeSpan.FromSeconds(30) });
        var name = result.StandardOutput.Split(':')[0].Trim();
        return result.Succeeded && name.Length > 0 ? name : null;
    }

    /// <summary>
    /// Makes <paramref name="user"/> a person's login: a home of its own, bash, a group of its own, and
    /// <paramref name="sshKey"/> (when given) as its only authorized key, 0600 and its own.
    /// </summary>
    public static void AddPerson(ITransport transport, string user, string? sshKey, string server)
    {
        Run(transport, server, $"Making the user {user}", "useradd", ["--create-home", "--user-group", "--shell", "/bin/bash", "--comment", "Aegir client access", "--", user]);
        if (sshKey is null) return;
        var home = Home(transport, user) ?? throw ErrorCatalog.StepFailed(ErrorIds.StepFailed, $"Giving {user} an SSH key", $"{user} has no home folder on '@{server}'", "Check the user with getent passwd.");
        var ssh = Path.Combine(home, ".ssh");
        // Made as the user's own: home is hers, so nothing is followed or written there as root but these two.
        if (transport.Kind(ssh) == PathKind.None) transport.CreateDirectory(ssh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (transport.Kind(ssh) != PathKind.Directory) throw ErrorCatalog.StepFailed(ErrorIds.StepFailed, $"Giving {user} an SSH key", $"{ssh} is not a folder", "Remove it, then grant again.");
        transport.SetOwner(ssh, user, transport.PrimaryGroup(user));
        transport.WriteFile(Path.Combine(ssh, "authorized_keys"), System.Text.Encoding.UTF8.GetBytes(sshKey.TrimEnd() + "\n"),
            UnixFileMode.UserRead | UnixFileMode.UserWrite, user, transport.PrimaryGroup(user));
    }

    /// <summary>Deletes a login <see cref="AddPerson"/> made, with its home; nothing when it is gone.</summary>
    public static void DeletePerson(ITransport transport, string user, string server)
    {
        if (!transport.UserExists(user)) return;
        Run(transport, server, $"Deleting the user {user}", "userdel", ["--remove", "--", user]);
    }

    /// <summary>The user's home folder, from the password database; null when it has none.</summary>
    public static string? Home(ITransport transport, string user)
    {
        var result = transport.Run(new CommandSpec("getent", ["passwd", "--", user]) { Timeout = TimeSpan.FromSeconds(30) });
        var fields = result.StandardOutput.Trim().Split(':');
        return result.Succeeded && fields.Length >= 7 && fields[5].StartsWith('/') ? fields[5] : null;
    }

    static void Run(ITransport transport, string server, string doing, string program, IReadOnlyList<string> arguments)
    {
        var result = transport.Run(new CommandSpec(program, arguments) { Timeout = TimeSpan.FromMinutes(1) });
        if (!result.Succeeded)
            throw ErrorCatalog.StepFailed(ErrorIds.AccountChangeFailed, $"{doing} on '@{server}'", result.Summary(),
                $"Check that {program} is there (the passwd package) and that this connection is root, then run the task again.");
    }
}
