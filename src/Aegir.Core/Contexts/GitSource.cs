using System.Text.RegularExpressions;
using Aegir.Core.Errors;

namespace Aegir.Core.Contexts;

/// <summary>
/// Where a platform built from source comes from: a git repository's address, the ref an admin named, and the commit
/// it was built from. Checked when given and when a record is read, so a record never holds a password in its url
/// (nor a log that prints it), and no address reaches git that would make it run a program (ext::, an option).
/// </summary>
public static partial class GitSource
{
    /// <summary>
    /// An ssh url (ssh://[user@]host[:port]/path, or user@host:path), an https url without a user or password in it,
    /// a file:// url or an absolute path of the server; anything else is refused with the form that works.
    /// </summary>
    public static string CheckUrl(string value)
    {
        const string forms = "Give an ssh url (ssh://git@host/org/app.git or git@host:org/app.git), an https url (https://host/org/app.git), a file:// url or an absolute path on the web server";
        if (string.IsNullOrEmpty(value) || value.Length > 1000 || value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) || value.StartsWith('-'))
            throw ErrorCatalog.InvalidValue("Git", Shown(value), "it is not a repository address (no spaces, no control characters, not beginning with '-')", forms + ".");
        if (value.StartsWith('/'))
            return value.Split('/').Any(s => s is "..") ? throw ErrorCatalog.InvalidValue("Git", value, "a path of the repository may not hold '..'", forms + ".") : value;
        if (value.Contains("::", StringComparison.Ordinal))
            throw ErrorCatalog.InvalidValue("Git", Shown(value), "git's <transport>::<address> form runs a helper program of the address's choosing", forms + ".");
        if (ScpLike().IsMatch(value)) return value;
        // ?access_token=... or #token: a secret as much as a password, and git would pass it on in its own errors.
        if (value.IndexOfAny(['?', '#']) >= 0)
            throw ErrorCatalog.InvalidValue("Git", Shown(value), "it holds a query string or fragment (?... or #..., often an access token), which would be kept in the platform's record and shown in task logs and the process list",
                "Give the url without it (https://host/org/app.git) and let git find the credentials: a credential helper in the server's /etc/gitconfig, or an ssh url with the platform owner's ssh key.");
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
            throw ErrorCatalog.InvalidValue("Git", Shown(value), "it is not a url git can clone from", forms + ".");
        switch (uri.Scheme)
        {
            case "file":
                return uri.Host.Length == 0 ? value : throw ErrorCatalog.InvalidValue("Git", value, "a file:// url names a path of the web server, not a host", "Give file:///path/to/repo, or an ssh url for another machine.");
            case "ssh":
                if (uri.UserInfo.Contains(':'))
                    throw ErrorCatalog.InvalidValue("Git", Shown(value), "it holds a password, which would be kept in the platform's record and shown in task logs",
                        "Leave the password out (ssh://git@host/org/app.git) and give the platform owner's account an ssh key the repository accepts.");
                return value;
            case "https":
                // A user name alone is often a token (x-access-token, a personal access token): no more welcome than a password.
                if (uri.UserInfo.Length > 0)
                    throw ErrorCatalog.InvalidValue("Git", Shown(value), "it holds a user name or password, which would be kept in the platform's record and shown in task logs",
                        "Give the url without them (https://host/org/app.git) and let git find the credentials: a credential helper in the server's /etc/gitconfig, or an ssh url with the platform owner's ssh key.");
                return value;
            case "http":
                throw ErrorCatalog.InvalidValue("Git", value, "plain http is neither private nor proof of what the server sent", "Give its https or ssh url.");
            default:
                throw ErrorCatalog.InvalidValue("Git", Shown(value), $"git clones from ssh, https, file urls and paths, not {uri.Scheme}:", forms + ".");
        }
    }

    /// <summary>A ref as git names tags and branches (v1.2.0, release/10.3, main) or a commit's hex; nothing git would read as an option or a revision expression.</summary>
    public static string CheckRef(string value)
        => value is "HEAD" or "@" or "FETCH_HEAD" or "ORIG_HEAD"
            ? throw ErrorCatalog.InvalidValue("Ref", value, "it names whatever the repository's default branch is at when the build runs, a moving target",
                "Give the tag (v1.2.0), branch (main) or commit (its hex) to build; git ls-remote <url> lists them.")
            : RefPattern().IsMatch(value) && !value.Contains("..", StringComparison.Ordinal) && !value.Contains("//", StringComparison.Ordinal)
           && !value.EndsWith('/') && !value.EndsWith('.') && !value.EndsWith(".lock", StringComparison.Ordinal)
            ? value
            : throw ErrorCatalog.InvalidValue("Ref", value, "it is not a tag, branch or commit name (letters, digits and . _ - + /, beginning with a letter or digit, no '..')",
                "Give the tag (v1.2.0), branch (main) or commit (its hex) to build.");

    /// <summary>A commit as git prints it in full: 40 hex digits (SHA-1) or 64 (SHA-256).</summary>
    public static string CheckCommit(string value)
        => IsCommit(value) ? value : throw ErrorCatalog.InvalidValue("Commit", value, "it is not a full commit id (40 or 64 lowercase hex digits)", "Record the commit git rev-parse prints.");

    public static bool IsCommit(string value) => CommitPattern().IsMatch(value);

    /// <summary>Whether a ref could be an abbreviated or full commit id (4 to 64 hex digits).</summary>
    public static bool MayBeCommit(string value) => AbbreviatedCommit().IsMatch(value);

    /// <summary>The path of the server a url names, for a repository there (a path or file:// url); null for one reached over the network.</summary>
    public static string? LocalPath(string url)
        => url.StartsWith('/') ? url : url.StartsWith("file://", StringComparison.Ordinal) ? Uri.UnescapeDataString(new Uri(url).AbsolutePath) : null;

    /// <summary>-Git without -Ref: whatever the default branch is when the build runs, another build would not get.</summary>
    public static AegirException MovingTarget(string url)
        => ErrorCatalog.InvalidValue("Ref", null, $"a platform built from {url} needs the tag, branch or commit to build: the repository's default branch moves, and the platform's code would be whatever it is when the build runs",
            "Give -Ref with a tag (v1.2.0), a branch (resolved to its commit when the platform is built) or a commit.");

    /// <summary>What a refused value shows of itself: never the part before '@' of something that looks like a url with credentials, nor a query string or fragment.</summary>
    static string Shown(string value) => SecretTail().Replace(Credentials().Replace(value.Length > 200 ? value[..200] + "..." : value, "$1***@"), "$1***");

    [GeneratedRegex(@"^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9][A-Za-z0-9.-]*:(?!//)[A-Za-z0-9._/~+-]+\z")] private static partial Regex ScpLike();
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._/+-]{0,199}\z")] private static partial Regex RefPattern();
    [GeneratedRegex(@"^(?:[0-9a-f]{40}|[0-9a-f]{64})\z")] private static partial Regex CommitPattern();
    [GeneratedRegex(@"^[0-9a-f]{4,64}\z")] private static partial Regex AbbreviatedCommit();
    [GeneratedRegex(@"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@")] private static partial Regex Credentials();
    [GeneratedRegex(@"([?#]).*\z", RegexOptions.Singleline)] private static partial Regex SecretTail();
}
