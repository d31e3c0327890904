using System.Text.Json;
using System.Text.RegularExpressions;
using Aegir.Core.Transport;

namespace Aegir.Core.Platforms;

/// <summary>What an installer script of the module's own (WordPress's, Drupal 7's) printed, read as the caller believes it.</summary>
public static partial class InstallerOutput
{
    /// <summary>The script's last line is JSON with "installed": true when the application said so after its install.</summary>
    public static bool Confirmed(string output)
    {
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'));
        if (last is null) return false;
        try { return JsonDocument.Parse(last).RootElement.TryGetProperty("installed", out var v) && v.ValueKind == JsonValueKind.True; }
        catch (JsonException) { return false; }
    }

    /// <summary>The output as text for an error: markup taken out, space folded, at most 300 characters.</summary>
    public static string Text(CommandResult result)
    {
        var text = Markup().Replace(result.StandardOutput + " " + result.StandardError, " ");
        text = Tag().Replace(text, " ");
        text = Space().Replace(text, " ").Trim();
        return text.Length == 0 ? "it printed nothing" : text.Length > 300 ? text[..300] + "…" : text;
    }

    [GeneratedRegex("(?is)<(style|script|head)\\b.*?</\\1>")] private static partial Regex Markup();
    [GeneratedRegex("<[^>]*>")] private static partial Regex Tag();
    [GeneratedRegex(@"\s+")] private static partial Regex Space();
}
