using System.Security.Cryptography;
using System.Text;
using Aegir.Core.Errors;

namespace Aegir.Core.Queues.Sealing;

/// <summary>
/// A secret sealed for one worker's key, to travel in a message the broker (and anyone who can read its queues)
/// sees: a fresh AES-256-GCM key encrypts the secret, RSA-OAEP-SHA256 wraps that key for the worker. The binding
/// (such as the task id and the field) is authenticated too, so a sealed value copied into another task's message
/// does not open there. <see cref="Kid"/> names the key it was sealed for, so a worker tells "not mine" from "altered".
/// </summary>
public sealed record SealedSecret(string Kid, string Key, string Nonce, string Tag, string Data)
{
    public const string Algorithm = "RSA-OAEP-256+A256GCM";

    public static SealedSecret Seal(string secret, WorkerKey recipient, string binding)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var data = new byte[plain.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        try
        {
            using (var aes = new AesGcm(key, tag.Length)) aes.Encrypt(nonce, plain, data, tag, Encoding.UTF8.GetBytes(binding));
            var wrapped = recipient.Rsa.Encrypt(key, RSAEncryptionPadding.OaepSHA256);
            return new SealedSecret(recipient.Kid, Convert.ToBase64String(wrapped), Convert.ToBase64String(nonce), Convert.ToBase64String(tag), Convert.ToBase64String(data));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>The secret, when this was sealed for <paramref name="own"/>'s key under the same binding; else a clear error.</summary>
    public string Open(WorkerKey own, string binding)
    {
        if (!own.HasPrivateKey) throw Refused(binding, "this key is a public key only", "Open it on the worker that holds the private key.");
        if (Kid != own.Kid) throw Refused(binding, $"it was sealed for key {Kid}, and this worker's key is {own.Kid}", "Queue the task again, so it is sealed for the key the server's worker holds now.");
        byte[]? key = null;
        try
        {
            key = own.Rsa.Decrypt(Convert.FromBase64String(Key), RSAEncryptionPadding.OaepSHA256);
            var data = Convert.FromBase64String(Data);
            var plain = new byte[data.Length];
            using (var aes = new AesGcm(key, AesGcm.TagByteSizes.MaxSize)) aes.Decrypt(Convert.FromBase64String(Nonce), data, Convert.FromBase64String(Tag), plain, Encoding.UTF8.GetBytes(binding));
            return Encoding.UTF8.GetString(plain);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            throw Refused(binding, "it does not open: it was altered, or sealed for another task", "Queue the task again from the control machine.");
        }
        finally { if (key is not null) CryptographicOperations.ZeroMemory(key); }
    }

    static AegirException Refused(string binding, string why, string fix)
        => ErrorCatalog.InvalidValue("SealedSecret", binding, $"the secret sealed for '{binding}' cannot be opened: {why}", fix);
}
