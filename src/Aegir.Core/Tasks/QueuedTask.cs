using Aegir.Core.Tasks;

namespace Aegir.Core.Tasks;

/// <summary>A queued task as the queue lists it: enough to order it and to tell which targets it needs.</summary>
public sealed record QueuedTask(string Id, string Type, string Target);
