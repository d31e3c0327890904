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

    /// <summary>
    /// The name of a site's own account: the uri's letters and digits (others as '-'), cut to 25, then '-' and 6 hex
    /// digits of the hash of the uri and the module's home, so two uris that read alike after the cut, or one uri that
    /// two homes on a machine host, never share one. Valid everywhere: at most 32 characters, lowercase, starting with
    /// a letter.
    /// </summary>
    public static string ForSite(string uri, string home) => Named(uri, uri, home);

    /// <summary>
    /// The name of the account all sites of one client run as (php_accounts per-client): made as a site's is, from the
    /// client's short name, with a hash that marks it a client's (a site whose uri reads as the client's name gets
    /// another), so it is never a site's nor another home's.
    /// </summary>
    public static string ForClient(string client, string home) => Named(client, "client " + client, home);

    /// <summary>
    /// The name of the temporary account a platform's build from git runs as (build-&lt;platform&gt;-&lt;hash&gt;), made as
    /// a site's is, with a hash that marks it a build's, so it is never a site's, a client's nor another home's.
    /// </summary>
    public static string ForBuild(string platform, string home)
        => Named("build-" + (platform.StartsWith(ContextNames.Prefix(ContextType.Platform), StringComparison.Ordinal) ? platform[ContextNames.Prefix(ContextType.Platform).Length..] : platform), "build " + platform, home);

    static string Named(string text, string key, string home)
    {
        var slug = new System.Text.StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9') slug.Append(c);
            else if (slug.Length > 0 && slug[^1] != '-') slug.Append('-');
        }
        var name = slug.ToString().Trim('-');
        if (name.Length == 0 || !char.IsAsciiLetterLower(name[0])) name = "s" + name;
        if (name.Length > 25) name = name[..25].TrimEnd('-');
        return $"{name}-{Hex(key + "\n" + HomeId(home))[..6]}";
    }

    /// <summary>A short mark of a module's home (its full path's hash), which its sites' accounts carry.</summary>
    public static string HomeId(string home) => Hex(System.IO.Path.GetFullPath(home).TrimEnd('/'))[..8];

    static string Hex(string text) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
}
