using Aegir.Core.Errors;
using Aegir.Core.Platforms;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Platform;

/// <summary>
/// The SHA-256 of each file of a platform's code, as sha256sum computes it on its server, leaving out what is no code:
/// the sites' own folders and settings, the folders the web server writes, and .git. Those are pruned where find
/// walks, so a platform with many sites and uploads costs no more than its code; the output is read as it streams.
/// </summary>
public static class PlatformSums
{
    /// <summary>Each file (its path relative to the root) with its checksum, in path order.</summary>
    public static SortedDictionary<string, string> Compute(ITransport transport, string root, IPlatformKind kind)
    {
        var sums = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var prefix = root.TrimEnd('/') + "/";
        var sink = new NulRecords(line =>
        {
            // "<64 hex>  <path>": with -z the path comes as it is, whatever characters it holds.
            if (line.Length > 66 && line[64..66] == "  " && line[66..].StartsWith(prefix, StringComparison.Ordinal)) sums[line[(66 + prefix.Length)..]] = line[..64];
        });
        var result = transport.Run(new CommandSpec("find", FindArguments(root, kind)) { OutputStream = sink, Timeout = TimeSpan.FromMinutes(30) });
        // A file that goes while find walks is no failure of the list: a list that reads nothing is.
        if (!result.Succeeded && sums.Count == 0)
            throw ErrorCatalog.StepFailed(ErrorIds.StepFailed, $"Reading the checksums of the code at {root}", result.Summary(), "Check that the platform's root is there and readable, then run the command again.");
        return sums;
    }

    /// <summary>find over the code, pruning what is no code, running sha256sum -z on each file.</summary>
    internal static List<string> FindArguments(string root, IPlatformKind kind)
    {
        string Full(string relative) => Path.Combine(root, relative.Trim('/'));
        var prune = new List<string> { "-path", Full(".git") };
        // The sites' own folders, but not the code every site shares that one of them would take in (Drupal's sites/all).
        foreach (var siteRoot in kind.SiteRoots("*"))
        {
            prune.AddRange(["-o", "(", "-path", Full(siteRoot)]);
            foreach (var shared in kind.SharedCode) prune.AddRange(["!", "-path", Full(shared), "!", "-path", Full(shared) + "/*"]);
            prune.Add(")");
        }
        foreach (var path in kind.WritablePaths.Concat(kind.SharedFolders).Concat(new[] { kind.PlatformSettingsPath, kind.SiteSettingsPath("*") }.OfType<string>()).Distinct())
            prune.AddRange(["-o", "-path", Full(path)]);
        return ["-P", root, "-xdev", "(", .. prune, ")", "-prune", "-o", "-type", "f", "-exec", "sha256sum", "-z", "--", "{}", "+"];
    }

    /// <summary>A relative path in some site's own folders (not in the code all sites share): '*' of a site root stands for one name.</summary>
    public static System.Text.RegularExpressions.Regex SiteOwn(IPlatformKind kind)
    {
        static string Pattern(string path) => System.Text.RegularExpressions.Regex.Escape(path.Trim('/')).Replace(@"\*", "[^/]+");
        var roots = kind.SiteRoots("*").Select(Pattern).ToList();
        if (roots.Count == 0) return new("(?!)");
        var shared = kind.SharedCode.Select(p => $"(?!{Pattern(p)}(?:/|$))");
        return new($"^{string.Concat(shared)}(?:{string.Join('|', roots)})(?:/|$)");
    }

    /// <summary>A relative path that is no code (what <see cref="Compute"/> leaves out): .git, the sites' own folders and settings, the web server's folders.</summary>
    public static System.Text.RegularExpressions.Regex NotCode(IPlatformKind kind)
    {
        var others = kind.WritablePaths.Concat(kind.SharedFolders).Concat(new[] { kind.PlatformSettingsPath, kind.SiteSettingsPath("*"), ".git" }.OfType<string>())
            .Select(p => System.Text.RegularExpressions.Regex.Escape(p.Trim('/')).Replace(@"\*", "[^/]+"));
        return new($"{SiteOwn(kind)}|^(?:{string.Join('|', others)})(?:/|$)");
    }

    /// <summary>What differs between a list kept before and one read now: each path with its sum then and now (null: no such file).</summary>
    public static IEnumerable<(string Path, string? Then, string? Now)> Compare(IReadOnlyDictionary<string, string> then, IReadOnlyDictionary<string, string> now)
    {
        foreach (var path in then.Keys.Union(now.Keys).Order(StringComparer.Ordinal))
        {
            var a = then.GetValueOrDefault(path);
            var b = now.GetValueOrDefault(path);
            if (a != b) yield return (path, a, b);
        }
    }
}
