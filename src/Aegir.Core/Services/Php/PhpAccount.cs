using Aegir.Core.Contexts;

namespace Aegir.Core.Services.Php;

/// <summary>
/// A UNIX account the module makes for sites' PHP and commands: a site's own, or (php_accounts per-client) the one all
/// sites of a client share. Its comment names whose it is and the module's home, the mark that it is ours to use and
/// delete.
/// </summary>
/// <param name="Client">The client's short name, for a client's account; null for a site's.</param>
/// <param name="Of">Whose it is, as the log and errors say: the site's uri, or "client acme".</param>
public sealed record PhpAccount(string Name, string Comment, string Of, string? Client)
{
    internal const string SitePrefix = "Aegir site ";
    internal const string ClientPrefix = "Aegir client ";
    internal const string BuildPrefix = "Aegir build ";

    public static PhpAccount ForSite(string uri, string home)
        => new(AccountNames.ForSite(uri, home), $"{SitePrefix}{uri} (home {AccountNames.HomeId(home)})", uri, null);

    public static PhpAccount ForClient(string client, string home)
        => new(AccountNames.ForClient(client, home), $"{ClientPrefix}{client} (home {AccountNames.HomeId(home)})", $"client {client}", client);

    /// <summary>
    /// The account a platform's build from git runs as while it lasts: it owns the new root and nothing else, so a
    /// repository's build commands can write no other platform's code.
    /// </summary>
    public static PhpAccount ForBuild(string platform, string home)
        => new(AccountNames.ForBuild(platform, home), $"{BuildPrefix}{platform} (home {AccountNames.HomeId(home)})", $"the build of @{platform}", null);

    /// <summary>The account <paramref name="name"/> with <paramref name="comment"/>, when it is one of this home's; else null.</summary>
    public static PhpAccount? Ours(string name, string comment, string home)
    {
        foreach (var (prefix, make) in new (string, Func<string, string, PhpAccount>)[] { (SitePrefix, ForSite), (ClientPrefix, ForClient) })
        {
            if (!comment.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var owner = comment[prefix.Length..].Split(' ')[0];
            return make(owner, home) is var account && account.Name == name && account.Comment == comment ? account : null;
        }
        return null;
    }

    /// <summary>Whether a comment is the mark of any account the module makes (a site's or a client's, of any home).</summary>
    public static bool Marked(string comment) => comment.StartsWith(SitePrefix, StringComparison.Ordinal) || comment.StartsWith(ClientPrefix, StringComparison.Ordinal)
                                                   || comment.StartsWith(BuildPrefix, StringComparison.Ordinal);
}
