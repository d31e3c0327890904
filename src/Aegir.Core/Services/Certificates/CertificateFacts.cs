using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Aegir.Core.Services.Certificates;

/// <summary>What a certificate says about itself: its names, whether it signed itself, its SHA-256 thumbprint.</summary>
public static class CertificateFacts
{
    /// <summary>The DNS names of its subject alternative names (none when it has no such extension).</summary>
    public static IReadOnlyList<string> Names(X509Certificate2 cert)
        => cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).Select(n => n.ToLowerInvariant()).Distinct().ToList();

    public static bool IsSelfSigned(X509Certificate2 cert) => cert.SubjectName.RawData.AsSpan().SequenceEqual(cert.IssuerName.RawData);

    public static string Thumbprint(X509Certificate2 cert) => cert.GetCertHashString(HashAlgorithmName.SHA256);

    /// <summary>Every certificate in a PEM text, in order.</summary>
    public static X509Certificate2Collection Chain(string pem)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(pem);
        return chain;
    }

    /// <summary>The leaf (first certificate) of a PEM text.</summary>
    public static X509Certificate2 Leaf(string pem) => Chain(pem) is { Count: > 0 } chain ? chain[0] : throw new CryptographicException("no certificate in the PEM text");
}
