using System.Text.RegularExpressions;
using Aegir.Core.Contexts;
using Aegir.Core.Platforms;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Platform;

/// <summary>
/// A cluster's platform kept on its members (no source here to push from): each member's copy of the code is compared
/// with the first member's, file by file (checksums), leaving out what a push leaves alone (sites' folders and settings);
/// a member whose code differs is named with the files that differ.
/// </summary>
internal static class PlatformCode
{
    public static void Compare(OperationPlan plan, OperationEnvironment env, AegirPlatform platform, IReadOnlyList<AegirServer> members, IPlatformKind kind)
    {
        if (members.Count < 2) return;
        var kept = Kept(kind);
        plan.Add(members[0].Name, PlanAction.Check, $"compare the code of @{platform.Name} on {string.Join(", ", members.Select(m => "@" + m.Name))}", ctx => ctx.Step(
            $"Comparing the code of @{platform.Name} on the members of its cluster", () =>
            {
                var first = Sums(env.Connect(members[0]), platform.Root, kept);
                foreach (var member in members.Skip(1))
                {
                    var other = Sums(env.Connect(member), platform.Root, kept);
                    var differ = first.Keys.Union(other.Keys).Where(f => first.GetValueOrDefault(f) != other.GetValueOrDefault(f)).Order(StringComparer.Ordinal).ToList();
                    if (differ.Count == 0) continue;
                    ctx.Warn($"The code of @{platform.Name} on member '@{member.Name}' differs from '@{members[0].Name}' in {differ.Count} path(s): {string.Join(", ", differ.Take(10))}{(differ.Count > 10 ? ", ..." : "")}. "
                        + $"Copy the same code to {platform.Root} on every member, or keep it on this machine and push it to all of them (Set-AegirPlatform {platform.Name} -Source <folder>).");
                }
            }));
    }

    /// <summary>Each regular file below the root (relative path) with its SHA-256, as sha256sum prints it there.</summary>
    static Dictionary<string, string> Sums(ITransport transport, string root, Regex kept)
    {
        var result = transport.Run(new CommandSpec("find", [root, "-xdev", "-type", "f", "-exec", "sha256sum", "--", "{}", "+"]) { Timeout = TimeSpan.FromMinutes(10) });
        var sums = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length < 67 || !line[64..66].Equals("  ", StringComparison.Ordinal)) continue;
            var relative = Path.GetRelativePath(root, line[66..]);
            if (!kept.IsMatch(relative)) sums[relative] = line[..64];
        }
        return sums;
    }

    /// <summary>What a push leaves alone, as one pattern on a relative path ('*' stands for one name).</summary>
    static Regex Kept(IPlatformKind kind)
    {
        var paths = kind.SiteRoots("*").Concat(kind.WritablePaths).Concat(kind.SharedFolders)
            .Concat(new[] { kind.PlatformSettingsPath, kind.SiteSettingsPath("*") }.OfType<string>()).Select(p => p.Trim('/'));
        var alternatives = paths.Select(p => Regex.Escape(p).Replace(@"\*", "[^/]+")).Distinct().ToList();
        return alternatives.Count == 0 ? new Regex("(?!)") : new Regex($"^(?:{string.Join('|', alternatives)})(?:/|$)");
    }
}
