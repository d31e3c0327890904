using Aegir.Core.Contexts;
using Aegir.Core.Services.Http;

namespace Aegir.Core.Services.Nginx;

/// <summary>nginx with PHP-FPM; its config comes from the nginx-*.conf.sbn templates beside this file.</summary>
[ServiceType]
public sealed class NginxService(AegirServer server, IServiceEnvironment env) : TemplatedWebService(server, env)
{
    public static ServiceTypeInfo Info { get; } = new(ServiceCatalog.Http, "nginx", "nginx with PHP-FPM.",
        WebSettings.For("nginx -s reload", WebCommands.NginxReload, "/run/nginx.pid", "nginx -t", WebCommands.NginxTest), (s, e) => new NginxService(s, (IServiceEnvironment)e)) { Programs = ["nginx"], Accounts = ["www-data", "nginx"] };

    public override string Type => "nginx";

    /// <summary>Every server_name, wherever it stands (nginx takes directives anywhere on a line), comments left out.</summary>
    protected override IEnumerable<string> NamesIn(string config)
        => System.Text.RegularExpressions.Regex.Matches(System.Text.RegularExpressions.Regex.Replace(config, "#[^\n]*", ""), @"\bserver_name\s+([^;]*);")
            .SelectMany(m => m.Groups[1].Value.Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>nginx: a bare port for every address, else address:port, an IPv6 address in brackets.</summary>
    protected override string Listen(string address, int port) => address == "*" ? port.ToString() : $"{Bracketed(address)}:{port}";
}
