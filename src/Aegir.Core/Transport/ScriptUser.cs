using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Transport;

/// <summary>
/// The account every command for a site runs as on a web server (installers, crons, version commands, an admin's
/// commands): a system account with no login shell and no home, in the web server's group so it can manage what PHP
/// wrote, and holding none of root's powers. The module itself stays root; only what runs for a site drops to it.
/// </summary>
public static class ScriptUser
{
    /// <summary>The script user of a server that names none, and the one a local server makes.</summary>
    public const string Default = AegirServer.DefaultScriptUser;

    /// <summary>Groups that hand out root without a setuid program (raw disks, container daemons): no script user may be in one.</summary>
    static readonly string[] RootEquivalentGroups = ["disk", "docker", "lxd"];

    /// <summary>Groups that read what no site may: every password hash (shadow), every log (adm).</summary>
    static readonly string[] SecretGroups = ["shadow", "adm"];

    /// <summary>The group the server's web server and PHP run as (its http service's web_group).</summary>
    public static string WebGroup(AegirServer server) => server.Http.IsNull || server.IsCluster ? "www-data" : server.Http.Get("web_group") ?? "www-data";

    /// <summary>The line that makes <paramref name="user"/> as a script user: what a local server runs, and what verify tells an admin to run.</summary>
    public static IReadOnlyList<string> AddCommand(string user, string webGroup)
        => ["useradd", "--system", "--user-group", "--groups", webGroup, "--home-dir", "/nonexistent", "--no-create-home", "--shell", "/usr/sbin/nologin", "--comment", "Aegir script user", user];

    /// <summary>
    /// The account <paramref name="user"/> on the server, refused (with the fix) when it is missing or holds root's
    /// powers: uid 0 or group 0 whatever a record says, and, where this connection would switch to it, a group that
    /// gives root (a connection that is that account already has nothing more to give away).
    /// </summary>
    public static UserAccount Require(ITransport transport, string user, string server, string webGroup)
    {
        var account = UserAccount.Find(transport, user) ?? throw ErrorCatalog.ScriptUserMissing(user, server, Command(AddCommand(user, webGroup)));
        if (Privilege(account, switching: transport.User != user, webGroup) is { } why)
            throw ErrorCatalog.ScriptUserPrivileged(user, server, why, Command(AddCommand(Default, webGroup)));
        return account;
    }

    /// <summary>Why an account holds powers no site's command may have (root's, or a service's); null when it holds none.</summary>
    public static string? Privilege(UserAccount account, bool switching, string webGroup)
    {
        if (account.Uid == 0) return "it is uid 0 (root)";
        if (account.Gid == 0 || account.Groups.Any(g => g.Id == 0)) return "it is in group 0 (root)";
        if (switching && RootEquivalentGroups.FirstOrDefault(account.InGroup) is { } group) return $"it is in the group {group}, which gives root";
        if (switching && SecretGroups.FirstOrDefault(account.InGroup) is { } secrets) return $"it is in the group {secrets}, which reads {(secrets == "shadow" ? "every password hash" : "every log")}";
        // The web server's own account has the web group as its primary group; a script user is only a member of it.
        if (switching && AccountNames.IsServiceName(account.Name) || switching && account.Groups.Any(g => g.Id == account.Gid && g.Name == webGroup))
            return $"it is the account a service runs as, whose files a site's command would own";
        return null;
    }

    /// <summary>
    /// The command as <paramref name="account"/> runs it: when this connection is root (and not that account),
    /// setpriv in front: the account's own uid, gid and groups, and no_new_privs, so no setuid program (su, sudo) takes
    /// it back to root. setpriv rather than runuser: no PAM session, and the environment stays exactly the one given.
    /// Always in a session of its own (setsid): without the admin's terminal, which it could otherwise type into
    /// (TIOCSTI), and with what it leaves running killed when it ends; switched to from root, in a PID namespace too.
    /// What it makes is the web group's to change too (umask 007): the site's folders it writes in are setgid to the
    /// web group, and the application must be able to change what its installer or cron made there.
    /// </summary>
    public static CommandSpec As(ITransport transport, UserAccount account, CommandSpec spec)
    {
        IReadOnlyList<string> run = ["/usr/bin/setsid", "/bin/sh", "-c", UmaskScript, spec.Program, .. spec.Arguments];
        if (transport.User == account.Name || transport.User != "root")
            return spec with { Program = run[0], Arguments = run.Skip(1).ToList(), OwnSession = true };
        // A PID namespace of its own, with its own /proc: the command sees no other process (not the environment of
        // another site's command, run as the same account), and whatever it leaves running, in a session of its own
        // or not, dies with it. setpriv sets the parent-death signal again once it is the account (a change of user clears it).
        return spec with
        {
            Program = Unshare,
            Arguments = ["--pid", "--fork", "--kill-child", "--mount-proc", "--", "/usr/bin/setpriv", "--pdeathsig", "KILL",
                $"--reuid={account.Uid}", $"--regid={account.Gid}", "--init-groups", "--no-new-privs", "--", .. run],
            OwnSession = true,
        };
    }

    /// <summary>Sets the umask, then becomes the program ($0) with its arguments as given: a fixed script, the words never parsed by the shell.</summary>
    public const string UmaskScript = "umask 007 && exec \"$0\" \"$@\"";

    /// <summary>util-linux's unshare, which makes the PID namespace a site's command runs in.</summary>
    public const string Unshare = "/usr/bin/unshare";

    static string Command(IReadOnlyList<string> words) => new CommandSpec(words[0], words.Skip(1).ToList()).ToString();
}
