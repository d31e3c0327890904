namespace Aegir.Core.Errors;

/// <summary>
/// A failure the user can act on: a stable id (for scripts and tests), a kind, the thing it concerns,
/// and a message that says what is wrong and how to fix it. Made only through <see cref="ErrorCatalog"/>.
/// </summary>
public sealed class AegirException : Exception
{
    internal AegirException(string errorId, AegirErrorKind kind, string message, object? target, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    public string ErrorId { get; }
    public AegirErrorKind Kind { get; }
    public object? Target { get; }

    /// <summary>The failing step found it could not start (a name already taken) and changed nothing, so there is nothing to undo.</summary>
    public bool NothingChanged { get; init; }
}
