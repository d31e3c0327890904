namespace Aegir.Core.Contexts;

/// <summary>Names no script user may have: the accounts services and the system run as.</summary>
public static class AccountNames
{
    /// <summary>
    /// Accounts a service runs as: a site's command run as one would own that service's data (mysql's database files,
    /// the web server's logs) or share it with every daemon (nobody), so none may be a script user.
    /// </summary>
    public static bool IsServiceName(string name)
        => SystemAccounts.Contains(name, StringComparer.Ordinal) || ServiceCatalog.Accounts.Contains(name)
           || name.StartsWith("systemd-", StringComparison.Ordinal) || name.StartsWith('_');

    /// <summary>Debian's own system accounts and those of daemons a web server often has beside it (the services' own come from their types).</summary>
    static readonly string[] SystemAccounts = ["nobody", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy", "backup", "list", "irc",
        "messagebus", "polkitd", "sshd", "Debian-exim", "rabbitmq", "redis", "memcache"];
}
