using Aegir.Core.Errors;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Aegir.Core.Transport;

/// <summary>
/// Checks the key the module is to log in with, when it is given: a key file there, private, and opened by its
/// passphrase; or an ssh-agent of this user's that answers and holds a key.
/// </summary>
public static class SshKeys
{
    public static void Check(string parameter, SshSettings settings)
    {
        if (settings.AgentSocket is { } socket) CheckAgent(parameter, socket);
        else CheckFile(parameter, settings.KeyPath!, settings.KeyPassphrase);
    }

    /// <summary>The agent's keys, as ssh-add -l lists them; refused when there is none.</summary>
    public static IReadOnlyList<SshAgentKey> CheckAgent(string parameter, string socket)
    {
        const string give = "Give the socket of an ssh-agent of this user's that holds the server's key: $env:SSH_AUTH_SOCK of a shell where ssh-add -l lists it, or one started with ssh-agent -a <socket> (then SSH_AUTH_SOCK=<socket> ssh-add <key file>).";
        try
        {
            var keys = new SshAgent(socket).Keys();
            return keys.Count > 0 ? keys : throw ErrorCatalog.InvalidValue(parameter, socket, "the agent there holds no key", $"Add the server's key to it (SSH_AUTH_SOCK={socket} ssh-add <key file>), then give it again.");
        }
        catch (SshAgentException ex)
        {
            throw ErrorCatalog.InvalidValue(parameter, socket, $"it {ex.Message}", give);
        }
    }

    static void CheckFile(string parameter, string path, string? passphrase)
    {
        const string make = "Give a private key of the control machine's, such as one made by ssh-keygen -t ed25519 -f /root/.ssh/aegir_web1.";
        // A link is named for where it leads, and never chmod'ed through.
        if (new FileInfo(path).LinkTarget is { } target)
            throw ErrorCatalog.InvalidValue(parameter, path, $"it is a link (to {target})", "Give the key file itself.");
        var kind = File.Exists(path) ? "file" : Directory.Exists(path) ? "folder" : null;
        if (kind != "file") throw ErrorCatalog.InvalidValue(parameter, path, kind is null ? "there is no such file" : "it is a folder", make);
        // Another account's key could be changed under the module by that account: it must be this one's own.
        if (IO.Posix.Stat(path) is { } status && status.Uid != (uint)IO.Posix.EffectiveUserId)
            throw ErrorCatalog.InvalidValue(parameter, path, $"it belongs to {IO.Posix.UserName(status.Uid)}, not to {Environment.UserName}, who logs in with it",
                $"Give a key file of {Environment.UserName}'s own (cp it and chown {Environment.UserName} the copy, chmod 600), then give it again.");
        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            throw ErrorCatalog.InvalidValue(parameter, path, "others than its owner may read or change it", $"Make it its owner's alone (chmod 600 {path}), as ssh requires, then give it again.");
        try
        {
            using var key = passphrase is null ? new PrivateKeyFile(path) : new PrivateKeyFile(path, passphrase);
        }
        catch (SshPassPhraseNullOrEmptyException)
        {
            throw ErrorCatalog.InvalidValue(parameter, path, "the key is locked by a passphrase, and none was given", "Give its passphrase too: -SshKeyPassphrase (Read-Host -AsSecureString).");
        }
        catch (Exception ex) when (ex is SshException or ArgumentException or InvalidOperationException or FormatException or System.Security.Cryptography.CryptographicException or NotSupportedException)
        {
            var why = passphrase is null ? "it is not a private key SSH.NET can read (OpenSSH, PEM or PuTTY format)" : "it is not a private key SSH.NET can read, or the passphrase is wrong";
            throw ErrorCatalog.InvalidValue(parameter, path, why, make);
        }
        catch (UnauthorizedAccessException)
        {
            throw ErrorCatalog.InvalidValue(parameter, path, "the module cannot read it", "Run the module as the key's owner, or give a key it can read.");
        }
    }
}
