using Aegir.Core.Queues.Sealing;
using Aegir.Core.Tasks;

namespace Aegir.Core.Queues.Remote;

/// <summary>
/// What a server's worker sends back while it runs a task: log entries as they come (masked as in its record), then
/// its outcome, sealed for the one-off reply key only the dispatcher and that worker know: nobody else who can publish
/// on the broker can make a task end, or change a record.
/// </summary>
public sealed record RemoteEvent(string TaskId, TaskLogEntry? Entry = null, SealedSecret? Outcome = null);
