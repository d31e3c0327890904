using Aegir.Core.Contexts;

namespace Aegir.Core.Services.Http;

/// <summary>
/// What a web server's reload and config-test settings may run: the web server's own commands and nothing else,
/// since they run as the module's user (often root), and a config test that always passes would switch off the
/// check that keeps broken config away from the server.
/// </summary>
internal static class WebCommands
{
    static readonly string[] SystemBin = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"];

    /// <summary>The program's name when it is found on the PATH or lies in a system folder; "" for a program anywhere else (/tmp/nginx).</summary>
    static string Program(IReadOnlyList<string> w)
        => !w[0].Contains('/') || SystemBin.Contains(Path.GetDirectoryName(w[0])) ? Path.GetFileName(w[0]) : "";
    static bool Has(IReadOnlyList<string> w, params string[] words) => words.All(w.Skip(1).Contains);
    static bool ServiceReload(IReadOnlyList<string> w, params string[] units)
        => w.Count == 3 && (Program(w) == "systemctl" && w[1] == "reload" && units.Any(u => w[2] == u || w[2] == u + ".service")
                            || Program(w) == "service" && units.Contains(w[1]) && w[2] == "reload");

    public static readonly CommandRule NginxReload = new(
        w => Program(w) == "nginx" && Has(w, "-s", "reload") && w[w.ToList().IndexOf("-s") + 1] == "reload" || ServiceReload(w, "nginx"),
        "Use nginx's own reload: 'nginx -s reload' (with -c, -p, -e or -g as your nginx needs), 'systemctl reload nginx' or 'service nginx reload'.");

    public static readonly CommandRule NginxTest = new(
        w => Program(w) == "nginx" && (Has(w, "-t") || Has(w, "-T")) && !Has(w, "-s"),
        "Use nginx's own config test: 'nginx -t' (with -c, -p, -e or -g as your nginx needs); it cannot be switched off.");

    public static readonly CommandRule ApacheReload = new(
        w => Program(w) is "apache2ctl" or "apachectl" && (Has(w, "graceful") || Has(w, "-k", "graceful"))
             || Program(w) is "apache2" or "httpd" && Has(w, "-k", "graceful")
             || ServiceReload(w, "apache2", "httpd"),
        "Use Apache's own graceful reload: 'apache2ctl graceful', 'apache2 -f <conf> -k graceful', 'systemctl reload apache2' or 'service apache2 reload'.");

    public static readonly CommandRule ApacheTest = new(
        w => Program(w) is "apache2ctl" or "apachectl" && (Has(w, "configtest") || Has(w, "-t"))
             || Program(w) is "apache2" or "httpd" && Has(w, "-t"),
        "Use Apache's own config test: 'apache2ctl configtest' or 'apache2 -f <conf> -t'; it cannot be switched off.");

    public static readonly CommandRule PhpFpmTest = new(
        w => Program(w).StartsWith("php-fpm", StringComparison.Ordinal) && (Has(w, "-t") || Has(w, "-tt") || Has(w, "--test")),
        "Use PHP-FPM's own config test: 'php-fpm8.2 -t' (with -y <conf> or -c as your PHP-FPM needs); it cannot be switched off.");
}
