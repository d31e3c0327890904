using Aegir.Core.Backups;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Site;

namespace Aegir.Core.Schedules;

/// <summary>What the queue's worker asks each round besides its queued tasks.</summary>
public interface IWorkSchedule
{
    /// <summary>The work due now, the longest waiting first.</summary>
    IReadOnlyList<ScheduledWork> Due(DateTimeOffset now);

    /// <summary>After <see cref="Due"/>: when the next work falls due (null: none is scheduled), so a worker can sleep till then.</summary>
    DateTimeOffset? NextDue { get; }
}
