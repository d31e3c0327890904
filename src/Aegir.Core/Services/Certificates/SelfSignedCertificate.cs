using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Aegir.Core.Services.Certificates;

/// <summary>A certificate signed by its own key, made here with .NET (no openssl process, no key on a command line).</summary>
public static class SelfSignedCertificate
{
    /// <summary>How long one lasts: a verify makes a new one within <see cref="CertificateStore.RenewDays"/> of its end.</summary>
    public const int ValidDays = 397;

    /// <summary>A new ECDSA P-256 key and a certificate for <paramref name="names"/> (the first is its subject), both as PEM.</summary>
    public static (string CertificatePem, string KeyPem) Make(IReadOnlyList<string> names, DateTime? now = null)
    {
        if (names.Count == 0) throw new ArgumentException("a certificate needs a name", nameof(names));
        var start = (now ?? DateTime.UtcNow).AddMinutes(-5);   // a little slack for clocks a few minutes apart
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={names[0]}"), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names) san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));   // serverAuth
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using var cert = request.CreateSelfSigned(start, start.AddDays(ValidDays));
        return (cert.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
