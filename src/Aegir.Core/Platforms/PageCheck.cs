using System.Text.RegularExpressions;
using Aegir.Core.Transport;

namespace Aegir.Core.Platforms;

/// <summary>
/// How a site's page proves the site works, checked by install, verify, enable and every deploy (a move's check that
/// fails puts the site back where it was): the page asked for, the status it must answer, a text it must show, texts
/// that mean it failed, and installers it must never send visitors to. An application that answers 200 with "Startup
/// failed" is caught by its errors or by the text it should show.
/// </summary>
public sealed partial record PageCheck
{
    /// <summary>The page asked for, from the site's root.</summary>
    public string Path { get; init; } = "/";
    /// <summary>The status it must answer; null: 2xx, or a redirect within the site (followed, up to three).</summary>
    public int? Status { get; init; }
    /// <summary>A text the page must show.</summary>
    public string? Expect { get; init; }
    /// <summary>Texts that mean the page failed, whatever its status.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];
    /// <summary>Addresses of the application's installer: a site that sends visitors there could be taken over.</summary>
    public IReadOnlyList<string> Installers { get; init; } = [];

    /// <summary>What PHP itself prints when a script dies with display_errors on, whatever the application.</summary>
    public static readonly IReadOnlyList<string> PhpErrors = ["<b>Fatal error</b>:", "<b>Parse error</b>:", "Fatal error: Uncaught"];

    /// <summary>Whether a redirect to <paramref name="location"/> is followed as the same site's page (no explicit status, same host).</summary>
    public string? Follow(HttpAnswer answer, string host, string scheme = "http")
    {
        if (Status is not null || answer.Status is < 300 or > 399 || answer.Location is not { } to) return null;
        if (Installers.Any(i => to.Contains(i, StringComparison.Ordinal))) return null;
        if (!Uri.TryCreate(new Uri($"{scheme}://{host}/"), to, out var target) || target.Scheme != scheme
            || !string.Equals(target.Host, host, StringComparison.OrdinalIgnoreCase)) return null;
        return target.PathAndQuery;
    }

    /// <summary>What is wrong with the page the check asked for (or the one a redirect led to); null when it shows a working site.</summary>
    public string? Problem(HttpAnswer answer, string path)
    {
        var page = path == "/" ? "it" : path;
        if (answer.Location is { } to && Installers.Any(i => to.Contains(i, StringComparison.Ordinal)))
            return $"it sends visitors to the installer ({to}), so anyone reaching it could install it and take it over";
        if (Status is { } status && answer.Status != status)
            return $"{page} answers {answer}, not HTTP {status}{Excerpt(answer)}";
        if (Status is null && answer.Status is < 200 or > 399)
            return $"{page} answers {answer}{Excerpt(answer)}";
        if (Errors.Concat(PhpErrors).FirstOrDefault(e => answer.Body.Contains(e, StringComparison.Ordinal)) is { } error)
            return $"{(path == "/" ? "its page" : path)} says \"{error}\"{Excerpt(answer)}";
        if (Expect is { } expect && !answer.Body.Contains(expect, StringComparison.Ordinal))
            return $"{page} answers {answer} without \"{expect}\", which the application's page shows when it works{Excerpt(answer)}";
        return null;
    }

    /// <summary>
    /// The page every vhost Aegir writes answers with its site's name, whatever the application: a vhost that is not
    /// loaded (a web server config that does not include Aegir's, a listen address it does not have) leaves the site's
    /// names to whichever vhost answers for unknown hosts, often a distribution's "Welcome" page with HTTP 200, which
    /// would pass for a working site.
    /// </summary>
    public const string VhostPage = "/.well-known/aegir-site";

    /// <summary>
    /// What is wrong with the answer to <see cref="VhostPage"/> asked with <paramref name="host"/>; null when it names
    /// the site, so its own vhost answers. A redirect to https on the same host (an admin's rule that sends every
    /// request there, which runs before any location) is taken as it is, as the site's page check takes it.
    /// </summary>
    public static string? Vhost(HttpAnswer answer, string uri, string host)
    {
        var named = answer.Body.Trim();
        if (string.Equals(named, uri, StringComparison.OrdinalIgnoreCase)) return null;
        if (answer.Status is >= 300 and <= 399 && answer.Location is { } to && Uri.TryCreate(new Uri($"http://{host}/"), to, out var target)
            && target.Scheme == "https" && string.Equals(target.Host, host, StringComparison.OrdinalIgnoreCase)) return null;
        var who = named.Length < 254 && Host().IsMatch(named) ? $"the vhost of {named} answers for it" : "the site's vhost is not what answers";
        return $"{who} ({VhostPage} answers {answer}{Excerpt(answer)}, where the site's vhost names the site). "
               + "Check that the web server's config includes Aegir's, and that the site's vhost listens where the server is asked";
    }

    static string Excerpt(HttpAnswer answer)
    {
        var text = Tags().Replace(answer.Body, " ");
        text = Spaces().Replace(text, " ").Trim();
        return text.Length == 0 ? "" : $" ({(text.Length > 160 ? text[..160] + "…" : text)})";
    }

    [GeneratedRegex("<[^>]*>")] private static partial Regex Tags();
    [GeneratedRegex(@"\s+")] private static partial Regex Spaces();
    [GeneratedRegex(@"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")] private static partial Regex Host();
}
