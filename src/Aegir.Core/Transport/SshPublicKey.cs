namespace Aegir.Core.Transport;

/// <summary>
/// An OpenSSH public key line as authorized_keys takes it: type, base64 blob (which names the same type) and an
/// optional comment; no options (command=, from=...) and nothing on a second line, so a key grants a login and no more.
/// </summary>
public static class SshPublicKey
{
    static readonly string[] Types = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"];

    /// <summary>What is wrong with <paramref name="line"/> as one public key; null when it is one.</summary>
    public static string? Problem(string line)
    {
        var text = line.Trim();
        if (text.Length is 0 or > 16384) return "it is empty or over 16 KB";
        if (text.Any(c => char.IsControl(c))) return "it holds more than one line, or control characters";
        var words = text.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 2 || !Types.Contains(words[0], StringComparer.Ordinal)) return $"it does not begin with a key type ({string.Join(", ", Types.Take(3))}...), as a .pub file does";
        byte[] blob;
        try { blob = Convert.FromBase64String(words[1]); }
        catch (FormatException) { return "its key is not base64"; }
        if (blob.Length < 4) return "its key is too short";
        var length = (blob[0] << 24) | (blob[1] << 16) | (blob[2] << 8) | blob[3];
        if (length != words[0].Length || blob.Length < 4 + length || System.Text.Encoding.ASCII.GetString(blob, 4, length) != words[0])
            return $"its key is not a {words[0]} key";
        return null;
    }
}
