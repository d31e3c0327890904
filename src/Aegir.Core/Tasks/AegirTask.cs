using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Aegir.Core.Tasks;

/// <summary>
/// One change to a server, platform or site, with its full log and its journal: Aegir's task node.
/// The record alone (type, target, parameters) is enough to run the task again, or elsewhere.
/// </summary>
public sealed class AegirTask
{
    public string Id { get; init; } = "";
    public string Type { get; init; } = "";
    /// <summary>The context the task works on (canonical name).</summary>
    public string Target { get; init; } = "";
    /// <summary>The operation's parameters, as its serialisable parameter record.</summary>
    [Newtonsoft.Json.JsonIgnore]   // ConvertTo-Json writes it as plain fields (the module's types file), as Log and Journal
    public JsonObject Parameters { get; init; } = [];
    [Newtonsoft.Json.JsonIgnore]   // ConvertTo-Json writes its name (the module's types file)
    public AegirTaskStatus Status { get; set; } = AegirTaskStatus.Queued;
    public DateTimeOffset Created { get; init; }
    public DateTimeOffset? Started { get; set; }
    public DateTimeOffset? Finished { get; set; }
    /// <summary>When a later task repaired this one, whose process had died (Finished is then when it was last heard of).</summary>
    public DateTimeOffset? Repaired { get; set; }
    /// <summary>The process that runs (or queued) the task, and when that process started (a pid alone can be reused).</summary>
    public int? ProcessId { get; set; }
    public long? ProcessStart { get; set; }
    /// <summary>The worker that ran the task (host, pid and start time: <see cref="WorkerId"/>); null while it is queued.</summary>
    public string? Worker { get; set; }
    /// <summary>How often a worker began this queued task: more than one when a worker died in it and the queue ran it again after its repair; null when it never went through the queue.</summary>
    public int? Tries { get; set; }
    /// <summary>What went wrong and how to fix it, for a failed task.</summary>
    public string? Error { get; set; }
    public string? ErrorId { get; set; }
    [Newtonsoft.Json.JsonIgnore]
    public List<TaskLogEntry> Log { get; init; } = [];
    /// <summary>Each change the task made or was about to make, with how to undo it: what a repair replays after a kill.</summary>
    [Newtonsoft.Json.JsonIgnore]
    public List<JournalEntry> Journal { get; init; } = [];

    [JsonIgnore, Newtonsoft.Json.JsonIgnore]   // ConvertTo-Json writes seconds (the module's types file)
    public TimeSpan? Duration => Started is { } s && Finished is { } f ? f - s : null;

    [JsonIgnore]
    public bool IsFinished => Status is AegirTaskStatus.Succeeded or AegirTaskStatus.Warning or AegirTaskStatus.Failed;

    public override string ToString() => $"{Type} {Target} ({Status})";

    /// <summary>Sortable by time to the millisecond, so tasks list in the order they started.</summary>
    static long _lastMilliseconds;

    /// <summary>
    /// A new task id. Ids order tasks (the queue runs the oldest first, in enqueue order per target), so within a process
    /// each is later than the last: two made in one millisecond take the next one, never the random suffix's order.
    /// </summary>
    internal static string NewId(DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds();
        long last, next;
        do
        {
            last = Interlocked.Read(ref _lastMilliseconds);
            next = Math.Max(ms, last + 1);
        } while (Interlocked.CompareExchange(ref _lastMilliseconds, next, last) != last);
        return $"{DateTimeOffset.FromUnixTimeMilliseconds(next).UtcDateTime:yyyyMMdd-HHmmssfff}-{Guid.NewGuid().ToString("N")[..4]}";
    }
}
