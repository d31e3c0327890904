using Aegir.Core.Contexts;

namespace Aegir.Core.Services.Http;

/// <summary>The settings every web service type declares; each type gives its own commands and pid file.</summary>
internal static class WebSettings
{
    public static IReadOnlyList<ServiceSetting> For(string restart, CommandRule restartRule, string pidFile, string configTest, CommandRule testRule) =>
    [
        new("port", SettingKind.Port, "80", "The port vhosts listen on."),
        new("listen_address", SettingKind.ListenAddress, "*", "The address vhosts listen on: * for all, or one IPv4 or IPv6 address."),
        new("web_group", SettingKind.PosixName, "www-data", "The group the web server and PHP-FPM run as."),
        new("php_fpm_socket", SettingKind.Path, "/run/php/php8.2-fpm.sock", "The PHP-FPM socket PHP requests are passed to."),
        new("restart_command", SettingKind.Command, restart, "Reloads the web server after a config change. " + restartRule.Forms, restartRule),
        new("pid_file", SettingKind.Path, pidFile, "The main process's pid file, to wait until a reload has taken effect."),
        new("config_test_command", SettingKind.Command, configTest, "Tests the web server's config before a reload. " + testRule.Forms, testRule),
    ];
}
