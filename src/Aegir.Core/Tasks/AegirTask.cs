namespace Aegir.Core.Tasks;

/// <summary>One change to a server, platform or site, with its full log: Aegir's task node.</summary>
public sealed class AegirTask
{
    public string Id { get; init; } = "";
    public string Type { get; init; } = "";
    /// <summary>The context the task works on (canonical name).</summary>
    public string Target { get; init; } = "";
    public Dictionary<string, string> Options { get; init; } = new(StringComparer.Ordinal);
    public AegirTaskStatus Status { get; set; } = AegirTaskStatus.Queued;
    public DateTimeOffset Created { get; init; }
    public DateTimeOffset? Started { get; set; }
    public DateTimeOffset? Finished { get; set; }
    public int? ProcessId { get; set; }
    /// <summary>What went wrong and how to fix it, for a failed task.</summary>
    public string? Error { get; set; }
    public string? ErrorId { get; set; }
    public List<TaskLogEntry> Log { get; init; } = [];

    public TimeSpan? Duration => Started is { } s && Finished is { } f ? f - s : null;

    public override string ToString() => $"{Type} {Target} ({Status})";

    /// <summary>Sortable by time to the millisecond, so tasks list in the order they started.</summary>
    internal static string NewId(DateTimeOffset now) => $"{now.UtcDateTime:yyyyMMdd-HHmmssfff}-{Guid.NewGuid().ToString("N")[..4]}";
}
