using Aegir.Core.Contexts;
using Aegir.Core.Services.Http;

namespace Aegir.Core.Services.Apache;

/// <summary>Apache httpd with PHP-FPM; its config comes from the apache-*.conf.sbn templates beside this file.</summary>
[ServiceType]
public sealed class ApacheService(AegirServer server, IServiceEnvironment env) : TemplatedWebService(server, env)
{
    public static ServiceTypeInfo Info { get; } = new(ServiceCatalog.Http, "apache", "Apache httpd with PHP-FPM.",
        WebSettings.For("apache2ctl graceful", WebCommands.ApacheReload, "/run/apache2/apache2.pid", "apache2ctl configtest", WebCommands.ApacheTest), (s, e) => new ApacheService(s, (IServiceEnvironment)e)) { Programs = ["apache2", "httpd"], Accounts = ["www-data", "apache", "httpd"] };

    public override string Type => "apache";

    protected override IEnumerable<string> NamesIn(string config)
        => System.Text.RegularExpressions.Regex.Matches(config, @"(?mi)^\s*Server(?:Name|Alias)\s+(.+)$")
            .SelectMany(m => m.Groups[1].Value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>
    /// Apache: address:port, with * for every address and an IPv6 address in brackets. *:port matches both families,
    /// and a bare Listen (ports.conf's Listen 80) binds one socket on [::] that takes IPv4 too: nothing more is needed.
    /// </summary>
    protected override string Listen(string address, int port) => $"{Bracketed(address)}:{port}";

    protected override bool DefaultCertificate => true;
}
