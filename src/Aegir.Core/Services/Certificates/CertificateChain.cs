using System.Security.Cryptography.X509Certificates;

namespace Aegir.Core.Services.Certificates;

/// <summary>
/// A certificate's chain as this machine builds it, offline (no revocation check, no downloads): from the leaf, with
/// the rest of its PEM as helpers, to this machine's roots or to the roots given alone.
/// </summary>
internal sealed class CertificateChain : IDisposable
{
    readonly X509Chain _chain;

    CertificateChain(X509Chain chain, bool ok)
    {
        _chain = chain;
        Ok = ok;
    }

    public bool Ok { get; }

    /// <summary>What the build found wrong, each once.</summary>
    public string Problem => string.Join("; ", _chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());

    /// <param name="chain">The leaf first, then the certificates that may help build its chain.</param>
    /// <param name="roots">The roots to trust instead of this machine's (they alone, even none); null for this machine's.</param>
    /// <param name="flags">What the caller checks on its own and the build may overlook (validity dates, usage).</param>
    public static CertificateChain Build(X509Certificate2Collection chain, IEnumerable<X509Certificate2>? roots, X509VerificationFlags flags = X509VerificationFlags.NoFlag)
    {
        var x = new X509Chain();
        x.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        x.ChainPolicy.VerificationFlags = flags;
        x.ChainPolicy.DisableCertificateDownloads = true;
        foreach (var c in chain.Skip(1)) x.ChainPolicy.ExtraStore.Add(c);
        if (roots is not null)
        {
            x.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            x.ChainPolicy.CustomTrustStore.AddRange(roots.ToArray());
        }
        return new CertificateChain(x, x.Build(chain[0]));
    }

    public void Dispose()
    {
        foreach (var e in _chain.ChainElements) e.Certificate.Dispose();
        _chain.Dispose();
    }
}
