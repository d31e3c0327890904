using System.Collections.Concurrent;
using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell;

/// <summary>
/// Plumbing every Aegir cmdlet shares: the context store of AEGIR_HOME, the engine, errors as ErrorRecords, and
/// the relay that carries the engine's events (from any thread) to the PowerShell streams on the pipeline thread only.
/// </summary>
public abstract class AegirCmdlet : PSCmdlet, ITaskObserver
{
    readonly ConcurrentQueue<Action> _events = new();
    readonly CancellationTokenSource _stop = new();
    ContextStore? _store;
    Engine? _engine;
    int _pipelineThread = -1;
    bool _stopped;

    /// <summary>The store of the current <c>$env:AEGIR_HOME</c> (or ~/.aegir), made once per invocation.</summary>
    protected ContextStore Store => _store ??= new ContextStore();

    protected Engine Engine => _engine ??= new Engine(Store, this, MakeBatch(), backend: TaskBackends.For(Store.Home)) { Upkeep = Core.Schedules.ScheduledUpkeep.Instance };

    /// <summary>Cmdlets that batch reloads give the engine a batch.</summary>
    protected virtual ReloadBatch? MakeBatch() => null;

    /// <summary>Cancelled by Ctrl+C: a running task stops at its next step and rolls back.</summary>
    protected CancellationToken StopToken => _stop.Token;

    protected override void BeginProcessing() => _pipelineThread = Environment.CurrentManagedThreadId;

    protected override void StopProcessing()
    {
        _stopped = true;
        _stop.Cancel();
    }

    /// <summary>Reports one failed item and lets the pipeline go on.</summary>
    protected void WriteAegirError(AegirException ex, object? target = null) => WriteError(ErrorRecords.From(ex, target));

    /// <summary>Stops the command: nothing else can continue.</summary>
    protected void ThrowAegirError(AegirException ex, object? target = null) => ThrowTerminatingError(ErrorRecords.From(ex, target));

    /// <summary>Runs one item's work; an Aegir failure becomes a non-terminating error for that item.</summary>
    protected void ForItem(object? target, Action action)
    {
        OnItem(target);
        try { action(); }
        catch (AegirException ex) { WriteAegirError(ex, target); }
        finally { Drain(); }
    }

    /// <summary>
    /// Runs the work once per record given, by its canonical name: the piped record, or each name typed (with or
    /// without '@' and prefix); a failure reports that item and the rest go on.
    /// </summary>
    protected void ForEachRecord(AegirContext? piped, IEnumerable<string>? names, string parameter, ContextType type, Action<string> action)
    {
        if (piped is not null)
        {
            ForItem(piped, () => action(piped.Name));
            return;
        }
        foreach (var name in names ?? []) ForItem(name, () => action(ContextNames.Canonical(parameter, name, type)));
    }

    /// <summary>Called as each item's work starts (a task cmdlet shows where the pipeline is).</summary>
    protected virtual void OnItem(object? target) { }

    /// <summary>The progress record of a task's steps: a child of the pipeline's, when that is shown.</summary>
    protected virtual ProgressRecord TaskProgress(AegirTask task, string activity, int percent)
        => new(2, $"{task.Type} @{task.Target}", activity) { PercentComplete = percent };

    /// <summary>True under -WhatIf (given, or by $WhatIfPreference).</summary>
    protected bool WhatIfMode
        => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) ? ((SwitchParameter)w).IsPresent : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    /// <summary>
    /// ShouldProcess that -Force answers without a prompt; -WhatIf still only reports, and an explicit -Confirm still asks.
    /// </summary>
    protected bool ShouldProcessUnlessForced(bool force, string target, string action)
    {
        bool confirm = MyInvocation.BoundParameters.TryGetValue("Confirm", out var c) && ((SwitchParameter)c).IsPresent;
        return force && !WhatIfMode && !confirm ? true : ShouldProcess(target, action);
    }

    /// <summary>True when the cmdlet was asked for its plan only (-Plan).</summary>
    protected virtual bool PlanOnly => false;

    /// <summary>
    /// Asks to make the changes: under -Plan writes each as a plan step, under -WhatIf prints each ("What if: ..."),
    /// and declines; otherwise ShouldProcess (or -Force) decides.
    /// </summary>
    protected bool ShouldChange(IEnumerable<string> changes, string target, string action, bool force = false)
    {
        if (PlanOnly)
        {
            int order = 0;
            foreach (var line in changes)
                WriteObject(new AegirPlanStep { Order = ++order, Operation = action, Target = target.TrimStart('@'), On = target.TrimStart('@'), Action = PlanAction.Record, Description = line });
            return false;
        }
        if (WhatIfMode)
        {
            foreach (var line in changes) ShouldProcess(line, line, action);
            return false;
        }
        return ShouldProcessUnlessForced(force, target, action);
    }

    /// <summary>
    /// Before deciding on contexts (does one exist? what does it say?): a task that died holding one is repaired and
    /// undos left waiting on it are tried again, so the answer is the one its next task finds.
    /// </summary>
    protected void Settle(params string[] names) => Engine.Settle(names);

    /// <summary>A context as it is on disk, once the repairs and waiting undos of its next task are done.</summary>
    protected T Current<T>(string name, string parameter) where T : AegirContext
    {
        Settle(name);
        return Store.GetFresh<T>(name, parameter);
    }

    /// <summary>Records a new context after asking (-WhatIf prints what it would record); true when it was written.</summary>
    protected bool CreateRecord(AegirContext context, string action)
    {
        Settle(context.Name);
        Store.Check(context, isNew: true);
        if (!ShouldChange(ContextDiff.Lines(null, context), context.ToString(), action)) return false;
        Engine.Create(context);
        WriteVerbose($"Wrote {context.Path}");
        return true;
    }

    /// <summary>
    /// Changes a context record after asking (-WhatIf prints each field it would change): on a fresh read under the
    /// record's lock, so only what <paramref name="change"/> touches changes. The record as written, or null when declined.
    /// </summary>
    /// <param name="beforeWrite">What must happen on a machine before the record says so (once confirmed, never under -WhatIf).</param>
    protected T? ChangeRecord<T>(string name, string parameter, Action<T> change, string action, Action<T>? beforeWrite = null) where T : AegirContext
    {
        var before = Current<T>(name, parameter);
        var preview = Store.Preview(name, parameter, change);
        if (!ShouldChange(ContextDiff.Lines(before, preview.Context), before.ToString(), action)) return null;
        beforeWrite?.Invoke(preview.Context);
        var edit = Engine.Edit(name, parameter, change);
        if (edit.Changed) WriteVerbose($"Wrote {edit.Context.Path}");
        return edit.Context;
    }

    /// <summary>Removes a context record after asking; refused while another context names it.</summary>
    protected bool RemoveRecord(AegirContext context, bool force, string action)
    {
        Store.CheckRemovable(context.Name);
        if (!ShouldChange([$"remove the record of {context}"], context.ToString(), action, force)) return false;
        Engine.Remove(context.Name);
        WriteVerbose($"Removed {context.Path}");
        return true;
    }

    /// <summary>True when the caller gave this parameter (so a default is not taken for a change).</summary>
    protected bool IsBound(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);

    /// <summary>Files that did not load are reported (each with its file and line), the rest are used.</summary>
    protected void ReportLoadErrors(ContextListing listing)
    {
        foreach (var error in listing.Errors) WriteAegirError(error);
    }

    // --- the engine's events ---

    public void OnLog(AegirTask task, TaskLogEntry entry) => Relay(() =>
    {
        switch (entry.Level)
        {
            case TaskLogLevel.Warning: WriteWarning(entry.Message); break;
            case TaskLogLevel.Error: WriteVerbose($"ERROR {entry.Message}"); break;
            default:
                WriteVerbose(entry.Message);
                if (entry.Level == TaskLogLevel.Info)
                    WriteProgress(TaskProgress(task, entry.Message, -1));
                break;
        }
    });

    public void OnProgress(AegirTask task, int percent, string activity)
        => Relay(() => WriteProgress(TaskProgress(task, activity, percent)));

    public void OnMessage(TaskLogLevel level, string message)
        => Relay(() => { if (level == TaskLogLevel.Warning) WriteWarning(message); else WriteVerbose(message); });

    /// <summary>Writes now on the pipeline thread; from another thread, queues for the next <see cref="Drain"/>.</summary>
    void Relay(Action write)
    {
        if (Environment.CurrentManagedThreadId != _pipelineThread) { _events.Enqueue(write); return; }
        Drain();
        Write(write);
    }

    /// <summary>Writes what other threads queued; call on the pipeline thread.</summary>
    protected void Drain()
    {
        if (Environment.CurrentManagedThreadId != _pipelineThread) return;
        while (_events.TryDequeue(out var write)) Write(write);
    }

    /// <summary>After Ctrl+C the streams are closed: the engine goes on (rolling back) without them.</summary>
    void Write(Action write)
    {
        if (_stopped) return;
        try { write(); }
        catch (PipelineStoppedException) { _stopped = true; }
    }
}
