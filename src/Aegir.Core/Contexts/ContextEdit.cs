namespace Aegir.Core.Contexts;

/// <summary>
/// A context after an edit, with what the edit changed: the names of the changed fields and their old values
/// (a small YAML document, secrets included, for an undo that puts back just those fields).
/// </summary>
public sealed record ContextEdit<T>(T Context, string OldValues, IReadOnlyList<string> ChangedFields) where T : AegirContext
{
    public bool Changed => ChangedFields.Count > 0;
}
