using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.PowerShell;

/// <summary>Plumbing every Aegir cmdlet shares: the context store of AEGIR_HOME and errors as ErrorRecords.</summary>
public abstract class AegirCmdlet : PSCmdlet
{
    ContextStore? _store;

    /// <summary>The store of the current <c>$env:AEGIR_HOME</c> (or ~/.aegir), made once per invocation.</summary>
    protected ContextStore Store => _store ??= new ContextStore();

    /// <summary>Reports one failed item and lets the pipeline go on.</summary>
    protected void WriteAegirError(AegirException ex, object? target = null) => WriteError(ErrorRecords.From(ex, target));

    /// <summary>Stops the command: nothing else can continue.</summary>
    protected void ThrowAegirError(AegirException ex, object? target = null) => ThrowTerminatingError(ErrorRecords.From(ex, target));

    /// <summary>Runs one item's work; an Aegir failure becomes a non-terminating error for that item.</summary>
    protected void ForItem(object? target, Action action)
    {
        try { action(); }
        catch (AegirException ex) { WriteAegirError(ex, target); }
    }

    /// <summary>
    /// ShouldProcess that -Force answers without a prompt; -WhatIf still only reports, and an explicit -Confirm still asks.
    /// </summary>
    protected bool ShouldProcessUnlessForced(bool force, string target, string action)
    {
        var bound = MyInvocation.BoundParameters;
        bool whatIf = bound.TryGetValue("WhatIf", out var w) ? ((SwitchParameter)w).IsPresent : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
        bool confirm = bound.TryGetValue("Confirm", out var c) && ((SwitchParameter)c).IsPresent;
        return force && !whatIf && !confirm ? true : ShouldProcess(target, action);
    }

    /// <summary>True when the caller gave this parameter (so a default is not taken for a change).</summary>
    protected bool IsBound(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);

    /// <summary>Files that did not load are reported (each with its file and line), the rest are used.</summary>
    protected void ReportLoadErrors(ContextListing listing)
    {
        foreach (var error in listing.Errors) WriteAegirError(error);
    }
}
