using System.Text.Json.Serialization;
using Aegir.Core.Contexts;

namespace Aegir.Core.Services.Certificates;

/// <summary>
/// What the certificate store knows of a site's current certificate, kept as certificate.json beside its files (no
/// secret in it): enough for Get-AegirCertificate and a renewal round to decide without opening a PEM file.
/// </summary>
public sealed record AegirCertificate
{
    public required string Site { get; init; }
    public required CertificateSource Source { get; init; }
    /// <summary>The host names the certificate covers (its subject alternative names).</summary>
    public required IReadOnlyList<string> Names { get; init; }
    public required string Subject { get; init; }
    public required string Issuer { get; init; }
    public required DateTime NotBefore { get; init; }
    public required DateTime NotAfter { get; init; }
    /// <summary>SHA-256 of the certificate, in hex: what the site's page check expects the web server to show.</summary>
    public required string Thumbprint { get; init; }
    public required bool SelfSigned { get; init; }
    /// <summary>When it was made or copied into the store.</summary>
    public required DateTime Stored { get; init; }
    /// <summary>The folder of the store holding its files (certificate and key); a new certificate gets a new one.</summary>
    public required string Generation { get; init; }
    /// <summary>Why the certificate is not from the source asked (a name no public CA signs); null when it is.</summary>
    public string? Note { get; init; }
    /// <summary>The outcome of the last renewal attempt (ACME sources), and when; null before any.</summary>
    public string? LastRenewal { get; init; }
    public DateTime? LastRenewalTime { get; init; }
    /// <summary>Renewal attempts that failed in a row since the last that succeeded: the schedule waits longer after each.</summary>
    public int RenewalFailures { get; init; }

    /// <summary>A certificate of the LetsEncrypt source made here while none is issued yet (a placeholder).</summary>
    [JsonIgnore]
    public bool Placeholder => Source == CertificateSource.LetsEncrypt && SelfSigned;

    [JsonIgnore]
    public int DaysLeft => (int)Math.Floor((NotAfter - DateTime.UtcNow).TotalDays);
}
