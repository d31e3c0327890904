using Aegir.Core.Contexts;
using Aegir.Core.Services.Http;

namespace Aegir.Core.Services.Nginx;

/// <summary>nginx with PHP-FPM; its config comes from the nginx-*.conf.sbn templates beside this file.</summary>
[ServiceType]
public sealed class NginxService(AegirServer server, IServiceEnvironment env) : TemplatedWebService(server, env)
{
    public static ServiceTypeInfo Info { get; } = new(ServiceCatalog.Http, "nginx", "nginx with PHP-FPM.",
        WebSettings.For("nginx -s reload", "/run/nginx.pid", "nginx -t"), (s, e) => new NginxService(s, e));

    public override string Type => "nginx";

    /// <summary>nginx: a bare port for every address, else address:port.</summary>
    protected override string Listen(string address, int port) => address == "*" ? port.ToString() : $"{address}:{port}";
}
