using System.Text;
using Aegir.Core.Errors;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.Php;

/// <summary>
/// A site's pool moving from one account to another (php_accounts changed, or the site's client): the new account is
/// let into the site's files by ACL entries of its own while the pool switches and the former's workers finish, then
/// the files become the new account's and the entries go. A note in the site's pool folder (root's alone) names both
/// accounts until the move is done, so a task killed on the way leaves the next one what to finish, and the former
/// account is not deleted while the note names it.
/// </summary>
public sealed class AccountHandover(ITransport transport, PhpPools pools, string pool)
{
    public const string FileName = "handover";
    const UnixFileMode RootOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    string Note => Path.Combine(pools.SiteDir(pool), FileName);

    /// <summary>The accounts the note names (those the site moves from, and the one it moves to); none when no move is under way.</summary>
    public IReadOnlyList<string> Accounts
        => transport.ReadFile(Note) is { } bytes ? Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries) : [];

    /// <summary>Notes the accounts of a move (added to those already noted); the pool's folder is made if it is not there.</summary>
    public void Begin(IEnumerable<string> accounts)
    {
        var dir = pools.SiteDir(pool);
        if (transport.Kind(dir) == PathKind.None) transport.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var all = Accounts.Concat(accounts).Distinct(StringComparer.Ordinal);
        transport.WriteFile(Note, Encoding.UTF8.GetBytes(string.Join('\n', all) + "\n"), RootOnly, "root", "root");
    }

    /// <summary>The move is done: the note goes.</summary>
    public void End() => transport.Delete(Note);

    /// <summary>Lets <paramref name="account"/> read and write everything in <paramref name="paths"/>, and what is made there from now on.</summary>
    public void Grant(string account, IReadOnlyList<string> paths)
        => Acl(["-m", $"u:{account}:rwX,d:u:{account}:rwX"], paths, $"Letting {account} reach {string.Join(", ", paths)}");

    /// <summary>Takes the entries <see cref="Grant"/> gave away again (none there, or no such account any more, is no error).</summary>
    public void Drop(string account, IReadOnlyList<string> paths)
    {
        if (transport.UserExists(account)) Acl(Files.AclRemoval.Words($"u:{account},d:u:{account}"), paths, $"Taking the ACL entries of {account} away in {string.Join(", ", paths)}");
    }

    void Acl(IReadOnlyList<string> change, IReadOnlyList<string> paths, string what)
    {
        var existing = paths.Where(p => transport.Kind(p) is PathKind.Directory or PathKind.File).ToList();
        if (existing.Count == 0) return;
        var result = transport.Run(new CommandSpec("setfacl", ["-R", "-P", .. change, "--", .. existing]) { Timeout = TimeSpan.FromMinutes(10) });
        if (!result.Succeeded)
            throw ErrorCatalog.StepFailed(ErrorIds.SiteAccountFailed, what, result.Summary(), $"Install the acl package on {transport.Host} (setfacl), then run the task again.");
    }
}
