using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography;

namespace Aegir.Core.Transport;

/// <summary>
/// A page check's GET, made on this machine over a connection a transport opens: a socket to the web server, or one
/// carried over an SSH connection to it. Over TLS, only the certificate of the given SHA-256 thumbprint is trusted.
/// </summary>
internal static class HttpFetch
{
    /// <param name="connect">Opens the byte stream to the web server (the request's address is not used for it).</param>
    /// <param name="target">The web server's address and port as the error names them.</param>
    public static HttpAnswer Get(Func<CancellationToken, ValueTask<Stream>> connect, string target, int port, string host, string path, string? tlsThumbprint)
    {
        var tls = tlsThumbprint is not null;
        // Over TLS the request names the host (its SNI name and Host header) and the connection goes to the address.
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false, UseProxy = false,
            ConnectCallback = (_, cancel) => connect(cancel),
            SslOptions = new SslClientAuthenticationOptions
            {
                // Our own certificate, self-signed or given, is what the page check trusts, and it alone.
                RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null
                    && string.Equals(cert.GetCertHashString(HashAlgorithmName.SHA256), tlsThumbprint, StringComparison.OrdinalIgnoreCase),
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var standard = tls ? 443 : 80;
        var authority = port == standard ? host : $"{host}:{port}";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{(tls ? "https" : "http")}://{authority}{path}");
        try
        {
            using var response = client.Send(request);
            using var reader = new StreamReader(response.Content.ReadAsStream());
            var buffer = new char[262144];   // enough of a page for a check's texts
            var body = new string(buffer, 0, reader.ReadBlock(buffer, 0, buffer.Length));
            return new HttpAnswer((int)response.StatusCode, response.Headers.Location?.ToString(), body);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            var why = ex.InnerException is System.Security.Authentication.AuthenticationException auth ? $"the TLS handshake failed ({auth.Message.TrimEnd('.')}): the server did not show the site's certificate {tlsThumbprint}" : ex.Message;
            throw new IOException($"no answer from {target} for {host}{(tls ? " over HTTPS" : "")}: {why}", ex);
        }
    }
}
