using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.IO;

namespace Aegir.Core.Services.Certificates;

/// <summary>
/// Where a web server's sites of the LetsEncrypt source get their certificates: the ACME directory, the account's
/// email, and the roots trusted for a private directory (Pebble, step-ca), from the web service's settings.
/// </summary>
public sealed record AcmeSettings(string Directory, string? Email, string? RootsPath)
{
    /// <summary>Let's Encrypt's production directory: the default.</summary>
    public const string LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";

    /// <summary>Where the store keeps what ACME needs: accounts and trusted roots (a name no site can have).</summary>
    public const string Folder = "_acme";

    public static AcmeSettings Of(AegirServer web)
        => new(web.Http.Get("acme_directory") ?? LetsEncrypt, web.Http.Get("acme_email"), web.Http.Get("acme_roots"));

    /// <summary>
    /// A public CA (Let's Encrypt, production or staging) signs public names only: .test, .local, an IP and the like
    /// keep a self-signed certificate. A private directory (Pebble, step-ca) signs whatever names its owner lets it.
    /// </summary>
    public bool PublicCa => new Uri(Directory).Host.EndsWith("api.letsencrypt.org", StringComparison.OrdinalIgnoreCase);

    /// <summary>The names of <paramref name="hosts"/> this directory would never sign (none for a private one).</summary>
    public IReadOnlyList<string> Unsignable(IEnumerable<string> hosts)
        => PublicCa ? hosts.Where(h => !CertificateNames.PubliclySignable(h)).ToList() : [];

    /// <summary>
    /// Checks a PEM file of roots for a private ACME directory (certificates only, none expired) and copies it into the
    /// store, named by its content; returns the copy's path for the acme_roots setting.
    /// </summary>
    public static string ImportRoots(string home, string path)
    {
        var (copy, pem) = CheckRoots(home, path);
        SaveRoots(copy, pem);
        return copy;
    }

    /// <summary>Writes a roots file <see cref="CheckRoots"/> passed into the store (0600, in a folder 0700).</summary>
    public static void SaveRoots(string copy, string pem)
    {
        var folder = Path.GetDirectoryName(copy)!;
        AtomicFile.EnsurePrivateDirectory(Path.GetDirectoryName(folder)!);
        AtomicFile.EnsurePrivateDirectory(folder);
        AtomicFile.WriteAllText(copy, pem);
    }

    /// <summary>The roots trusted for this directory (the acme_roots file), or null when it sets none or its file is gone.</summary>
    public IReadOnlyList<X509Certificate2>? Roots()
        => RootsPath is { } roots && File.Exists(roots) ? [.. CertificateFacts.Chain(File.ReadAllText(roots))] : null;

    /// <summary>
    /// Deletes <paramref name="former"/>, a roots file a server's acme_roots named before it changed, when it is one of
    /// the store's and no server names it any more: each setting copies its file in, so the old ones would pile up.
    /// </summary>
    public static bool ForgetRoots(string home, string former, IEnumerable<AegirServer> servers)
    {
        var folder = Path.Combine(home, "certificates", Folder);
        if (Path.GetDirectoryName(former) != folder || !Path.GetFileName(former).StartsWith("roots-", StringComparison.Ordinal)) return false;
        if (servers.Any(s => !s.Http.IsNull && s.Http.Get("acme_roots") == former)) return false;
        if (!File.Exists(former)) return false;
        File.Delete(former);
        return true;
    }

    /// <summary>Checks a roots file, writing nothing: the path its copy in the store gets, and its text.</summary>
    public static (string Copy, string Pem) CheckRoots(string home, string path)
    {
        const string parameter = "AcmeRootCertificate";
        const string fix = "Give a PEM file holding the ACME server's API certificate (or its CA) and the root it issues under, as -----BEGIN CERTIFICATE----- blocks.";
        var text = CertificateFiles.Read(parameter, path);
        if (text.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            throw ErrorCatalog.CertificateRefused(parameter, path, "it holds a private key", "Give the certificates alone: a key never goes into the roots file.");
        X509Certificate2Collection roots;
        try { roots = CertificateFacts.Chain(text); }
        catch (CryptographicException ex) { throw ErrorCatalog.CertificateRefused(parameter, path, $"it holds no readable certificate ({ex.Message.TrimEnd('.')})", fix); }
        if (roots.Count == 0) throw ErrorCatalog.CertificateRefused(parameter, path, "it holds no certificate", fix);
        foreach (var root in roots)
            if (root.NotAfter.ToUniversalTime() <= DateTime.UtcNow)
                throw ErrorCatalog.CertificateRefused(parameter, path, $"{root.Subject} expired on {root.NotAfter.ToUniversalTime():yyyy-MM-dd}", fix);
        var pem = string.Concat(roots.Select(c => c.ExportCertificatePem() + "\n"));
        return (Path.Combine(home, "certificates", Folder, $"roots-{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(pem))).ToLowerInvariant()[..16]}.pem"), pem);
    }
}
