using Aegir.Core.Services.Files;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Drift;

/// <summary>
/// The differences found for one target, and the comparisons every check makes: a file's text with what verify
/// writes, a path's owner and mode with what verify sets. Nothing here writes: files and modes are only read.
/// </summary>
internal sealed class DriftFindings(string target)
{
    readonly List<AegirDrift> _found = [];
    readonly HashSet<(DriftKind, string, string, string)> _seen = [];

    public string Target => target;

    /// <summary>What puts the target right: its verify.</summary>
    public string Fix => $"Invoke-AegirVerify {target}";

    /// <summary>The differences, each once (two checks may find the same), in the order found.</summary>
    public IReadOnlyList<AegirDrift> All => _found;

    /// <summary>Whether a difference of this kind was found at this place already.</summary>
    public bool Has(DriftKind kind, string where) => _found.Any(d => d.Kind == kind && d.Where == where);

    public void Add(DriftKind kind, string where, string expected, string found, string? fix = null)
    {
        if (!_seen.Add((kind, where, expected, found))) return;
        _found.Add(new AegirDrift { Target = target, Kind = kind, Where = where, Expected = expected, Found = found, Fix = fix ?? Fix });
    }

    /// <summary>
    /// A file against the text verify would write there. Only line numbers are told, never the lines: settings,
    /// pools and vhosts can hold credentials and salts.
    /// </summary>
    public void Text(DriftKind kind, ITransport transport, string path, string expected, string where)
    {
        var kindThere = transport.Kind(path);
        if (kindThere == PathKind.None)
        {
            Add(kind, where, "the file verify writes", "no file");
            return;
        }
        if (kindThere != PathKind.File)
        {
            Add(kind, where, "the file verify writes", $"a {kindThere.ToString().ToLowerInvariant()} (never followed)");
            return;
        }
        var found = System.Text.Encoding.UTF8.GetString(transport.ReadFile(path)!);
        if (FirstDifference(expected, found) is { } line)
            Add(kind, where, $"the file verify writes ({Lines(expected)} lines)", $"a file edited from line {line} on ({Lines(found)} lines)");
    }

    /// <summary>A path's owner, group and mode against what verify sets (a null part is not checked).</summary>
    public void Owned(ITransport transport, string path, string where, string? owner, string? group, UnixFileMode? mode)
    {
        if (transport.Kind(path) is not (PathKind.File or PathKind.Directory)) return;
        if (transport.OwnerOf(path) is { } now && (owner is not null && now.User != owner || group is not null && now.Group != group))
            Add(DriftKind.Owner, where, $"{owner ?? now.User}:{group ?? now.Group}", $"{now.User}:{now.Group}");
        if (mode is { } want && transport.GetMode(path) is var have && have != want)
            Add(DriftKind.Mode, where, Modes.Octal(want), Modes.Octal(have));
    }

    /// <summary>The first line (from 1) where two texts differ; null when they are the same.</summary>
    internal static int? FirstDifference(string expected, string found)
    {
        if (expected == found) return null;
        var a = expected.Split('\n');
        var b = found.Split('\n');
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
            if (a[i] != b[i]) return i + 1;
        return Math.Min(a.Length, b.Length) + 1;
    }

    /// <summary>Lines as an editor numbers them: a last line ended by a newline is no line more.</summary>
    internal static int Lines(string text) => text.Length == 0 ? 0 : text.Count(c => c == '\n') + (text.EndsWith('\n') ? 0 : 1);
}
