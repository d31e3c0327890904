using System.Text.Json.Nodes;

namespace Aegir.Core.Tasks;

/// <summary>What a task is: its type, its target, the other contexts it locks, and its parameters.</summary>
public sealed record TaskRequest(string Type, string Target, IReadOnlyList<string> Locks, JsonObject Parameters)
{
    /// <summary>Those of <see cref="Locks"/> the task holds shared: other tasks may hold them shared at once, none exclusive.</summary>
    public IReadOnlyList<string> Shared { get; init; } = [];
}
