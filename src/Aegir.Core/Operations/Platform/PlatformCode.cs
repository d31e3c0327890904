using Aegir.Core.Contexts;
using Aegir.Core.Platforms;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Platform;

/// <summary>
/// A cluster's platform kept on its members (no source here to push from): each member's copy of the code is compared
/// with the first member's, file by file (<see cref="PlatformSums"/>: what a push leaves alone, the sites' folders and settings, left out);
/// a member whose code differs is named with the files that differ.
/// </summary>
internal static class PlatformCode
{
    public static void Compare(OperationPlan plan, OperationEnvironment env, AegirPlatform platform, IReadOnlyList<AegirServer> members, IPlatformKind kind)
    {
        if (members.Count < 2) return;
        plan.Add(members[0].Name, PlanAction.Check, $"compare the code of @{platform.Name} on {string.Join(", ", members.Select(m => "@" + m.Name))}", ctx => ctx.Step(
            $"Comparing the code of @{platform.Name} on the members of its cluster", () =>
            {
                var first = PlatformSums.Compute(env.Connect(members[0]), platform.Root, kind);
                foreach (var member in members.Skip(1))
                {
                    var differ = PlatformSums.Compare(first, PlatformSums.Compute(env.Connect(member), platform.Root, kind)).Select(d => d.Path).ToList();
                    if (differ.Count == 0) continue;
                    ctx.Warn($"The code of @{platform.Name} on member '@{member.Name}' differs from '@{members[0].Name}' in {differ.Count} path(s): {string.Join(", ", differ.Take(10))}{(differ.Count > 10 ? ", ..." : "")}. "
                        + $"Copy the same code to {platform.Root} on every member, or keep it on this machine and push it to all of them (Set-AegirPlatform {platform.Name} -Source <folder>).");
                }
            }));
    }
}
