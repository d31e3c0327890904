using Aegir.Core.Contexts;

namespace Aegir.Core.Services.Certificates;

/// <summary>
/// When a site's ACME certificate is asked for again, from its store record alone (no PEM file is opened): when there
/// is none yet (a self-signed placeholder), when it misses a name, or when fewer than 30 days are left; after a
/// failure, not before a wait that doubles with each failure in a row (1 hour, 2, 4 ... at most a day). Within
/// 14 days of its end with its renewal failing, the site is unhealthy.
/// </summary>
public static class RenewalPolicy
{
    public const int RenewDays = CertificateStore.RenewDays;
    public const int UnhealthyDays = 14;
    public static readonly TimeSpan FirstRetry = TimeSpan.FromHours(1);
    public static readonly TimeSpan LongestRetry = TimeSpan.FromDays(1);

    /// <summary>Whether the certificate should be replaced by one the CA issues (due or not, by the backoff).</summary>
    public static bool Needed(AegirCertificate? cert, IReadOnlyList<string> hosts, DateTime now)
        => cert is null || cert.Source != CertificateSource.LetsEncrypt || cert.SelfSigned
           || CertificateNames.Uncovered(cert.Names, hosts).Count > 0 || cert.NotAfter - now < TimeSpan.FromDays(RenewDays);

    /// <summary>How long to wait after <paramref name="failures"/> failed attempts in a row.</summary>
    public static TimeSpan Backoff(int failures)
    {
        if (failures <= 0) return TimeSpan.Zero;
        var wait = FirstRetry * Math.Pow(2, Math.Min(failures - 1, 16));
        return wait < LongestRetry ? wait : LongestRetry;
    }

    /// <summary>When the next attempt falls due: now or earlier when it is due; null when none is needed.</summary>
    public static DateTime? NextAttempt(AegirCertificate? cert, IReadOnlyList<string> hosts, DateTime now)
    {
        if (!Needed(cert, hosts, now))
            return cert!.NotAfter - TimeSpan.FromDays(RenewDays);
        if (cert is not { RenewalFailures: > 0, LastRenewalTime: { } last }) return now;
        return last + Backoff(cert.RenewalFailures);
    }

    public static bool Due(AegirCertificate? cert, IReadOnlyList<string> hosts, DateTime now)
        => Needed(cert, hosts, now) && NextAttempt(cert, hosts, now) <= now;

    /// <summary>
    /// What is wrong with a site's certificate: one of the LetsEncrypt source still on its self-signed placeholder
    /// because its CA refused it (visitors get a certificate warning), one that ends within <see cref="UnhealthyDays"/>
    /// days while its renewal fails, and a certificate file given that ends within them (nothing renews it); null otherwise.
    /// </summary>
    public static string? Problem(AegirCertificate? cert, DateTime now)
    {
        if (cert is { Source: CertificateSource.LetsEncrypt, SelfSigned: true, RenewalFailures: > 0 })
            return $"it serves a self-signed placeholder: its CA refused a certificate {cert.RenewalFailures} time(s) in a row, last at {cert.LastRenewalTime:yyyy-MM-dd HH:mm} UTC: {cert.LastRenewal}";
        if (cert is { Source: CertificateSource.File } && cert.NotAfter - now < TimeSpan.FromDays(UnhealthyDays))
            return $"the certificate file given for it {(cert.NotAfter <= now ? "expired" : "expires")} on {cert.NotAfter:yyyy-MM-dd HH:mm} UTC: give a new one with Set-AegirSite {cert.Site} -CertificatePath -CertificateKeyPath";
        if (cert is not { RenewalFailures: > 0 } || cert.NotAfter - now >= TimeSpan.FromDays(UnhealthyDays)) return null;
        var left = cert.NotAfter <= now ? $"expired on {cert.NotAfter:yyyy-MM-dd HH:mm} UTC" : $"expires on {cert.NotAfter:yyyy-MM-dd HH:mm} UTC ({cert.DaysLeft} days left)";
        return $"its certificate {left} and its renewal failed {cert.RenewalFailures} time(s) in a row, last at {cert.LastRenewalTime:yyyy-MM-dd HH:mm} UTC: {cert.LastRenewal}";
    }
}
