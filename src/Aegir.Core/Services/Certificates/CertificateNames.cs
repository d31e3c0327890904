using System.Net;

namespace Aegir.Core.Services.Certificates;

/// <summary>Which host names a certificate covers, and which names a public CA would ever sign.</summary>
public static class CertificateNames
{
    /// <summary>
    /// Special-use and private names (RFC 6761, RFC 6762, RFC 8375, RFC 2606) and single labels: no public CA issues
    /// for them, so a site under one gets a self-signed certificate.
    /// </summary>
    static readonly string[] PrivateSuffixes = ["test", "local", "localhost", "invalid", "example", "internal", "home.arpa", "lan", "intranet", "corp"];

    public static bool PubliclySignable(string host)
        => !IPAddress.TryParse(host, out _) && host.Contains('.')
           && !PrivateSuffixes.Any(s => host == s || host.EndsWith("." + s, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether a certificate name (a DNS name, perhaps *.domain) covers a host: a wildcard covers one label, never the domain itself.</summary>
    public static bool Covers(string certName, string host)
    {
        if (string.Equals(certName, host, StringComparison.OrdinalIgnoreCase)) return true;
        if (!certName.StartsWith("*.", StringComparison.Ordinal)) return false;
        var dot = host.IndexOf('.');
        return dot > 0 && string.Equals(certName[1..], host[dot..], StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The hosts none of <paramref name="names"/> covers.</summary>
    public static IReadOnlyList<string> Uncovered(IEnumerable<string> names, IEnumerable<string> hosts)
    {
        var list = names.ToList();
        return hosts.Where(h => !list.Any(n => Covers(n, h))).ToList();
    }
}
