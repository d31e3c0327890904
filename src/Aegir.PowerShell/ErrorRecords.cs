using System.Management.Automation;
using Aegir.Core.Errors;

namespace Aegir.PowerShell;

/// <summary>Turns engine failures into ErrorRecords with the engine's stable id and the matching category.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(AegirException ex, object? target = null)
        => new(ex, ex.ErrorId, Category(ex.Kind), target ?? ex.Target);

    static ErrorCategory Category(AegirErrorKind kind) => kind switch
    {
        AegirErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        AegirErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        AegirErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        AegirErrorKind.InvalidData => ErrorCategory.InvalidData,
        AegirErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        AegirErrorKind.ResourceBusy => ErrorCategory.ResourceBusy,
        AegirErrorKind.WriteError => ErrorCategory.WriteError,
        AegirErrorKind.ReadError => ErrorCategory.ReadError,
        AegirErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        AegirErrorKind.SecurityError => ErrorCategory.SecurityError,
        _ => ErrorCategory.NotSpecified,
    };
}
