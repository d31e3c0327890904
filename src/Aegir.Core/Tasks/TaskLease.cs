namespace Aegir.Core.Tasks;

/// <summary>
/// A worker's hold on a queued task until it acks or nacks it: the task (id, type, target, and every target it holds,
/// its own among them), the worker, and how many times the task has been delivered (1 the first time). A queue that
/// needs more (a broker's delivery tag) derives from it.
/// </summary>
public record TaskLease(string TaskId, string Type, string Target, IReadOnlyList<string> Targets, string Worker, int Deliveries);
