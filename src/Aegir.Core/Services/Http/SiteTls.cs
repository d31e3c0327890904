namespace Aegir.Core.Services.Http;

/// <summary>
/// What a vhost needs to serve a site over HTTPS: its certificate (with chain) and key as PEM, pushed to the web
/// server beside its config, and the thumbprint its page check expects to be shown. A class, not a record, so that
/// no ToString ever prints the key.
/// </summary>
public sealed class SiteTls(bool required, string certificatePem, string keyPem, string thumbprint)
{
    /// <summary>HTTPS only: HTTP answers with a 301 to HTTPS, and HTTPS answers carry HSTS.</summary>
    public bool Required { get; } = required;
    public string CertificatePem { get; } = certificatePem;
    internal string KeyPem { get; } = keyPem;
    /// <summary>SHA-256 of the certificate, hex.</summary>
    public string Thumbprint { get; } = thumbprint;

    public override string ToString() => $"TLS {(Required ? "required" : "enabled")}, certificate {Thumbprint}";
}
