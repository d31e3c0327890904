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

    /// <summary>A bare port is 0.0.0.0 alone: IPv6 gets a listen on [::] of its own (ipv6only, nginx's default).</summary>
    protected override bool WildcardIsIpv4Only => true;

    /// <summary>Marked ssl; before nginx 1.25.1 HTTP/2 is turned on on the listener too.</summary>
    protected override string TlsListen(string address, int port) => Listen(address, port) + " ssl" + (Http2 is Http2Style.Listen ? " http2" : "");

    protected override bool Http2Directive => Http2 is Http2Style.Directive;

    enum Http2Style { None, Listen, Directive }

    /// <summary>How this nginx turns HTTP/2 on, from its -V (none when it is built without the module); asked once.</summary>
    Http2Style Http2 => _http2 ??= AskHttp2();
    Http2Style? _http2;

    Http2Style AskHttp2()
    {
        var test = Aegir.Core.Transport.CommandSpec.Parse(Server.Http.Get("config_test_command")!);
        var program = Path.GetFileName(test.Program) == "nginx" ? test.Program : "nginx";
        var result = Transport.Run(new Aegir.Core.Transport.CommandSpec(program, ["-V"]) { Timeout = TimeSpan.FromSeconds(30) });
        var text = result.StandardError + result.StandardOutput;
        if (!result.Succeeded || !text.Contains("--with-http_v2_module", StringComparison.Ordinal)) return Http2Style.None;
        var version = System.Text.RegularExpressions.Regex.Match(text, @"nginx/(\d+)\.(\d+)\.(\d+)");
        if (!version.Success) return Http2Style.Listen;
        var v = new Version(int.Parse(version.Groups[1].Value), int.Parse(version.Groups[2].Value), int.Parse(version.Groups[3].Value));
        return v >= new Version(1, 25, 1) ? Http2Style.Directive : Http2Style.Listen;
    }
}
