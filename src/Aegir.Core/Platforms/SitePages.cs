using Aegir.Core.Transport;

namespace Aegir.Core.Platforms;

/// <summary>How a served page shows a broken site, whatever its kind: a server error, or a redirect to an installer.</summary>
public static class SitePages
{
    public static string? Problem(HttpAnswer answer, string[] installers, string[] errors)
    {
        if (answer.Status >= 500) return $"it answers {answer} ({First(answer.Body)})";
        if (answer.Location is { } to && installers.Any(i => to.Contains(i, StringComparison.Ordinal)))
            return $"it sends visitors to the installer ({to}), so anyone reaching it could install it and take it over";
        if (errors.FirstOrDefault(e => answer.Body.Contains(e, StringComparison.Ordinal)) is { } error)
            return $"its page says \"{error}\"";
        return null;
    }

    static string First(string body)
    {
        var text = System.Text.RegularExpressions.Regex.Replace(body, "<[^>]*>", " ");
        text = System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();
        return text.Length > 120 ? text[..120] + "…" : text;
    }
}
