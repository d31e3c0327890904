namespace Aegir.Core.Tasks;

/// <summary>What a worker asks the queue for: its id, how many leases it can take, and which tasks it wants.</summary>
/// <param name="Busy">Targets this worker's running work holds: no task that needs one is leased.</param>
/// <param name="Choose">For each task in the queue: take it, skip it (it holds nothing back), or let it wait in its place
/// (a later task on its targets waits behind it).</param>
/// <param name="TargetsOf">Every target a task will hold, its own among them.</param>
public sealed record LeaseRequest(string Worker, int Max, IReadOnlySet<string> Busy, Func<QueuedTask, LeaseChoice> Choose, Func<QueuedTask, IReadOnlyList<string>> TargetsOf);
