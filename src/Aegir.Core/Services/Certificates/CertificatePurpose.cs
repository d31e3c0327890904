using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Aegir.Core.Services.Certificates;

/// <summary>
/// What a site's certificate must be fit for before it is served: a server's (not a CA's), for TLS servers, with a key
/// and a signature strong enough. Each of these passes a chain build, then fails at curl, a browser or nginx -t.
/// </summary>
internal static class CertificatePurpose
{
    const string ServerAuth = "1.3.6.1.5.5.7.3.1";

    /// <summary>Signatures no TLS client accepts any more: MD5 and SHA-1, with RSA, DSA or ECDSA.</summary>
    static readonly Dictionary<string, string> WeakSignatures = new()
    {
        ["1.2.840.113549.1.1.4"] = "MD5", ["1.2.840.113549.1.1.5"] = "SHA-1", ["1.3.14.3.2.29"] = "SHA-1",
        ["1.2.840.10045.4.1"] = "SHA-1", ["1.2.840.10040.4.3"] = "SHA-1",
    };

    const string Reissue = "Have the CA issue the site a certificate for TLS servers (a CSR with an RSA key of 2048 bits or more, or an EC key of 256 bits or more; CA:FALSE; extended key usage serverAuth; signed with SHA-256 or stronger).";

    /// <summary>Throws <see cref="CertificateFiles.Problem"/> naming the first thing that unfits <paramref name="leaf"/> for a site.</summary>
    public static void Check(X509Certificate2 leaf)
    {
        if (leaf.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
            throw Unfit($"it is a CA's certificate (basic constraints CA:TRUE), which browsers refuse as a site's ({leaf.Subject})");
        if (leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } eku
            && !eku.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ServerAuth))
            throw Unfit($"its extended key usage ({string.Join(", ", eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.FriendlyName ?? o.Value))}) lacks serverAuth ({ServerAuth}), so TLS clients refuse it");
        using var rsa = leaf.GetRSAPublicKey();
        using var ec = rsa is null ? leaf.GetECDsaPublicKey() : null;
        if (leaf.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is { } ku
            && !ku.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature) && !(rsa is not null && ku.KeyUsages.HasFlag(X509KeyUsageFlags.KeyEncipherment)))
            throw Unfit($"its key usage ({ku.KeyUsages}) allows neither digitalSignature{(rsa is null ? "" : " nor keyEncipherment")}, which a TLS server's key does");
        if (rsa is { KeySize: < 2048 })
            throw Unfit($"its RSA key has {rsa.KeySize} bits, under the 2048 TLS clients and OpenSSL require");
        if (ec is { KeySize: < 256 })
            throw Unfit($"its EC key has {ec.KeySize} bits, under the 256 TLS clients and OpenSSL require");
        if (WeakSignatures.TryGetValue(leaf.SignatureAlgorithm.Value ?? "", out var hash))
            throw Unfit($"it is signed with {hash}, which TLS clients and OpenSSL no longer accept");
    }

    static CertificateFiles.Problem Unfit(string why) => new(false, why, Reissue);
}
