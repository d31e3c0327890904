using Aegir.Core.Contexts;
using Aegir.Core.Services.Certificates;

namespace Aegir.Core.Operations.Site;

/// <summary>A certificate file and its key file an admin gives for a site (the File source): paths on this machine.</summary>
public sealed record CertificateGiven(string CertificatePath, string KeyPath)
{
    /// <summary>Both paths, or null when neither is given (one without the other is refused before).</summary>
    public static CertificateGiven? Of(string? certificatePath, string? keyPath)
        => certificatePath is not null && keyPath is not null ? new(certificatePath, keyPath) : null;

    /// <summary>
    /// Checks the files for the site's names and copies them into the certificate store at once: for a site only
    /// recorded, whose install serves them later.
    /// </summary>
    public AegirCertificate SaveTo(string home, AegirSite site)
    {
        var files = CertificateFiles.Check(CertificatePath, KeyPath, site.HostNames().ToList());
        return new CertificateStore(home).Save(site.Uri, CertificateSource.File, files.CertificatePem, files.KeyPem);
    }
}
