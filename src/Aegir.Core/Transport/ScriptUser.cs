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

    /// <summary>The group the server's web server and PHP run as (its http service's web_group).</summary>
    public static string WebGroup(AegirServer server) => server.Http.IsNull ? "www-data" : server.Http.Get("web_group") ?? "www-data";

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
        if (Privilege(account, switching: transport.User != user) is { } why)
            throw ErrorCatalog.ScriptUserPrivileged(user, server, why, Command(AddCommand(Default, webGroup)));
        return account;
    }

    /// <summary>Why an account holds root's powers; null when it holds none.</summary>
    public static string? Privilege(UserAccount account, bool switching)
    {
        if (account.Uid == 0) return "it is uid 0 (root)";
        if (account.Gid == 0 || account.Groups.Any(g => g.Id == 0)) return "it is in group 0 (root)";
        return switching && RootEquivalentGroups.FirstOrDefault(account.InGroup) is { } group ? $"it is in the group {group}, which gives root" : null;
    }

    /// <summary>
    /// The command as <paramref name="account"/> runs it: when this connection is root (and not that account),
    /// setpriv in front: the account's own uid, gid and groups, and no_new_privs, so no setuid program (su, sudo) takes
    /// it back to root. setpriv rather than runuser: no PAM session, and the environment stays exactly the one given.
    /// </summary>
    public static CommandSpec As(ITransport transport, UserAccount account, CommandSpec spec)
        => transport.User == account.Name || transport.User != "root" ? spec
            : spec with { Program = "/usr/bin/setpriv", Arguments = [$"--reuid={account.Uid}", $"--regid={account.Gid}", "--init-groups", "--no-new-privs", "--", spec.Program, .. spec.Arguments] };

    static string Command(IReadOnlyList<string> words) => new CommandSpec(words[0], words.Skip(1).ToList()).ToString();
}
