using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.Php;

/// <summary>
/// The UNIX account a site's PHP and commands run as on a web server (<see cref="PhpAccount"/>: the site's own, or its
/// client's): a system account with a group of its own, no login shell and no home. Its comment names whose it is and
/// the module's home, so an account of the same name that is not ours (a person's, a service's, another home's) is
/// never taken over nor deleted.
/// </summary>
public static class SiteAccount
{
    /// <summary>The site's own account's name (<see cref="AccountNames.ForSite"/>).</summary>
    public static string NameFor(string uri, string home) => AccountNames.ForSite(uri, home);

    /// <summary>The site's own account's comment (GECOS) field, naming the site and the home whose it is.</summary>
    public static string Comment(string uri, string home) => PhpAccount.ForSite(uri, home).Comment;

    /// <summary>The comment of <paramref name="name"/> on the server; null when there is no such account.</summary>
    public static string? CommentOf(ITransport transport, string name)
    {
        var result = transport.Run(new CommandSpec("getent", ["passwd", name]) { Timeout = TimeSpan.FromSeconds(30) });
        if (!result.Succeeded) return null;
        var fields = result.StandardOutput.Trim().Split(':');
        return fields.Length > 4 ? fields[4] : "";
    }

    /// <summary>Whether the account is there and is ours; one of its name that is not ours is refused.</summary>
    public static bool Exists(ITransport transport, PhpAccount account)
        => CommentOf(transport, account.Name) is { } comment && Own(account, comment, transport.Host);

    static bool Own(PhpAccount account, string comment, string host)
    {
        if (comment == account.Comment) return true;
        var ours = PhpAccount.Marked(comment);
        var client = account.Client is { } c;
        throw ErrorCatalog.StepFailed(ErrorIds.SiteAccountTaken, $"Making the account {account.Name} for {account.Of}",
            $"an account {account.Name} is already on {host} and is not {(client ? "this client's" : "this site's")} (its comment is '{comment}'{(ours ? ": another site's or client's, whose name gives the same account name" : "")})",
            (ours, client) switch
            {
                (true, false) => "Leave that account to its owner, and give this site another uri (the name comes from the uri).",
                (true, true) => "Leave that account to its owner, and give this client another name (the account's comes from it), or run its sites per site (php_accounts = 'per-site').",
                (false, false) => $"If that account is no one's any more, remove it on {host}; else give this site another uri. Then run the task again.",
                (false, true) => $"If that account is no one's any more, remove it on {host}; else give this client another name. Then run the task again.",
            });
    }

    /// <summary>Makes the account (retried while another process changes accounts); true when it made it.</summary>
    public static bool Ensure(ITransport transport, PhpAccount account)
    {
        if (Exists(transport, account)) return false;
        Retried(transport, ["useradd", "--system", "--user-group", "--home-dir", "/nonexistent", "--no-create-home", "--shell", "/usr/sbin/nologin",
            "--comment", account.Comment, account.Name], $"Making the account {account.Name} for {account.Of}", () => CommentOf(transport, account.Name) is not null);
        return true;
    }

    /// <summary>
    /// Lets the account write a platform's shared folders (a manifest's shared_folders, written by every site of the
    /// platform), and what is made in them from now on: an ACL entry of its own, since it is in no group that could.
    /// </summary>
    public static void GrantShared(ITransport transport, string name, IReadOnlyList<string> folders)
    {
        var existing = folders.Where(f => transport.Kind(f) == PathKind.Directory).ToList();
        if (existing.Count == 0) return;
        var result = transport.Run(new CommandSpec("setfacl", ["-R", "-P", "-m", $"u:{name}:rwX,d:u:{name}:rwX", .. existing]) { Timeout = TimeSpan.FromMinutes(10) });
        if (!result.Succeeded)
            throw ErrorCatalog.StepFailed(ErrorIds.SiteAccountFailed, $"Letting {name} write {string.Join(", ", folders)}", result.Summary(), $"Install the acl package on {transport.Host} (setfacl), then run the task again.");
    }

    /// <summary>
    /// Deletes the account and its group when they are ours: first its ACL entries in <paramref name="shared"/>, then
    /// every process still running as it (a site's PHP may have left one in the background), so a later account given
    /// its uid gets nothing of it.
    /// </summary>
    /// <param name="log">Told which processes were ended.</param>
    public static void Remove(ITransport transport, PhpAccount account, IReadOnlyList<string>? shared = null, Action<string>? log = null)
    {
        if (CommentOf(transport, account.Name) is not { } comment) return;
        if (comment != account.Comment) return;   // not ours: never deleted
        var name = account.Name;
        var folders = (shared ?? []).Where(f => transport.Kind(f) == PathKind.Directory).ToList();
        if (folders.Count > 0) transport.Run(Files.AclRemoval.User(name, folders));
        EndProcesses(transport, account, log);
        Retried(transport, ["userdel", "--force", name], $"Deleting the account {name} of {account.Of}", () => CommentOf(transport, name) is null);
        if (transport.GroupExists(name)) transport.Run(new CommandSpec("groupdel", [name]) { Timeout = TimeSpan.FromMinutes(1) });
    }

    /// <summary>
    /// Kills (SIGKILL) every process whose real or effective user is the account, again until none is left (one may
    /// fork while the others die); an account that still runs one after that is not deleted.
    /// </summary>
    static void EndProcesses(ITransport transport, PhpAccount account, Action<string>? log)
    {
        var (ended, left) = ProcessKill.Until(transport, () => Processes(transport, account.Name));
        if (left.Count == 0)
        {
            if (ended.Count > 0) log?.Invoke($"Ended {ended.Count} process(es) still running as {account.Name} of {account.Of} (pid {string.Join(", ", ended)}).");
            return;
        }
        // Still there (a master that starts its workers again until its pool is gone): said, and the account goes anyway.
        log?.Invoke($"Processes still run as {account.Name} of {account.Of} after 50 rounds of kill -9 (pid {string.Join(", ", left)}); end them on {transport.Host} (ps -u {account.Name}).");
    }

    /// <summary>
    /// The live processes whose real or effective user is the account. Zombies are left out: they run nothing, and one
    /// whose parent never reaps it (an orphan of a machine whose first process does not) would never go. ps exits 1
    /// when it finds none; anything else is no answer.
    /// </summary>
    static IReadOnlyList<int> Processes(ITransport transport, string name)
    {
        var found = transport.Run(new CommandSpec("ps", ["-o", "pid=,stat=", "-u", name, "-U", name]) { Timeout = TimeSpan.FromSeconds(30) });
        if (!found.Succeeded && (found.ExitCode != 1 || found.TimedOut))
            throw ErrorCatalog.StepFailed(ErrorIds.SiteAccountFailed, $"Finding the processes of {name} before deleting it", found.Summary(), $"Install procps on {transport.Host} (ps, kill), then run the task again.");
        return found.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 2 && !f[1].StartsWith('Z') && int.TryParse(f[0], out _))
            .Select(f => int.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
    }

    static void Retried(ITransport transport, IReadOnlyList<string> words, string what, Func<bool> done)
    {
        if (UserAccount.Change(transport, words, done) is { } failed)
            throw ErrorCatalog.StepFailed(ErrorIds.SiteAccountFailed, what, failed.Summary(), $"Check that {words[0]} works on {transport.Host} as root.");
    }
}
