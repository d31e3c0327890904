using System.Text.Json;
using Aegir.Core.Contexts;
using Aegir.Core.IO;

namespace Aegir.Core.Services.Certificates;

/// <summary>
/// The sites' certificates and keys on this machine, under <c>$AEGIR_HOME/certificates</c> (folders 0700, files 0600):
/// <code>
/// certificates/&lt;uri&gt;/certificate.json          what Get-AegirCertificate and a renewal round read (no secret)
/// certificates/&lt;uri&gt;/&lt;generation&gt;/fullchain.pem   the certificate, then its chain
/// certificates/&lt;uri&gt;/&lt;generation&gt;/key.pem
/// </code>
/// Each new certificate gets a folder of its own and certificate.json names the one in use, so a change is undone by
/// writing the old certificate.json back (no key ever passes through a task's journal), and a renewal that fails
/// leaves the one in use as it is. Web servers get copies (<see cref="Http.TemplatedWebService"/>); this is the truth.
/// Room left for what comes next: an ACME account per directory and email in <c>certificates/_acme/</c> (a name no site
/// can have), its key kept as a site's is; a renewal round that reads certificate.json alone (NotAfter, LastRenewal)
/// and renews into a new generation, switched to only once the web servers took it; migrate keeps the uri and so the
/// store, pushing the same files to the new web server. A backup carries certificate.json and the files of the
/// generation in use, and a restore stores them anew (Operations/Site/SiteCertificateCarry).
/// </summary>
public sealed class CertificateStore(string home)
{
    /// <summary>A certificate with fewer days left than this is made anew (self-signed) or renewed (ACME).</summary>
    public const int RenewDays = 30;

    const string MetaFile = "certificate.json";
    const string CertificateFile = "fullchain.pem";
    const string KeyFile = "key.pem";

    public string Folder => Path.Combine(home, "certificates");

    string SiteFolder(string uri) => Path.Combine(Folder, Validate.SiteHost("Uri", uri));

    /// <summary>The site's current certificate; null when the store holds none for it.</summary>
    public AegirCertificate? Get(string uri) => Parse(MetaText(uri), uri);

    /// <summary>Every site's certificate, by uri.</summary>
    public IEnumerable<AegirCertificate> List()
    {
        if (!Directory.Exists(Folder)) yield break;
        foreach (var dir in Directory.EnumerateDirectories(Folder).Order(StringComparer.Ordinal))
            if (Parse(ReadText(Path.Combine(dir, MetaFile)), Path.GetFileName(dir)) is { } cert) yield return cert;
    }

    /// <summary>certificate.json as it is (for an undo to put back); null when there is none.</summary>
    public string? MetaText(string uri) => ReadText(Path.Combine(SiteFolder(uri), MetaFile));

    /// <summary>The PEM files of a stored certificate: the certificate with its chain, and its key.</summary>
    public (string CertificatePem, string KeyPem) Files(AegirCertificate cert)
    {
        var dir = Path.Combine(SiteFolder(cert.Site), Generation(cert.Generation));
        return (ReadText(Path.Combine(dir, CertificateFile)) ?? throw Missing(cert, CertificateFile),
                ReadText(Path.Combine(dir, KeyFile)) ?? throw Missing(cert, KeyFile));
    }

    /// <summary>
    /// Stores a new certificate for a site and makes it the one in use. Older generations go, but for the one it
    /// replaces (an undo may put that back).
    /// </summary>
    public AegirCertificate Save(string uri, CertificateSource source, string certificatePem, string keyPem, string? note = null)
        => Use(Stage(uri, source, certificatePem, keyPem, note));

    /// <summary>
    /// Writes a new certificate's files into a generation of their own without putting it in use: a renewal serves it
    /// from there once the web servers took it (<see cref="Use"/>); until then the one in use stays as it is.
    /// </summary>
    public AegirCertificate Stage(string uri, CertificateSource source, string certificatePem, string keyPem, string? note = null)
    {
        var leaf = CertificateFacts.Leaf(certificatePem);
        var now = DateTime.UtcNow;
        var thumbprint = CertificateFacts.Thumbprint(leaf);
        var cert = new AegirCertificate
        {
            Site = uri, Source = source, Names = CertificateFacts.Names(leaf), Subject = leaf.Subject, Issuer = leaf.Issuer,
            NotBefore = leaf.NotBefore.ToUniversalTime(), NotAfter = leaf.NotAfter.ToUniversalTime(), Thumbprint = thumbprint,
            SelfSigned = CertificateFacts.IsSelfSigned(leaf), Stored = now, Note = note,
            Generation = $"{now:yyyyMMdd'T'HHmmssfff}-{thumbprint[..12].ToLowerInvariant()}",
        };
        AtomicFile.EnsurePrivateDirectory(Folder);
        AtomicFile.EnsurePrivateDirectory(SiteFolder(uri));
        var dir = Path.Combine(SiteFolder(uri), cert.Generation);
        AtomicFile.EnsurePrivateDirectory(dir);
        AtomicFile.WriteAllText(Path.Combine(dir, KeyFile), keyPem);
        AtomicFile.WriteAllText(Path.Combine(dir, CertificateFile), certificatePem);
        return cert;
    }

    /// <summary>Makes a staged certificate the one in use; older generations go, but for the one it replaces.</summary>
    public AegirCertificate Use(AegirCertificate cert, string? outcome = null)
    {
        var previous = Get(cert.Site);
        if (outcome is not null) cert = cert with { LastRenewal = outcome, LastRenewalTime = DateTime.UtcNow, RenewalFailures = 0 };
        WriteMeta(cert.Site, cert);
        Prune(cert.Site, [cert.Generation, .. previous is null ? Array.Empty<string>() : [previous.Generation]]);
        return cert;
    }

    /// <summary>Notes the outcome of a renewal attempt on the certificate in use (its files stay as they are); a failure counts toward the schedule's backoff.</summary>
    public void NoteRenewal(string uri, string outcome, bool failed = false)
    {
        if (Get(uri) is { } cert)
            WriteMeta(uri, cert with { LastRenewal = outcome, LastRenewalTime = DateTime.UtcNow, RenewalFailures = failed ? cert.RenewalFailures + 1 : 0 });
    }

    /// <summary>Puts certificate.json back as it was (none: the site's folder goes), and drops the generations it does not name.</summary>
    public void Restore(string uri, string? metaText)
    {
        if (metaText is null) { Remove(uri); return; }
        var cert = Parse(metaText, uri) ?? throw new InvalidDataException($"the saved certificate record of {uri} is not one");
        WriteMeta(uri, cert);
        Prune(uri, [cert.Generation]);
    }

    /// <summary>Removes the site's certificates and keys.</summary>
    public void Remove(string uri)
    {
        var dir = SiteFolder(uri);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    void WriteMeta(string uri, AegirCertificate cert) => AtomicFile.WriteAllBytes(Path.Combine(SiteFolder(uri), MetaFile), JsonSerializer.SerializeToUtf8Bytes(cert, CertificateJson.Default.AegirCertificate));

    void Prune(string uri, IReadOnlyCollection<string> keep)
    {
        foreach (var dir in Directory.EnumerateDirectories(SiteFolder(uri)))
            if (!keep.Contains(Path.GetFileName(dir))) Directory.Delete(dir, recursive: true);
    }

    static string? ReadText(string path) => File.Exists(path) ? File.ReadAllText(path) : null;

    static AegirCertificate? Parse(string? text, string uri)
    {
        if (text is null) return null;
        try { return JsonSerializer.Deserialize(text, CertificateJson.Default.AegirCertificate) is { } cert && cert.Site == uri ? cert : null; }
        catch (JsonException) { return null; }
    }

    /// <summary>A generation's name is a plain folder name: a record that says otherwise is not followed anywhere.</summary>
    static string Generation(string name)
        => name.Length is > 0 and < 100 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or 'T') ? name
            : throw new InvalidDataException($"'{name}' is not a certificate generation");

    static IOException Missing(AegirCertificate cert, string file)
        => new($"the certificate store lacks {file} of the certificate of {cert.Site} ({cert.Generation}); verify the site to make or give it again");
}
