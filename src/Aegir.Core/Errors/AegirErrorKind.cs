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
    ResourceUnavailable,
    SecurityError,
}
