namespace Aegir.Core.Tasks;

/// <summary>
/// A change written down as data, so that another process can carry it out after a kill: a kind (see
/// <see cref="JournalActions"/>), its arguments (names and paths, never secrets), and optionally the name
/// of a private data file of the task that holds what was there before (old config, an old record).
/// Every kind is safe to carry out twice, or after its step was cut off half way.
/// </summary>
public sealed record JournalAction(string Kind, string Description, Dictionary<string, string> Args, string? Data = null)
{
    public string Arg(string name) => Args.TryGetValue(name, out var v) ? v : throw new InvalidOperationException($"The journal action '{Kind}' has no argument '{name}'.");
}

