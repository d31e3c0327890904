namespace Aegir.Core.Errors;

/// <summary>What kind of failure an <see cref="AegirException"/> is; the cmdlets map it to an ErrorCategory.</summary>
public enum AegirErrorKind
{
    InvalidArgument,
    ObjectNotFound,
    ResourceExists,
    InvalidData,
    InvalidOperation,
    ResourceBusy,
    WriteError,
    ReadError,
    /// <summary>A server or service did not answer: trying again later may work (an undo that fails so waits, see Tasks.WaitingUndo).</summary>
    ResourceUnavailable,
    SecurityError,
}
