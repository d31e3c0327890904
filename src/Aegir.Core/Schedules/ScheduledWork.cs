using Aegir.Core.Backups;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Site;

namespace Aegir.Core.Schedules;

/// <summary>
/// Work a schedule finds due, run by the queue's worker on a thread of its own, never beside other work on its target.
/// <paramref name="Last"/>: when it last ran (null: never), so the longest waiting goes first.
/// </summary>
public sealed record ScheduledWork(string Key, string Target, DateTimeOffset? Last, Func<string> Run)
{
    /// <summary>Targets the work locks besides its own (a renewal writes its site's vhost under the platform's lock).</summary>
    public IReadOnlyList<string> Holds { get; init; } = [];

    /// <summary>Every target the work holds: no other work or task on any of them runs beside it.</summary>
    public IReadOnlyList<string> Targets => [Target, .. Holds];

    /// <summary>A result the worker logs as a warning: a failure, or a limit passed (which says "Warning:").</summary>
    public static bool IsWarning(string result) => result.Contains(" failed", StringComparison.Ordinal) || result.Contains("Warning:", StringComparison.Ordinal);
}
