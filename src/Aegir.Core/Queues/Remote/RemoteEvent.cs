using Aegir.Core.Queues.Sealing;

namespace Aegir.Core.Queues.Remote;

/// <summary>
/// What a server's worker sends back while it runs a task (<see cref="RemoteNews"/>: a log entry as it is written, that
/// it still runs, then its outcome), sealed for the one-off reply key only the dispatcher and that worker know: nobody
/// else who can publish on the broker can write into a task's log, keep it waiting, end it, or change a record, and
/// nobody reading the broker reads its log.
/// </summary>
public sealed record RemoteEvent(string TaskId, SealedSecret Sealed)
{
    public static string Binding(string taskId) => $"{taskId}/event";
}
