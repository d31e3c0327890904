using Aegir.Core.Contexts;

namespace Aegir.Core.Services.Http;

/// <summary>The settings every web service type declares; each type gives its own commands and pid file.</summary>
internal static class WebSettings
{
    public static IReadOnlyList<ServiceSetting> For(string restart, CommandRule restartRule, string pidFile, string configTest, CommandRule testRule) =>
    [
        new("port", SettingKind.Port, "80", "The port vhosts listen on."),
        new("https_port", SettingKind.Port, "443", "The port HTTPS sites' vhosts listen on (with TLS)."),
        new("acme_webroot", SettingKind.Path, "/var/lib/aegir/acme", "The one folder every vhost serves /.well-known/acme-challenge/ from (ACME HTTP-01 challenges), whatever the site's state."),
        new("acme_directory", SettingKind.Url, Certificates.AcmeSettings.LetsEncrypt, "The ACME directory sites of the LetsEncrypt source get their certificates from (Let's Encrypt's production directory by default)."),
        new("acme_email", SettingKind.Email, null, "The email of the ACME account (Let's Encrypt writes there about expiry and its terms); none: no certificate is asked for."),
        new("acme_roots", SettingKind.Path, null, "The PEM file in the certificate store with the roots trusted for a private ACME directory (its API's certificate, the root it issues under); none: the system's."),
        new("listen_address", SettingKind.ListenAddress, "*", "The address vhosts listen on: * for all (IPv4, and IPv6 too where the web server's machine has it on), or one IPv4 or IPv6 address, alone."),
        new("web_group", SettingKind.PosixName, "www-data", "The group the web server and PHP-FPM run as."),
        new("php_fpm_socket", SettingKind.Path, "/run/php/php8.2-fpm.sock", "The shared PHP-FPM socket: sites' PHP when php_pools is shared; each site's own socket lies in its folder."),
        new("php_pools", SettingKind.Choice, "per-site", "per-site: each site's PHP runs in a PHP-FPM pool of its own, as a UNIX user of its own (needs root on the server); shared: every site's PHP in the pool of php_fpm_socket.")
            { Choices = ["per-site", "shared"] },
        new("php_accounts", SettingKind.Choice, "per-site", "Whom each site's own pool runs as (php_pools per-site): per-site, an account of the site's own; per-client, the account of its client, shared by all the client's sites (which can then read each other's files), a site without a client keeping its own.")
            { Choices = ["per-site", "per-client"] },
        new("php_fpm_pool_dir", SettingKind.Path, "/etc/php/8.2/fpm/pool.d", "The folder whose *.conf PHP-FPM includes: each site's pool file goes there."),
        new("php_fpm_pid_file", SettingKind.Path, "/run/php/php8.2-fpm.pid", "PHP-FPM's pid file: its master is sent USR2 to reload the pools."),
        new("php_fpm_test_command", SettingKind.Command, "php-fpm8.2 -t", "Tests PHP-FPM's config before a reload. " + WebCommands.PhpFpmTest.Forms, WebCommands.PhpFpmTest),
        new("php_site_dir", SettingKind.Path, "/var/lib/aegir/php", "Each site's own temp, session and upload folders, and its pool's socket, are made under this folder."),
        new("web_user", SettingKind.PosixName, "www-data", "The user the web server runs as: the only one that may connect to a site's PHP-FPM socket."),
        new("restart_command", SettingKind.Command, restart, "Reloads the web server after a config change. " + restartRule.Forms, restartRule),
        new("pid_file", SettingKind.Path, pidFile, "The main process's pid file, to wait until a reload has taken effect."),
        new("config_test_command", SettingKind.Command, configTest, "Tests the web server's config before a reload. " + testRule.Forms, testRule),
    ];
}
