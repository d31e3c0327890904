using System.Text;

namespace Aegir.Core.Transport;

/// <summary>
/// A folder of this machine copied to a server with rsync over ssh, logged in as the server's transport is: the
/// same key (the key file, or the ssh-agent's key that logged the transport in), and the host key pinned (a
/// known_hosts file holding only that key, strict checking, no prompts). A key's passphrase reaches ssh through
/// SSH_ASKPASS from a 0600 file, removed after; never an argument.
/// </summary>
public static partial class RsyncPush
{
    /// <summary>Aegir's flags: archive, delete what the source no longer has, the filters (first match wins) applied.</summary>
    public static CommandResult Run(SshTransport target, string source, string destination, IReadOnlyList<string> filters, bool dryRun, TimeSpan timeout)
    {
        var settings = target.Settings;
        var hostKey = target.HostKey ?? throw new InvalidOperationException("no pinned host key");
        using var local = new LocalTransport();
        using var secrets = PrivateFolder.Create(local, "aegir-push");
        var folder = secrets.Path;
        var knownHosts = Path.Combine(folder, "known_hosts");
        var host = settings.Port == 22 ? settings.Host : $"[{settings.Host}]:{settings.Port}";
        File.WriteAllText(knownHosts, $"{host} {hostKey}\n");
        var environment = new Dictionary<string, string>();
        if (settings.KeyPassphrase is { } phrase)
        {
            var pass = Path.Combine(folder, "pass");
            File.WriteAllText(pass, phrase);
            File.SetUnixFileMode(pass, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var askpass = Path.Combine(folder, "askpass");
            File.WriteAllText(askpass, $"#!/bin/sh\nexec cat {CommandSpec.Quote(pass)}\n");
            File.SetUnixFileMode(askpass, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            environment["SSH_ASKPASS"] = askpass;
            environment["SSH_ASKPASS_REQUIRE"] = "force";
            environment["DISPLAY"] = ":0";
        }
        string identity;
        if (settings.AgentSocket is not { } agent) identity = $"-i {CommandSpec.Quote(settings.KeyPath!)}";
        else
        {
            // The agent's key that logged the transport in, named by its public half: ssh asks the agent to sign with it,
            // and IdentitiesOnly keeps any other key (this user's key files, the agent's others) out of the login.
            var key = target.AgentKey ?? throw new InvalidOperationException("no key of the agent's logged in");
            var pub = Path.Combine(folder, "agent_key.pub");
            File.WriteAllText(pub, key.PublicLine + "\n");
            environment["SSH_AUTH_SOCK"] = agent;
            identity = $"-i {CommandSpec.Quote(pub)} -o IdentityAgent=SSH_AUTH_SOCK";
        }
        // -F /dev/null: this user's ssh config (a ProxyCommand, another user or key) has no say, as it has none in SSH.NET's login.
        var ssh = new StringBuilder($"ssh -F /dev/null {identity} -p {settings.Port} -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes")
            .Append($" -o UserKnownHostsFile={CommandSpec.Quote(knownHosts)} -o GlobalKnownHostsFile=/dev/null -o ConnectTimeout={(int)settings.ConnectTimeout.TotalSeconds}")
            .Append(settings.KeyPassphrase is null ? " -o BatchMode=yes" : " -o NumberOfPasswordPrompts=1 -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no")
            .ToString();
        // An I/O timeout: rsync ends when nothing moves for that long (a lost link, or a receiver that died of a full
        // disk while the sender waits on ssh), where it would otherwise wait for the whole command's timeout.
        // --safe-links: a link in the source that leads out of it (to /etc, up past its root) is left out, never served there.
        var arguments = new List<string> { "-a", "--delete", "--safe-links", "--protect-args", "--itemize-changes", $"--timeout={(int)settings.IdleTimeout.TotalSeconds}", "-e", ssh };
        if (dryRun) arguments.Add("--dry-run");
        if (settings.UseSudo) arguments.Add("--rsync-path=sudo -n rsync");
        arguments.AddRange(filters);
        arguments.Add(source.TrimEnd('/') + "/");
        arguments.Add($"{settings.User}@{(settings.Host.Contains(':') ? $"[{settings.Host}]" : settings.Host)}:{destination.TrimEnd('/')}/");
        return local.Run(new CommandSpec("rsync", arguments) { Environment = environment, Timeout = timeout });
    }

    /// <summary>
    /// The links in <paramref name="source"/> that lead out of it (an absolute target, or one that climbs past the
    /// root), as rsync's --safe-links leaves them out: named so the push can say so.
    /// </summary>
    public static IReadOnlyList<string> UnsafeLinks(string source)
    {
        var root = Path.GetFullPath(source).TrimEnd('/');
        var options = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0 };
        var found = new List<string>();
        var folders = new Stack<string>([root]);
        while (folders.TryPop(out var folder))
            foreach (var entry in Directory.EnumerateFileSystemEntries(folder, "*", options))
            {
                var info = new FileInfo(entry);
                if (info.LinkTarget is not { } target)
                {
                    // Down real folders only: a linked one is a link like any other.
                    if ((info.Attributes & FileAttributes.Directory) != 0) folders.Push(entry);
                    continue;
                }
                var leads = Path.GetFullPath(Path.Combine(folder, target));
                if (Path.IsPathRooted(target) || !(leads == root || leads.StartsWith(root + "/", StringComparison.Ordinal)))
                    found.Add(Path.GetRelativePath(root, entry));
            }
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    /// <summary>The paths an itemized run changed (created, updated or deleted), leaving out folders whose times alone differ.</summary>
    public static IReadOnlyList<string> Changes(CommandResult result)
        => result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => ItemLine().IsMatch(line) && !line.StartsWith(".d..t", StringComparison.Ordinal))
            .Select(line => line.StartsWith("*deleting", StringComparison.Ordinal) ? "deleted " + line[9..].Trim() : line[12..])
            .ToList();

    /// <summary>A line of --itemize-changes: YXcstpoguax and the path, or a deletion.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^([<>ch.][fdLDS][^ ]{9} |\*deleting +)")]
    private static partial System.Text.RegularExpressions.Regex ItemLine();
}
