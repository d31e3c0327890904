using System.Text;
using System.Text.RegularExpressions;

namespace Aegir.Core.Platforms;

/// <summary>
/// A PHP file read the way PHP reads it, without running it: comments are no code (a stock settings.php is full of
/// commented examples), what is inside a string is no code either, and a later assignment wins over an earlier one.
/// </summary>
public static partial class PhpSource
{
    /// <summary>
    /// The text with every comment blanked out and, with <paramref name="strings"/>, every string's content too
    /// (quotes kept); each blanked character becomes a space (newlines stay), so offsets match the original's.
    /// </summary>
    public static string Blank(string text, bool strings)
    {
        var code = new StringBuilder(text);
        void Clear(int from, int to)
        {
            for (int k = from; k < to && k < code.Length; k++) if (code[k] != '\n') code[k] = ' ';
        }
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c is '\'' or '"' or '`')
            {
                int end = StringEnd(text, i);
                if (strings) Clear(i + 1, end - 1);
                i = end;
            }
            else if (c == '<' && Heredoc().Match(text, i) is { Success: true } doc && doc.Index == i)
            {
                var close = new Regex($@"^[ \t]*{Regex.Escape(doc.Groups["label"].Value)}\b", RegexOptions.Multiline).Match(text, i + doc.Length);
                int end = close.Success ? close.Index + close.Length : text.Length;
                if (strings) Clear(i + doc.Length, close.Success ? close.Index : end);
                i = end;
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                int end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? text.Length : end + 2;
                Clear(i, end);
                i = end;
            }
            else if ((c == '#' && !(i + 1 < text.Length && text[i + 1] == '[')) || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                // A line comment ends at the line's end, or at ?> (which it leaves as code).
                int start = i;
                while (i < text.Length && text[i] != '\n' && !(text[i] == '?' && i + 1 < text.Length && text[i + 1] == '>')) i++;
                Clear(start, i);
            }
            else i++;
        }
        return code.ToString();
    }

    /// <summary>
    /// The values a settings file gives the keys of an array assigned where <paramref name="assignment"/> matches (the
    /// text up to the array's opening bracket, beginning with the variable's $): from the last such assignment that gives <paramref name="required"/>,
    /// each string or number value by key (the first of a key, so an outer array's own keys before a nested one's);
    /// null when none does.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? LastArray(string text, Regex assignment, string required)
    {
        var code = Blank(text, strings: false);
        var skeleton = Blank(text, strings: true);
        IReadOnlyDictionary<string, string>? found = null;
        foreach (Match m in assignment.Matches(code))
        {
            if (skeleton[m.Index] != code[m.Index]) continue;   // it begins inside a string
            var start = m.Index + m.Length;
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match pair in Pair().Matches(code[start..StatementEnd(skeleton, start)]))
                values.TryAdd(pair.Groups["key"].Value, pair.Groups["single"].Success ? Unescape(pair.Groups["single"].Value, '\'')
                    : pair.Groups["double"].Success ? Unescape(pair.Groups["double"].Value, '"') : pair.Groups["number"].Value);
            if (values.ContainsKey(required)) found = values;
        }
        return found;
    }

    /// <summary>Where the statement that goes on at <paramref name="start"/> ends: its ; outside brackets (the skeleton has no string content).</summary>
    static int StatementEnd(string skeleton, int start)
    {
        int depth = 0, i = start;
        for (; i < skeleton.Length; i++)
        {
            char c = skeleton[i];
            if (c is '(' or '[') depth++;
            else if (c is ')' or ']') depth--;
            else if (c == ';' && depth <= 0) break;
        }
        return i;
    }

    /// <summary>Where a quoted string that opens at <paramref name="start"/> ends (after its closing quote).</summary>
    static int StringEnd(string text, int start)
    {
        char quote = text[start];
        int i = start + 1;
        while (i < text.Length && text[i] != quote) i += text[i] == '\\' ? 2 : 1;
        return Math.Min(i + 1, text.Length);
    }

    /// <summary>A single-quoted string knows \\ and \' only; a double-quoted one the usual escapes (variables are left as written).</summary>
    static string Unescape(string value, char quote)
        => quote == '\'' ? Regex.Replace(value, @"\\([\\'])", "$1")
            : Regex.Replace(value, @"\\([\\""$nrt])", m => m.Groups[1].Value switch { "n" => "\n", "r" => "\r", "t" => "\t", var other => other });

    [GeneratedRegex(@"<<<[ \t]*(['""]?)(?<label>[A-Za-z_][A-Za-z0-9_]*)\1\r?\n")]
    private static partial Regex Heredoc();

    [GeneratedRegex(@"['""](?<key>[A-Za-z_]+)['""]\s*=>\s*(?:'(?<single>(?:[^'\\]|\\.)*)'|""(?<double>(?:[^""\\]|\\.)*)""|(?<number>\d+))")]
    private static partial Regex Pair();
}
