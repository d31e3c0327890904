using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;

namespace Aegir.Core.Queues.Workers;

/// <summary>
/// A worker as the registry knows it: who it is (name, id host:pid:start), what queue it serves, when it started and
/// last said it lives, what it runs now and how many tasks it ran and failed. <see cref="Alive"/> is judged when the
/// registry is read, never stored.
/// </summary>
public sealed partial record AegirWorker
{
    public required string Name { get; init; }
    /// <summary>The worker's id (host:pid:start), the one task records and locks name.</summary>
    public required string Id { get; init; }
    public required string Host { get; init; }
    public int Pid { get; init; }
    /// <summary>The process's start in clock ticks since boot, so a reused pid is not taken for this worker.</summary>
    public long ProcessStart { get; init; }
    /// <summary>The queue it serves: File or Broker (as Get-AegirQueue says).</summary>
    public required string Queue { get; init; }
    public DateTimeOffset Started { get; init; }
    /// <summary>Its last heartbeat.</summary>
    public DateTimeOffset Heartbeat { get; init; }
    /// <summary>How often it beats: a reader judges it dead after three beats missed.</summary>
    public TimeSpan Interval { get; init; }
    /// <summary>The ids of the tasks it runs now.</summary>
    public IReadOnlyList<string> Current { get; init; } = [];
    /// <summary>Tasks it ran to their end (failed ones among them).</summary>
    public int Run { get; init; }
    public int Failed { get; init; }

    /// <summary>It beat within three intervals and, when it runs on this machine, its process lives.</summary>
    [JsonIgnore]
    public bool Alive { get; init; }

    /// <summary>Beats missed this many times: dead.</summary>
    public const int MissedBeats = 3;

    /// <summary>This process as a worker named <paramref name="name"/> of <paramref name="queue"/>, with the worker id its tasks carry.</summary>
    public static AegirWorker ThisProcess(string name, string id, string queue, TimeSpan interval)
    {
        var now = DateTimeOffset.UtcNow;
        return new AegirWorker
        {
            Name = name, Id = id, Host = Environment.MachineName, Pid = Environment.ProcessId, ProcessStart = ProcessIdentity.CurrentStart,
            Queue = queue, Started = now, Heartbeat = now, Interval = interval, Alive = true,
        };
    }

    /// <summary>The worker as judged at <paramref name="now"/>: alive while it beats and, on this machine, its process lives.</summary>
    public AegirWorker JudgedAt(DateTimeOffset now)
        => this with { Alive = now - Heartbeat <= Interval * MissedBeats && Heartbeat - now <= Interval * MissedBeats && (Host != Environment.MachineName || ProcessIdentity.IsAlive(Pid, ProcessStart)) };

    /// <summary>A worker's name: what a service unit's instance name is (letters, digits, '.', '_', '-', '@'), at most 64 characters.</summary>
    public static string CheckName(string parameter, string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 64 || !NamePattern().IsMatch(value))
            throw ErrorCatalog.InvalidValue(parameter, value, "a worker's name is 1 to 64 letters, digits, dots, underscores, dashes or '@'", "Give a name such as web1 or queue-2.");
        return value;
    }

    /// <summary>The name a worker gets when none is given: its host and pid, unique among the live workers.</summary>
    public static string DefaultName() => $"{Environment.MachineName}-{Environment.ProcessId}";

    [GeneratedRegex("^[A-Za-z0-9._@-]+$")]
    private static partial Regex NamePattern();
}
