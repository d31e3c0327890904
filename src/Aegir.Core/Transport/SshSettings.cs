using Aegir.Core.Contexts;

namespace Aegir.Core.Transport;

/// <summary>
/// How to reach a remote server over SSH: key authentication only, by a key file (<see cref="KeyPath"/>) or by a key an
/// ssh-agent holds (<see cref="AgentSocket"/>), exactly one of them; the host key pinned by its SHA-256 fingerprint
/// (as ssh prints it, with or without "SHA256:"); nothing is sent to a host whose key is not the pinned one.
/// </summary>
public sealed record SshSettings(string Host, int Port, string User, string? KeyPath)
{
    /// <summary>The transport type and the setting names a server's record keeps them under.</summary>
    public const string Type = "ssh", UserSetting = "user", PortSetting = "port", KeyPathSetting = "key_path",
        KeyPassphraseSetting = "key_passphrase", AgentSocketSetting = "agent_socket", HostKeySetting = "host_key", PrivilegeSetting = "privilege";

    /// <summary>The module's work as the ssh user, who is root; or through sudo.</summary>
    public const string AsRoot = "root", WithSudo = "sudo";

    /// <summary>The programs the module runs through sudo, as a sudoers rule names them.</summary>
    public static readonly IReadOnlyList<string> SudoPrograms = ["/usr/bin/perl", "/usr/bin/rsync"];

    /// <summary>The server's name, for messages and fixes (null: the host stands for it).</summary>
    public string? Server { get; init; }

    /// <summary>The pinned host key; null: the first connection fails, naming the fingerprint to pin.</summary>
    public string? HostKeyFingerprint { get; init; }

    /// <summary>The ssh user is not root: the module's helper and rsync run through sudo (become root, no prompt).</summary>
    public bool UseSudo { get; init; }

    /// <summary>The sudoers line that lets the ssh user run what the module needs as root, without a password.</summary>
    public string SudoersLine => $"{User} ALL=(root) NOPASSWD: {string.Join(", ", SudoPrograms)}";

    /// <summary>The key's passphrase, when it has one (a secret: never logged).</summary>
    public string? KeyPassphrase { get; init; }

    /// <summary>The socket of the ssh-agent that holds the key, instead of a key file.</summary>
    public string? AgentSocket { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a connection may go without an answer (what it sent unacknowledged), and a transfer (rsync) without moving a byte, before it is given up.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The server as messages name it.</summary>
    public string Where => Server is null ? Host : $"'@{Server}' ({Host})";

    /// <summary>The ssh command line that logs in the same way, for fixes.</summary>
    public string Login => $"{(AgentSocket is null ? $"-i {KeyPath}" : $"-o IdentityAgent={AgentSocket}")}{(Port == 22 ? "" : $" -p {Port}")} {User}@{Host}";

    /// <summary>A fingerprint written as ssh prints it (with or without "SHA256:"), as it is compared.</summary>
    public static string Fingerprint(string text) => text.StartsWith("SHA256:", StringComparison.Ordinal) ? text[7..].TrimEnd('=') : text.TrimEnd('=');

    /// <summary>The settings a server's record gives; a record that names no ssh connection is refused with the settings to give.</summary>
    public static SshSettings Of(AegirServer server)
    {
        var c = server.Connection;
        if (c.Type != Type) throw Errors.ErrorCatalog.NoConnection(server.Name, server.RemoteHost);
        var (key, agent) = (c.Get(KeyPathSetting), c.Get(AgentSocketSetting));
        if (key is null && agent is null) throw Errors.ErrorCatalog.NoSshKey(server.Name);
        if (key is not null && agent is not null) throw Errors.ErrorCatalog.SshKeyAndAgent(server.Name);
        return new SshSettings(server.RemoteHost, c.GetInt(PortSetting), c.Get(UserSetting) ?? "root", key)
        {
            Server = server.Name,
            AgentSocket = agent,
            HostKeyFingerprint = c.Get(HostKeySetting),
            KeyPassphrase = c.RevealSecret(KeyPassphraseSetting),
            UseSudo = c.Get(PrivilegeSetting) == WithSudo,
        };
    }
}
