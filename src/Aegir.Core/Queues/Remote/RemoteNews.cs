using Aegir.Core.Tasks;

namespace Aegir.Core.Queues.Remote;

/// <summary>What one event from a server's worker says: a log entry, the task's outcome, or (neither) that it still runs.</summary>
public sealed record RemoteNews(TaskLogEntry? Entry = null, RemoteOutcome? Outcome = null);
