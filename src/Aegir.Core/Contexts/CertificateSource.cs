namespace Aegir.Core.Contexts;

/// <summary>
/// Where a site's certificate comes from: an ACME CA (Let's Encrypt by default), made here and signed by itself, or
/// files an admin gives (checked, then copied into the certificate store).
/// </summary>
public enum CertificateSource { LetsEncrypt, SelfSigned, File }
