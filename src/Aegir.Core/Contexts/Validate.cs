using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Aegir.Core.Errors;

namespace Aegir.Core.Contexts;

/// <summary>
/// The rules every value must pass before it reaches a file, a config template or a command line.
/// Each returns the normalised value or throws an <see cref="AegirException"/> naming the problem and the fix.
/// Values end up in web server configs and argument lists, so the rules are allow-lists.
/// </summary>
public static partial class Validate
{
    public const int MaxSiteUriLength = 235;   // Aegir's own limit, leaves room for prefixes in db names and paths
    public const int MaxHostLength = 253;

    static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    /// <summary>
    /// Special-use names (RFC 6761, RFC 6303) no site may own, and why: the web server would answer for the machine
    /// itself, for its catch-all (default.invalid), or for an IP address spelled backwards.
    /// </summary>
    static readonly (string Domain, string Why)[] SpecialNames =
    [
        ("localhost", "localhost and the names under it are this machine's own (RFC 6761), never a site's"),
        ("invalid", "names under .invalid never resolve (RFC 6761), and the web server's catch-all for unknown names is one"),
        ("in-addr.arpa", "names under in-addr.arpa are IPv4 addresses spelled backwards for reverse lookups, and a site is named by a host name, not an IP address"),
        ("ip6.arpa", "names under ip6.arpa are IPv6 addresses spelled backwards for reverse lookups, and a site is named by a host name, not an IP address"),
    ];

    /// <summary>A DNS host name as used for a site uri or alias: IDN to punycode, lowercase, LDH labels; no IP address or special-use name.</summary>
    public static string SiteHost(string parameter, string? value)
    {
        var host = HostName(parameter, value, MaxSiteUriLength);
        if (IPAddress.TryParse(host, out _))
            throw ErrorCatalog.InvalidValue(parameter, value, "a site is named by a host name, not an IP address", "Use a name such as example.com; point it at the server in DNS.");
        foreach (var (domain, why) in SpecialNames)
            if (host == domain || host.EndsWith("." + domain, StringComparison.Ordinal))
                throw ErrorCatalog.InvalidValue(parameter, value, why, "Use a name of a domain you own, such as example.com; for trials, a name under .test or .example.");
        return host;
    }

    /// <summary>A server's address: a host name or an IP address.</summary>
    public static string RemoteHost(string parameter, string? value)
    {
        if (value is not null && IPAddress.TryParse(value, out var ip) && !value.Contains('%'))
        {
            // No server has these: the unspecified addresses (which reach this machine on many systems) and multicast.
            if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) || ip.IsIPv6Multicast || ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && ip.GetAddressBytes()[0] is >= 224 and <= 239 || ip.Equals(IPAddress.Broadcast))
                throw ErrorCatalog.InvalidValue(parameter, value, "it is no address of any one machine", "Give the server's own address or host name (127.0.0.1 or localhost for this machine).");
            return ip.ToString();
        }
        return HostName(parameter, value, MaxHostLength);
    }

    static string HostName(string parameter, string? value, int maxLength)
    {
        const string fix = "Use a host name such as www.example.com: letters, digits and hyphens in dot-separated labels.";
        if (string.IsNullOrEmpty(value)) throw ErrorCatalog.InvalidValue(parameter, value, "it is empty", fix);
        if (HasInvisible(value)) throw ErrorCatalog.InvalidValue(parameter, value, "it contains control, invisible or space characters", fix);
        if (value.Contains("://")) throw ErrorCatalog.InvalidValue(parameter, value, "it is a URL, not a host name", "Leave out the scheme and path: example.com, not https://example.com/.");
        if (value.EndsWith('.')) throw ErrorCatalog.InvalidValue(parameter, value, "it ends with a dot", "Leave out the trailing dot.");
        if (value.Length > maxLength * 4) throw ErrorCatalog.InvalidValue(parameter, value, $"it is longer than {maxLength} characters", fix);
        string ascii;
        try { ascii = Idn.GetAscii(value).ToLowerInvariant(); }
        catch (ArgumentException) { throw ErrorCatalog.InvalidValue(parameter, value, "it is not a valid host name (only letters, digits and hyphens may form a label, and no label may be empty)", fix); }
        if (ascii.Length > maxLength) throw ErrorCatalog.InvalidValue(parameter, value, $"it is {ascii.Length} characters long; at most {maxLength} are allowed", "Choose a shorter name.");
        foreach (var label in ascii.Split('.'))
        {
            if (label.Length is 0 or > 63 || !LdhLabel().IsMatch(label))
                throw ErrorCatalog.InvalidValue(parameter, value, $"the label '{label}' is not 1 to 63 letters, digits or inner hyphens", fix);
        }
        return ascii;
    }

    /// <summary>The part of a context name after its prefix: lowercase word characters; dots and dashes dropped as Aegir does.</summary>
    public static string ShortName(string parameter, string? value)
    {
        const string fix = "Use letters, digits and underscores (dots and dashes are dropped), at most 64 characters.";
        if (string.IsNullOrEmpty(value)) throw ErrorCatalog.InvalidValue(parameter, value, "it is empty", fix);
        if (HasInvisible(value)) throw ErrorCatalog.InvalidValue(parameter, value, "it contains control, invisible or space characters", fix);
        var name = value.ToLowerInvariant().Replace(".", "").Replace("-", "");
        if (name.Length is 0 or > 64 || !WordName().IsMatch(name))
            throw ErrorCatalog.InvalidValue(parameter, value, "it may hold only letters, digits and underscores", fix);
        return name;
    }

    /// <summary>An absolute, normalised POSIX path made only of characters that are safe in web server configs.</summary>
    public static string AbsolutePath(string parameter, string? value)
    {
        const string fix = "Give an absolute path such as /var/aegir/platforms/drupal10, made of letters, digits and . _ - + @ = , : ~ /.";
        if (string.IsNullOrEmpty(value)) throw ErrorCatalog.InvalidValue(parameter, value, "it is empty", fix);
        if (HasInvisible(value)) throw ErrorCatalog.InvalidValue(parameter, value, "it contains control, invisible or space characters", fix);
        if (!value.StartsWith('/')) throw ErrorCatalog.InvalidValue(parameter, value, "it is not an absolute path", fix);
        if (value.Length > 1024) throw ErrorCatalog.InvalidValue(parameter, value, "it is longer than 1024 characters", fix);
        if (!SafePath().IsMatch(value)) throw ErrorCatalog.InvalidValue(parameter, value, "it contains a character that is not allowed in a path here (quotes, ;, {, }, $, \\, * and the like could break web server config)", fix);
        var segments = value.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s is "." or ".."))
            throw ErrorCatalog.InvalidValue(parameter, value, "it contains '.' or '..' segments", "Give the real path without relative parts.");
        return "/" + string.Join('/', segments);
    }

    public static int Port(string parameter, int value)
    {
        if (value is < 1 or > 65535)
            throw ErrorCatalog.InvalidValue(parameter, value.ToString(CultureInfo.InvariantCulture), "a port is a number from 1 to 65535", "Give a port in that range, such as 80 or 3306.");
        return value;
    }

    /// <summary>A POSIX user or group name (useradd's portable rule).</summary>
    public static string PosixName(string parameter, string? value)
    {
        if (string.IsNullOrEmpty(value) || !PosixNamePattern().IsMatch(value))
            throw ErrorCatalog.InvalidValue(parameter, value, "it is not a POSIX user or group name", "Use a lowercase letter or underscore followed by at most 31 lowercase letters, digits, _ or -.");
        return value;
    }

    /// <summary>A script user as an admin gives it: a POSIX name, never root (verify refuses any account with root's powers).</summary>
    public static string ScriptUser(string parameter, string? value)
    {
        var fix = $"Name an unprivileged account of its own, such as {AegirServer.DefaultScriptUser} (see about_Aegir, SCRIPT USER).";
        if (PosixName(parameter, value) == "root") throw ErrorCatalog.InvalidValue(parameter, value, "commands for sites never run as root", fix);
        if (AccountNames.IsServiceName(value!)) throw ErrorCatalog.InvalidValue(parameter, value, "it is the account a service runs as, whose files a site's command would own", fix);
        return value!;
    }

    public static string Email(string parameter, string? value)
    {
        const string fix = "Give one address such as admin@example.com.";
        if (string.IsNullOrEmpty(value)) throw ErrorCatalog.InvalidValue(parameter, value, "it is empty", fix);
        if (HasInvisible(value) || value.Length > 254) throw ErrorCatalog.InvalidValue(parameter, value, "it contains control, invisible or space characters, or is over 254 characters", fix);
        int at = value.LastIndexOf('@');
        if (at <= 0 || !EmailLocal().IsMatch(value[..at]))
            throw ErrorCatalog.InvalidValue(parameter, value, "it is not an email address (the part before @ may hold letters, digits and . _ % + -)", fix);
        var domain = HostName(parameter, value[(at + 1)..], MaxHostLength);
        if (!domain.Contains('.'))
            throw ErrorCatalog.InvalidValue(parameter, value, $"its domain {domain} has no dot, so mail cannot reach it", fix);
        return value[..at] + "@" + domain;
    }

    /// <summary>An https:// address of a service (an ACME directory): a host, perhaps a port and a path; no user, query or fragment.</summary>
    public static string HttpsUrl(string parameter, string? value)
    {
        const string fix = "Give the service's https:// address, such as https://acme-v02.api.letsencrypt.org/directory.";
        if (string.IsNullOrEmpty(value) || value.Length > 256 || HasInvisible(value))
            throw ErrorCatalog.InvalidValue(parameter, value, "it must be 1 to 256 printable characters without spaces", fix);
        if (!System.Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != System.Uri.UriSchemeHttps)
            throw ErrorCatalog.InvalidValue(parameter, value, "it is not an https:// address (an ACME server is reached over TLS only)", fix);
        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            throw ErrorCatalog.InvalidValue(parameter, value, "it carries a user, a query or a fragment", fix);
        if (uri.HostNameType is not (UriHostNameType.IPv4 or UriHostNameType.IPv6)) HostName(parameter, uri.IdnHost, MaxHostLength);
        return uri.AbsoluteUri;
    }

    /// <summary>
    /// Why a text is no version (null when it is one): up to 64 letters, digits and . - + _ ~ :, beginning with a
    /// letter or digit, as upstream versions (10.3.1, 1.39.17-rc.2) and Debian's (1:2.3~git20210204.b4cbc79+dfsg-1.2) are.
    /// </summary>
    public static string? VersionProblem(string value)
    {
        if (value.Length == 0) return "it is empty";
        if (value.Length > 64) return $"it is {value.Length} characters long (at most 64)";
        if (!char.IsAsciiLetterOrDigit(value[0])) return $"it begins with {ErrorCatalog.Show(value[..1])}, not a letter or digit";
        return value.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '+' or '_' or '~' or ':')) is var bad and not '\0'
            ? $"it holds {ErrorCatalog.Show(bad.ToString())}, which no version has (letters, digits and . - + _ ~ : only)" : null;
    }

    /// <summary>An install profile name (a Drupal machine name).</summary>
    public static string Profile(string parameter, string? value)
    {
        if (string.IsNullOrEmpty(value) || !MachineName().IsMatch(value))
            throw ErrorCatalog.InvalidValue(parameter, value, "it is not a profile machine name", "Use lowercase letters, digits and underscores, starting with a letter, such as standard or minimal.");
        return value;
    }

    /// <summary>A language code such as en, pt-br or zh-hans.</summary>
    public static string Language(string parameter, string? value)
    {
        var lower = value?.ToLowerInvariant();
        if (string.IsNullOrEmpty(lower) || !LanguageCode().IsMatch(lower))
            throw ErrorCatalog.InvalidValue(parameter, value, "it is not a language code", "Use an ISO 639 code such as en, de, pt-br or zh-hans.");
        return lower;
    }

    /// <summary>A command run as an argument list (never through a shell): words of safe characters.</summary>
    public static string Command(string parameter, string? value)
    {
        const string fix = "Give a program and its arguments separated by single spaces, such as 'nginx -s reload'; no shell syntax (quotes, ;, |, &, $, redirection).";
        if (string.IsNullOrEmpty(value)) throw ErrorCatalog.InvalidValue(parameter, value, "it is empty", fix);
        if (value.Length > 1024 || value.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format))
            throw ErrorCatalog.InvalidValue(parameter, value, "it contains control characters or is over 1024 characters", fix);
        var words = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || words.Any(w => !CommandWord().IsMatch(w)))
            throw ErrorCatalog.InvalidValue(parameter, value, "it contains shell syntax or characters not allowed in a command", fix);
        return string.Join(' ', words);
    }

    /// <summary>A database or database user name: lowercase letters, digits and underscores, at most 64, so it needs no quoting anywhere.</summary>
    public static string DbIdentifier(string parameter, string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 64 || !WordName().IsMatch(value))
            throw ErrorCatalog.InvalidValue(parameter, value, "it may hold only lowercase letters, digits and underscores, at most 64", "Database names are derived from the uri; fix the record by hand if it was edited.");
        return value;
    }

    /// <summary>An SSH host key's SHA-256 fingerprint as ssh-keygen -l prints it, kept as "SHA256:" and 43 base64 characters.</summary>
    public static string HostKeyFingerprint(string parameter, string? value)
    {
        var text = value?.Trim() ?? "";
        var body = (text.StartsWith("SHA256:", StringComparison.Ordinal) ? text[7..] : text).TrimEnd('=');
        bool valid = body.Length == 43 && body.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/')
                     && Convert.TryFromBase64String(body + "=", new byte[32], out int n) && n == 32;
        if (!valid)
            throw ErrorCatalog.InvalidValue(parameter, value, "it is not a SHA-256 host key fingerprint", "Give the fingerprint as ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub prints it on the server, such as SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s.");
        return "SHA256:" + body;
    }

    /// <summary>A worker's public key as a server's record keeps it: RSA of 2048 bits or more, SubjectPublicKeyInfo in base64.</summary>
    public static string WorkerKey(string parameter, string? value)
    {
        const string fix = "Make the server's worker key anew with Set-AegirServer -OwnWorker.";
        var shown = value is null ? null : value.Length > 24 ? value[..24] + "..." : value;
        using var rsa = System.Security.Cryptography.RSA.Create();
        try { rsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(value ?? ""), out _); }
        catch (Exception ex) when (ex is FormatException or System.Security.Cryptography.CryptographicException)
        {
            throw ErrorCatalog.InvalidValue(parameter, shown, "it is no RSA public key (SubjectPublicKeyInfo in base64)", fix);
        }
        if (rsa.KeySize < 2048) throw ErrorCatalog.InvalidValue(parameter, shown, $"its RSA key has {rsa.KeySize} bits, fewer than 2048", fix);
        return value!;
    }

    /// <summary>A password: any printable text; no control characters, which would break option files.</summary>
    public static string Secret(string parameter, string? value)
    {
        if (string.IsNullOrEmpty(value) || SecretProblem(value) is not null)
            throw ErrorCatalog.InvalidValue(parameter, "********", "a password must be 1 to 256 printable characters", "Give a password without newlines or other control characters.");
        return value;
    }

    /// <summary>What of a password a record cannot hold (more than 256 characters, a control character); null when it can.</summary>
    public static string? SecretProblem(string value)
        => value.Length > 256 ? "more than 256 characters" : value.Any(char.IsControl) ? "a control character" : null;

    static bool HasInvisible(string value)
    {
        foreach (var ch in value)
        {
            var cat = char.GetUnicodeCategory(ch);
            if (char.IsControl(ch) || char.IsWhiteSpace(ch) || cat is UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned)
                return true;
        }
        return false;
    }

    // \z, not $: $ also matches before a final newline, which would let "name\n" through into config files.
    // \z, not $: $ also matches before a final newline, which would let "name\n" through into a config file.
    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\z")] private static partial Regex LdhLabel();
    [GeneratedRegex("^[a-z0-9_]+\\z")] private static partial Regex WordName();
    [GeneratedRegex("^/[A-Za-z0-9._/@+=,:~-]*\\z")] private static partial Regex SafePath();
    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}\\z")] private static partial Regex PosixNamePattern();
    [GeneratedRegex("^[A-Za-z0-9._%+-]{1,64}\\z")] private static partial Regex EmailLocal();
    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}\\z")] private static partial Regex MachineName();
    [GeneratedRegex("^[a-z]{2,3}(?:-[a-z0-9]{2,8})*\\z")] private static partial Regex LanguageCode();
    [GeneratedRegex("^[A-Za-z0-9._/@+=,:~%-]+\\z")] private static partial Regex CommandWord();
}
