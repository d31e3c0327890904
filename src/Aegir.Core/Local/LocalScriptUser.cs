using Aegir.Core.Errors;
using Aegir.Core.Machine;
using Aegir.Core.Platforms;
using Aegir.Core.Transport;

namespace Aegir.Core.Local;

/// <summary>
/// The script user of a local server, made by Start-AegirLocalServer when the module runs as root: a system account
/// (no login shell, no home: each command gets a private HOME) in the web server's group. A record that names root,
/// or any account with root's powers, gets it instead. Without root the module's own account is the script user.
/// </summary>
public static class LocalScriptUser
{
    /// <summary>The account the server's record should name, made or put into <paramref name="webGroup"/> when it is not yet.</summary>
    public static string Ensure(string recorded, string webGroup, Action<string> log)
    {
        if (!LocalProcess.IsRoot) return recorded;
        var local = new LocalTransport();
        var user = UserAccount.Find(local, recorded) is { } account && ScriptUser.Privilege(account, switching: true, webGroup) is not null ? ScriptUser.Default : recorded;
        if (user != recorded) log($"The script user {recorded} holds powers no site's command may have: commands for sites run as {user} from now on.");
        if (UserAccount.Find(local, user) is null)
        {
            log($"Making the script user {user}: a system account with no login shell, in the group {webGroup}.");
            Retried(ScriptUser.AddCommand(user, webGroup), $"Making the script user {user}", () => UserAccount.Find(local, user) is not null);
        }
        if (UserAccount.Find(local, user) is { } made && !made.InGroup(webGroup))
        {
            log($"Putting the script user {user} into the group {webGroup}.");
            Retried(["usermod", "--append", "--groups", webGroup, user], $"Putting {user} into {webGroup}", () => UserAccount.Find(local, user)?.InGroup(webGroup) == true);
        }
        return user;
    }

    static void Retried(IReadOnlyList<string> words, string what, Func<bool> done)
    {
        if (UserAccount.Change(new LocalTransport(), words, done) is { } failed)
            throw ErrorCatalog.StepFailed(ErrorIds.LocalServiceFailed, what, failed.Summary(), $"Command: {string.Join(' ', words)}");
    }
}
