using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Aegir.Core.Errors;
using Aegir.Core.IO;

namespace Aegir.Core.Services.Certificates;

/// <summary>
/// A certificate and its key given as files (the File source), checked before anything is written: each a plain file
/// (no link, device or FIFO), the key unencrypted and the certificate's own, the chain complete up to a root, every
/// one of the site's names covered, and valid now. What passes is the PEM text to store; what fails says why and how.
/// </summary>
public static class CertificateFiles
{
    /// <summary>More than any certificate chain or key takes.</summary>
    public const long Limit = 1024 * 1024;

    public sealed record Checked(string CertificatePem, string KeyPem, X509Certificate2 Leaf);

    /// <summary>Checks the files for <paramref name="hosts"/> (the site's uri and aliases) on this machine.</summary>
    public static Checked Check(string certificatePath, string keyPath, IReadOnlyList<string> hosts, DateTime? now = null)
    {
        var certText = Read("CertificatePath", certificatePath);
        var keyText = Read("CertificateKeyPath", keyPath);
        try { return CheckPem(certText, keyText, hosts, now, certificatePath); }
        catch (Problem p) { throw Refused(p.OfKey ? "CertificateKeyPath" : "CertificatePath", p.OfKey ? keyPath : certificatePath, p.Message, p.Fix); }
    }

    /// <summary>A check the PEM text of a certificate or its key fails: which of the two, why, and how to fix it.</summary>
    public sealed class Problem(bool ofKey, string why, string fix) : Exception(why)
    {
        public bool OfKey => ofKey;
        public string Fix => fix;
    }

    /// <summary>
    /// The same checks on PEM texts from elsewhere (a backup's): the key the certificate's, the certificate fit for a
    /// site, every name covered, valid now, the chain whole, up to this machine's roots or <paramref name="roots"/> (a
    /// private CA's, trusted for the web server's ACME directory). Throws <see cref="Problem"/>; <paramref name="label"/>
    /// names the certificate in messages.
    /// </summary>
    public static Checked CheckPem(string certText, string keyText, IReadOnlyList<string> hosts, DateTime? now = null, string label = "the certificate file",
        IReadOnlyCollection<X509Certificate2>? roots = null)
    {
        var at = now ?? DateTime.UtcNow;
        var chain = ReadChain(certText);
        var leaf = chain[0];
        var key = ReadKey(keyText);
        if (!Holds(leaf, key))
        {
            if (chain.Skip(1).FirstOrDefault(c => Holds(c, key)) is { } site)
                throw new Problem(false, $"the site's certificate must come first in {label}: it begins with {leaf.Subject}, and the key is that of {site.Subject}, later in the file",
                    "Put the site's certificate first, then its chain: cat leaf.pem chain.pem > fullchain.pem.");
            throw new Problem(true, $"it is not the key of the certificate in {label} (subject {leaf.Subject})",
                "Give the private key that was made with this certificate's request.");
        }
        CertificatePurpose.Check(leaf);
        if (leaf.NotAfter.ToUniversalTime() <= at)
            throw new Problem(false, $"the certificate expired on {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC", "Give a current certificate.");
        if (leaf.NotBefore.ToUniversalTime() > at.AddMinutes(5))
            throw new Problem(false, $"the certificate is valid only from {leaf.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC", "Give one valid now, or check this machine's clock.");
        var names = CertificateFacts.Names(leaf);
        if (names.Count == 0)
            throw new Problem(false, "the certificate has no subject alternative names (browsers ignore the subject's CN)", "Give a certificate issued with every host name of the site as a subject alternative name.");
        if (CertificateNames.Uncovered(names, hosts) is { Count: > 0 } uncovered)
            throw new Problem(false, $"it does not cover {string.Join(", ", uncovered)} (it names {string.Join(", ", names)})",
                "Give a certificate for every name the site answers to (its uri and each alias), or remove those aliases first.");
        CheckChain(chain, at, roots);
        return new Checked(string.Concat(chain.Select(c => c.ExportCertificatePem() + "\n")), keyText, leaf);
    }

    /// <summary>
    /// The file's text: a plain file of this size at most, read without following a link; a binary file (DER,
    /// PKCS#12) is refused saying how to convert it. <paramref name="parameter"/> names the file in messages.
    /// </summary>
    internal static string Read(string parameter, string path)
    {
        if (!Path.IsPathFullyQualified(path))
            throw Refused(parameter, path, "it is not a full path", "Give the full path of the file.");
        var status = Posix.Stat(path);
        if (status is null) throw Refused(parameter, path, "there is no such file", "Give the path of an existing PEM file.");
        if (status.IsLink)
            throw Refused(parameter, path, "it is a symbolic link, not a plain file, and links are never followed", "Give the file it leads to (certbot's live/ files are links into its archive/ folder).");
        if (status.IsDirectory || !Posix.IsRegularFile(path))
            throw Refused(parameter, path, "it is not a plain file", "Give the path of a PEM file.");
        byte[]? bytes;
        try { bytes = SafePath.ReadFile(path, Limit); }
        catch (Exception ex) when (ex is IOException or SafePath.BlockedException or UnauthorizedAccessException)
        {
            throw Refused(parameter, path, ex.Message.TrimEnd('.'), "Give a plain PEM file of at most 1 MiB, no link on the way to it.");
        }
        if (bytes is null) throw Refused(parameter, path, "there is no such file", "Give the path of an existing PEM file.");
        try { return new UTF8Encoding(false, true).GetString(bytes); }
        catch (DecoderFallbackException)
        {
            var convert = parameter == "CertificateKeyPath" ? $"openssl pkey -inform der -in {path} -out {path}.pem" : $"openssl x509 -inform der -in {path} -out {path}.pem";
            throw Refused(parameter, path, "it is not PEM text (a DER or PKCS#12 file?)",
                $"Convert it to PEM (-----BEGIN ...----- blocks) first: {convert} (a PKCS#12 file: openssl pkcs12 -in {path} -nodes -out {path}.pem), and give that file.");
        }
    }

    static X509Certificate2Collection ReadChain(string text)
    {
        X509Certificate2Collection chain;
        try { chain = CertificateFacts.Chain(text); }
        catch (CryptographicException ex) { throw new Problem(false, $"it holds no readable certificate ({ex.Message.TrimEnd('.')})", "Give the PEM file with the site's certificate first, then its chain."); }
        if (chain.Count == 0) throw new Problem(false, "it holds no certificate", "Give the PEM file with the site's certificate first, then its chain.");
        if (text.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            throw new Problem(false, "it holds a private key as well", "Give the certificate and its chain alone, and the key in a file of its own (-CertificateKeyPath).");
        return chain;
    }

    sealed record Key(byte[] PublicKeyInfo);

    static bool Holds(X509Certificate2 cert, Key key) => cert.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.PublicKeyInfo);

    static Key ReadKey(string text)
    {
        if (text.Contains("ENCRYPTED", StringComparison.Ordinal))
            throw new Problem(true, "the key is encrypted, and a web server could not start without its passphrase", "Give the key unencrypted (openssl pkey -in KEY -out PLAIN), in a file only root reads.");
        if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            throw new Problem(true, "it holds a certificate as well", "Give the private key alone in this file.");
        foreach (var make in new Func<AsymmetricAlgorithm>[] { RSA.Create, ECDsa.Create })
        {
            using var algorithm = make();
            try
            {
                algorithm.ImportFromPem(text);
                return new Key(algorithm.ExportSubjectPublicKeyInfo());
            }
            catch (Exception ex) when (ex is ArgumentException or CryptographicException) { }
        }
        throw new Problem(true, "it holds no RSA or ECDSA private key in PEM", "Give the site's private key as a PEM file (-----BEGIN PRIVATE KEY-----).");
    }

    /// <summary>
    /// Each certificate is signed by the next, and the last is a root: one this machine trusts, one of the
    /// <paramref name="roots"/> given, one the file ends with, or the site's own (self-signed). A chain that stops at an
    /// intermediate leaves visitors' browsers to find the rest, which many do not.
    /// </summary>
    static void CheckChain(X509Certificate2Collection chain, DateTime at, IReadOnlyCollection<X509Certificate2>? roots)
    {
        for (int i = 0; i + 1 < chain.Count; i++)
            if (!chain[i].IssuerName.RawData.AsSpan().SequenceEqual(chain[i + 1].SubjectName.RawData))
                throw new Problem(false, $"certificate {i + 1} ({chain[i].Subject}) is issued by {chain[i].Issuer}, but the next one is {chain[i + 1].Subject}",
                    "Put the site's certificate first, then each issuer in turn (the CA's fullchain file is in this order).");
        foreach (var cert in chain.Skip(1))
            if (cert.NotAfter.ToUniversalTime() <= at)
                throw new Problem(false, $"the chain's certificate {cert.Subject} expired on {cert.NotAfter.ToUniversalTime():yyyy-MM-dd}", "Give the CA's current chain.");
        var last = chain[^1];
        using var system = Build(chain, null);
        if (system.Ok) return;
        if (roots is { Count: > 0 })
        {
            using var trusted = Build(chain, roots);
            if (trusted.Ok) return;
        }
        if (!CertificateFacts.IsSelfSigned(last))
            throw new Problem(false, $"the chain is incomplete: it ends with {last.Subject}, issued by {last.Issuer}, which is neither in the file nor a root this machine trusts{(roots is { Count: > 0 } ? " or the web server's acme_roots hold" : "")}",
                "Append the intermediate certificates after the site's own (the CA's fullchain file), or the private CA's root.");
        using var own = Build(chain, [last]);
        if (!own.Ok)
            throw new Problem(false, $"the chain does not hold together ({own.Problem})", "Give the site's certificate and its issuers' as the CA sent them.");
    }

    /// <summary>The chain to this machine's roots or to <paramref name="roots"/> alone; its dates and usage are checked on their own.</summary>
    static CertificateChain Build(X509Certificate2Collection chain, IEnumerable<X509Certificate2>? roots)
        => CertificateChain.Build(chain, roots, X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreWrongUsage);

    static AegirException Refused(string parameter, string path, string problem, string fix) => ErrorCatalog.CertificateRefused(parameter, path, problem, fix);
}
