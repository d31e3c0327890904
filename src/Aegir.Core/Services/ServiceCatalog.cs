using Aegir.Core.Errors;

namespace Aegir.Core.Services;

/// <summary>
/// The service types a server can use, by service. A new type registers here with its settings;
/// the context classes and cmdlets pick them up without change.
/// </summary>
public static class ServiceCatalog
{
    public const string Http = "http";
    public const string Db = "db";
    public const string None = "none";

    static readonly object Gate = new();
    static readonly Dictionary<string, Dictionary<string, ServiceTypeInfo>> Types = new(StringComparer.Ordinal);

    static ServiceCatalog()
    {
        var webGroup = new ServiceSetting("web_group", SettingKind.PosixName, "www-data", "The group the web server and PHP-FPM run as.");
        var listen = new ServiceSetting("listen_address", SettingKind.ListenAddress, "*", "The address vhosts listen on: * for all, or one IP address.");
        var fpmSocket = new ServiceSetting("php_fpm_socket", SettingKind.Path, "/run/php/php8.2-fpm.sock", "The PHP-FPM socket PHP requests are passed to.");
        Register(new ServiceTypeInfo(Http, None, "No web service.", []));
        Register(new ServiceTypeInfo(Http, "nginx", "nginx with PHP-FPM.",
        [
            new("port", SettingKind.Port, "80", "The port vhosts listen on."),
            listen,
            webGroup,
            fpmSocket,
            new("restart_command", SettingKind.Command, "nginx -s reload", "Reloads nginx after a config change."),
            new("pid_file", SettingKind.Path, "/run/nginx.pid", "The master's pid file, to wait until a reload has taken effect."),
            new("config_test_command", SettingKind.Command, "nginx -t", "Tests nginx config before a reload."),
        ]));
        Register(new ServiceTypeInfo(Http, "apache", "Apache httpd with PHP-FPM.",
        [
            new("port", SettingKind.Port, "80", "The port vhosts listen on."),
            listen,
            webGroup,
            fpmSocket,
            new("restart_command", SettingKind.Command, "apache2ctl graceful", "Reloads Apache after a config change."),
            new("pid_file", SettingKind.Path, "/run/apache2/apache2.pid", "The parent's pid file, to wait until a reload has taken effect."),
            new("config_test_command", SettingKind.Command, "apache2ctl configtest", "Tests Apache config before a reload."),
        ]));
        Register(new ServiceTypeInfo(Db, None, "No database service.", []));
        Register(new ServiceTypeInfo(Db, "mysql", "MariaDB or MySQL.",
        [
            new("host", SettingKind.Host, null, "Where the database listens; the server's remote host when unset."),
            new("port", SettingKind.Port, "3306", "The database port."),
            new("admin_user", SettingKind.Text, "root", "An account that may create databases and users and grant to them."),
            new("admin_password", SettingKind.Secret, null, "The admin account's password (kept only in the 0600 context file)."),
        ]));
    }

    public static IReadOnlyList<string> Services
    {
        get { lock (Gate) return Types.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList(); }
    }

    public static IReadOnlyList<string> TypesOf(string service)
    {
        lock (Gate)
            return Types.TryGetValue(service, out var byType) ? byType.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList() : [];
    }

    public static ServiceTypeInfo Get(string service, string type)
    {
        lock (Gate)
        {
            if (Types.TryGetValue(service, out var byType) && byType.TryGetValue(type, out var info)) return info;
        }
        throw ErrorCatalog.UnknownServiceType(service, type, TypesOf(service));
    }

    public static void Register(ServiceTypeInfo info)
    {
        lock (Gate)
        {
            if (!Types.TryGetValue(info.Service, out var byType))
                Types[info.Service] = byType = new Dictionary<string, ServiceTypeInfo>(StringComparer.Ordinal);
            byType[info.Type] = info;
        }
    }
}
