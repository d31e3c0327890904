using System.Text;
using System.Text.RegularExpressions;

namespace Aegir.Core.Services.MySql;

/// <summary>
/// A MySQL dump as the site's own account can load it: the DEFINER of views, triggers, routines and events (the
/// account that made them on the old server, which the site's account may not name) becomes CURRENT_USER. Data
/// lines (INSERT) pass unread. Nothing here is what keeps a dump inert: that is the account's rights and the
/// client's sandbox; a definer this misses is refused by the server.
/// </summary>
public sealed partial class MySqlDumpRules : IDumpLineRules
{
    [GeneratedRegex(@"DEFINER\s*=\s*(`(?:[^`]|``)*`|'(?:[^'\\]|\\.|'')*'|[^\s@*/]+)\s*@\s*(`(?:[^`]|``)*`|'(?:[^'\\]|\\.|'')*'|[^\s*/;]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Definer();

    public byte[] Preamble => [];

    public bool Wants(ReadOnlySpan<byte> head) => !head.StartsWith("INSERT "u8);

    /// <summary>Latin-1 maps every byte to one character and back, so a dump in any character set comes through unchanged but for the definers.</summary>
    public byte[]? Rewrite(byte[] line)
    {
        var text = Encoding.Latin1.GetString(line);
        return text.Contains("DEFINER", StringComparison.OrdinalIgnoreCase) ? Encoding.Latin1.GetBytes(Definer().Replace(text, "DEFINER=CURRENT_USER")) : line;
    }
}
