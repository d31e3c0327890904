using System.Globalization;
using Aegir.Core.Errors;
using RabbitMQ.Client;

namespace Aegir.Core.Queues.Broker;

/// <summary>
/// Where the broker is: amqp[s]://user@host[:port][/vhost], checked and kept without a password (the password is kept
/// apart, as a secret: <see cref="BrokerSettings"/>), so the address can be shown and logged as it is.
/// </summary>
public sealed record BrokerAddress(string Scheme, string Host, int Port, string VirtualHost, string User)
{
    const string Fix = "Give it as amqp://user@host:5672/vhost (amqps:// for TLS, port 5671 by default), with the password in -Credential, not in the URL.";

    public bool Tls => Scheme == "amqps";

    /// <summary>Reads and checks a broker URL; a password in it is refused, so it never lands in a history or a log.</summary>
    public static BrokerAddress Parse(string parameter, string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
            throw ErrorCatalog.InvalidValue(parameter, url, "it is not a URL", Fix);
        var scheme = uri.Scheme.ToLowerInvariant();
        if (scheme is not ("amqp" or "amqps")) throw ErrorCatalog.InvalidValue(parameter, Safe(url), $"its scheme is '{scheme}', not amqp or amqps", Fix);
        if (uri.UserInfo.Contains(':')) throw ErrorCatalog.InvalidValue(parameter, Safe(url), "it holds a password", Fix);
        var user = Uri.UnescapeDataString(uri.UserInfo);
        if (user.Length == 0) throw ErrorCatalog.InvalidValue(parameter, url, "it names no user", Fix);
        if (string.IsNullOrEmpty(uri.Host)) throw ErrorCatalog.InvalidValue(parameter, url, "it names no host", Fix);
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            throw ErrorCatalog.InvalidValue(parameter, url, "it has a query or a fragment", Fix);
        var path = uri.AbsolutePath.TrimStart('/');
        if (path.Contains('/')) throw ErrorCatalog.InvalidValue(parameter, url, "its path is more than a virtual host's name", Fix + " A vhost with a '/' in its name is written %2F.");
        var vhost = path.Length == 0 ? "/" : Uri.UnescapeDataString(path);
        if (vhost.Any(char.IsControl)) throw ErrorCatalog.InvalidValue(parameter, url, "its virtual host has control characters", Fix);
        var port = uri.IsDefaultPort || uri.Port < 0 ? (scheme == "amqps" ? 5671 : 5672) : uri.Port;
        return new BrokerAddress(scheme, uri.Host, port, vhost, user);
    }

    /// <summary>The canonical URL, never with a password.</summary>
    public override string ToString()
    {
        var host = Host.Contains(':') && !Host.StartsWith('[') ? $"[{Host}]" : Host;
        var vhost = VirtualHost == "/" ? "" : Uri.EscapeDataString(VirtualHost);
        return string.Create(CultureInfo.InvariantCulture, $"{Scheme}://{Uri.EscapeDataString(User)}@{host}:{Port}/{vhost}");
    }

    /// <summary>A connection factory for this address; the client name shows in the broker's connection list.</summary>
    internal ConnectionFactory Factory(string password, string clientName) => new()
    {
        HostName = Host.Trim('[', ']'),
        Port = Port,
        VirtualHost = VirtualHost,
        UserName = User,
        Password = password,
        ClientProvidedName = clientName,
        Ssl = new SslOption { Enabled = Tls, ServerName = Host.Trim('[', ']') },
        RequestedHeartbeat = TimeSpan.FromSeconds(10),
        RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
        // Recovery would hide a lost connection from the consumer that must give up its message; we reconnect ourselves.
        AutomaticRecoveryEnabled = false,
    };

    // A URL that may hold a password, shown without it.
    static string Safe(string url) => System.Text.RegularExpressions.Regex.Replace(url, @"(?<=://[^:/@]*):[^@]*@", ":***@");
}
