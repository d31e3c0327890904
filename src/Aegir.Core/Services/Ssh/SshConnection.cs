using Aegir.Core.Contexts;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.Ssh;

/// <summary>
/// How the control machine reaches a server that is another machine: SSH with a key (SSH.NET) from a key file or an
/// ssh-agent, the server's host key pinned by its SHA-256 fingerprint. The transport itself is made by Transport.TransportFactory from these.
/// </summary>
[ServiceType]
public static class SshConnection
{
    public static ServiceTypeInfo Info { get; } = new(ServiceCatalog.Transport, SshSettings.Type, "SSH with a key (a key file or an ssh-agent's); the host key pinned by its fingerprint.",
    [
        new(SshSettings.UserSetting, SettingKind.PosixName, "root", "The account the module logs in as."),
        new(SshSettings.PortSetting, SettingKind.Port, "22", "The port sshd listens on."),
        new(SshSettings.KeyPathSetting, SettingKind.Path, null, "The private key on the control machine (readable by its owner only); or agent_socket."),
        new(SshSettings.KeyPassphraseSetting, SettingKind.Secret, null, "The key's passphrase, when it has one (kept only in the 0600 context file)."),
        new(SshSettings.AgentSocketSetting, SettingKind.Path, null, "The socket of an ssh-agent of the control machine's user that holds the key, instead of key_path; the key never leaves the agent."),
        new(SshSettings.HostKeySetting, SettingKind.Fingerprint, null, "The server's host key as ssh-keygen -l prints it (SHA256:...); pinned by Invoke-AegirVerify -TrustHostKey."),
        new(SshSettings.PrivilegeSetting, SettingKind.Choice, SshSettings.AsRoot, "How the module's work runs there: root (the ssh user is root), or sudo (the ssh user runs the module's helper and rsync through sudo, with the rules verify prints).")
            { Choices = [SshSettings.AsRoot, SshSettings.WithSudo] },
    ]);
}
