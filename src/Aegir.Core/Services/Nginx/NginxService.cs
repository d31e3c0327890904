using Aegir.Core.Contexts;
using Aegir.Core.Services.Http;

namespace Aegir.Core.Services.Nginx;

/// <summary>nginx with PHP-FPM; its config comes from the nginx-*.conf.sbn templates beside this file.</summary>
[ServiceType]
public sealed class NginxService(AegirServer server, IServiceEnvironment env) : TemplatedWebService(server, env)
{
    public static ServiceTypeInfo Info { get; } = new(ServiceCatalog.Http, "nginx", "nginx with PHP-FPM.",
        WebSettings.For("nginx -s reload", WebCommands.NginxReload, "/run/nginx.pid", "nginx -t", WebCommands.NginxTest), (s, e) => new NginxService(s, e));

    public override string Type => "nginx";

    /// <summary>nginx: a bare port for every address, else address:port, an IPv6 address in brackets.</summary>
    protected override string Listen(string address, int port) => address == "*" ? port.ToString() : $"{Bracketed(address)}:{port}";
}
