namespace Aegir.Core.Transport;

/// <summary>
/// How to reach a remote server over SSH: key authentication only, the host key pinned by its SHA-256 fingerprint
/// (as ssh prints it, without "SHA256:"); nothing is sent to a host whose key is not the pinned one.
/// </summary>
public sealed record SshSettings(string Host, int Port, string User, string KeyPath)
{
    /// <summary>The pinned host key; null: the first connection fails, naming the fingerprint to pin.</summary>
    public string? HostKeyFingerprint { get; init; }

    /// <summary>The key's passphrase, when it has one (a secret: never logged).</summary>
    public string? KeyPassphrase { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A fingerprint written as ssh prints it (with or without "SHA256:"), as it is compared.</summary>
    public static string Fingerprint(string text) => text.StartsWith("SHA256:", StringComparison.Ordinal) ? text[7..].TrimEnd('=') : text.TrimEnd('=');
}
