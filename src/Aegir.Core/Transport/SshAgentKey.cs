using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Aegir.Core.Transport;

/// <summary>A key an ssh-agent holds: its public half (the wire blob) and comment; the private half stays in the agent.</summary>
public sealed class SshAgentKey(byte[] blob, string comment)
{
    public byte[] Blob { get; } = blob;

    public string Comment { get; } = comment;

    /// <summary>The key's type, as the blob names it first (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256...).</summary>
    public string Type { get; } = TypeOf(blob);

    /// <summary>SHA256:... as ssh-add -l and ssh-keygen -l print it.</summary>
    public string Fingerprint => "SHA256:" + Convert.ToBase64String(SHA256.HashData(Blob)).TrimEnd('=');

    /// <summary>The key as an authorized_keys (or .pub) line.</summary>
    public string PublicLine => $"{Type} {Convert.ToBase64String(Blob)}{(Comment.Length == 0 ? "" : " " + Comment)}";

    /// <summary>
    /// The signatures to log in with, best first, and the agent's flag for each: an RSA key signs with SHA-512 or SHA-256
    /// (SHA-1's ssh-rsa is refused by current servers), any other key by its own algorithm.
    /// </summary>
    public IReadOnlyList<(string Algorithm, uint Flags)> Signatures => Type == "ssh-rsa"
        ? [("rsa-sha2-512", SshAgent.RsaSha512), ("rsa-sha2-256", SshAgent.RsaSha256)]
        : [(Type, 0)];

    public override string ToString() => $"{Fingerprint} ({(Comment.Length == 0 ? "" : Comment + ", ")}{Type})";

    static string TypeOf(byte[] blob)
    {
        if (blob.Length < 4) throw new SshAgentException("answered with a key too short to be one");
        var length = BinaryPrimitives.ReadUInt32BigEndian(blob);
        if (length == 0 || length > 64 || length > blob.Length - 4) throw new SshAgentException("answered with a key that names no type");
        var type = Encoding.ASCII.GetString(blob, 4, (int)length);
        if (!type.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '@' or '.' or '_')) throw new SshAgentException("answered with a key of an unreadable type");
        return type;
    }
}
