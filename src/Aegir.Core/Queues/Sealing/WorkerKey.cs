using System.Security.Cryptography;
using Aegir.Core.Errors;
using Aegir.Core.IO;

namespace Aegir.Core.Queues.Sealing;

/// <summary>
/// The RSA key a worker opens sealed secrets with: the private key stays on the worker's machine (owner-only PEM);
/// the control machine keeps only the public key, and seals for it. <see cref="Kid"/> is the first 16 characters of
/// the SHA-256 of the public key (SubjectPublicKeyInfo), in base64url: what a sealed secret names.
/// </summary>
public sealed class WorkerKey : IDisposable
{
    public const int Bits = 3072;

    WorkerKey(RSA rsa, bool hasPrivate)
    {
        Rsa = rsa;
        HasPrivateKey = hasPrivate;
        var hash = SHA256.HashData(rsa.ExportSubjectPublicKeyInfo());
        Kid = Convert.ToBase64String(hash).TrimEnd('=').Replace('+', '-').Replace('/', '_')[..16];
    }

    internal RSA Rsa { get; }
    public bool HasPrivateKey { get; }
    public string Kid { get; }

    public static WorkerKey Create() => new(RSA.Create(Bits), true);

    /// <summary>The public half, as PEM (-----BEGIN PUBLIC KEY-----), to keep with the server's record.</summary>
    public string PublicPem => Rsa.ExportSubjectPublicKeyInfoPem();

    /// <summary>The public half as one line (SubjectPublicKeyInfo, base64): what a server's record keeps.</summary>
    public string PublicSpki => Convert.ToBase64String(Rsa.ExportSubjectPublicKeyInfo());

    /// <summary>A public key from the one line a server's record keeps.</summary>
    public static WorkerKey FromSpki(string base64)
    {
        Contexts.Validate.WorkerKey("WorkerKey", base64);   // the record's own check: RSA, 2048 bits or more
        var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(base64), out _);
        return new WorkerKey(rsa, false);
    }

    /// <summary>Signs with the private key (RSA-PSS, SHA-256): what a worker checks a task came from its control machine.</summary>
    public string Sign(byte[] data)
    {
        if (!HasPrivateKey) throw new InvalidOperationException("A public key cannot sign.");
        return Convert.ToBase64String(Rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
    }

    public bool Verify(byte[] data, string signature)
    {
        try { return Rsa.VerifyData(data, Convert.FromBase64String(signature), HashAlgorithmName.SHA256, RSASignaturePadding.Pss); }
        catch (FormatException) { return false; }
    }

    /// <summary>The control machine's own key (it signs the tasks it sends to servers' workers), made on first use, owner-only.</summary>
    public static WorkerKey Control(string home)
    {
        var dir = Path.Combine(home, "keys");
        var path = Path.Combine(dir, "control.key");
        if (File.Exists(path)) return LoadPrivate(path);
        AtomicFile.EnsurePrivateDirectory(dir);
        var key = Create();
        key.SavePrivate(path);
        return key;
    }

    /// <summary>The private key as PEM (PKCS#8), to write where the worker runs.</summary>
    public string PrivatePem()
    {
        if (!HasPrivateKey) throw new InvalidOperationException("A public key has no private half.");
        return Rsa.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>Writes the private key, owner-only, all at once.</summary>
    public void SavePrivate(string path)
    {
        if (!HasPrivateKey) throw new InvalidOperationException("A public key has no private half to save.");
        AtomicFile.WriteAllText(path, PrivatePem());
    }

    /// <summary>A worker's private key from its file: refused when others can read it, or when it is not an RSA key of <see cref="Bits"/> bits or more.</summary>
    public static WorkerKey LoadPrivate(string path)
    {
        if (!File.Exists(path)) throw ErrorCatalog.InvalidValue("WorkerKey", path, "there is no worker key at that path", "Make the worker's key with Set-AegirServer -OwnWorker on the control machine.");
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            throw ErrorCatalog.InvalidValue("WorkerKey", path, "the worker's private key can be read by others than its owner", $"chmod 600 '{path}', then make a new key with Set-AegirServer -OwnWorker: others may have read this one.");
        return FromPem(File.ReadAllText(path), path, requirePrivate: true);
    }

    /// <summary>A key from PEM text: a public key (what the control machine keeps), or a private one.</summary>
    public static WorkerKey FromPem(string pem, string what, bool requirePrivate = false)
    {
        var rsa = RSA.Create();
        try { rsa.ImportFromPem(pem); }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            throw ErrorCatalog.InvalidValue("WorkerKey", what, "it holds no RSA key in PEM", "Give an RSA key as PEM (-----BEGIN PUBLIC KEY----- or -----BEGIN PRIVATE KEY-----).");
        }
        bool hasPrivate;
        try { rsa.ExportParameters(true); hasPrivate = true; }
        catch (CryptographicException) { hasPrivate = false; }
        if (rsa.KeySize < 2048 || (requirePrivate && !hasPrivate))
        {
            rsa.Dispose();
            throw ErrorCatalog.InvalidValue("WorkerKey", what, rsa.KeySize < 2048 ? $"its RSA key has {rsa.KeySize} bits, fewer than 2048" : "it holds a public key only", "Make the worker's key anew with Set-AegirServer -OwnWorker.");
        }
        return new WorkerKey(rsa, hasPrivate);
    }

    public void Dispose() => Rsa.Dispose();
}
