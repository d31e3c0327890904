using Aegir.Core.Tasks;

namespace Aegir.Core.Queues.Remote;

/// <summary>How the task ended on the server, with the contexts it changed (name to file text, null for one removed).</summary>
public sealed record RemoteOutcome(AegirTaskStatus Status, string? Error, string? ErrorId, string Worker, int Tries, SortedDictionary<string, string?> Changes);
