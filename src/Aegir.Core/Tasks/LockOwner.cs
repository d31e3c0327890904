namespace Aegir.Core.Tasks;

/// <summary>
/// Who holds a target's lock (or last held it without letting go): the task (none for a change of a context record),
/// the worker, its process on that worker's machine, since when, and what it does.
/// </summary>
public sealed record LockOwner(string? TaskId, int ProcessId, long ProcessStart, DateTimeOffset Since, string What, string? Worker = null);
