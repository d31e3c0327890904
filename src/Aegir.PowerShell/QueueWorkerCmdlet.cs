using System.Management.Automation;
using System.Runtime.InteropServices;
using Aegir.Core.Operations;
using Aegir.Core.Queues;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell;

/// <summary>
/// What the cmdlets that run the queue share (Invoke-AegirQueue, Start-AegirWorker): the throttle, an engine on the
/// queue in force, -WhatIf's list of what waits, and the run itself: each task written as it ends (a failed one also
/// as an error), Ctrl+C and SIGTERM winding it down.
/// </summary>
public abstract class QueueWorkerCmdlet : AegirCmdlet
{
    /// <summary>At most this many tasks at once (each on targets of its own); the number of cores when left out.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    /// <summary>An engine of its own on the queue in force (file or broker), for the worker's tasks.</summary>
    protected Engine WorkerEngine() => new(Store, backend: TaskBackends.For(Store.Home)) { Upkeep = Core.Schedules.ScheduledUpkeep.Instance };

    /// <summary>-WhatIf: each queued task, oldest first, or (when none is) <paramref name="whenEmpty"/>.</summary>
    protected void ShowQueued(Engine engine, string whenEmpty, bool tasks = true)
    {
        // The records, not the broker: nothing is consumed.
        var pending = tasks ? engine.Queue.Pending().ToList() : [];
        foreach (var queued in pending) ShouldProcess($"task {queued.Id} ({queued.Type} on '@{queued.Target}')", "Run queued task");
        // An empty queue says so, rather than nothing at all.
        if (pending.Count == 0) ShouldProcess(tasks ? "the queue, which holds no task" : "no queued task (-Queue leaves Tasks out)", whenEmpty);
    }

    /// <summary>
    /// The stop of a worker: Ctrl+C, Stop-Job or SIGTERM (systemctl stop), which from now on no longer ends the process:
    /// the worker winds down instead of dying mid-step.
    /// </summary>
    protected sealed class WindDown : IDisposable
    {
        readonly CancellationTokenSource _stop;
        readonly PosixSignalRegistration _term;

        public WindDown(CancellationToken stopProcessing)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(stopProcessing);
            _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
            {
                signal.Cancel = true;
                _stop.Cancel();
            });
        }

        public CancellationToken Token => _stop.Token;

        public void Dispose()
        {
            _term.Dispose();
            _stop.Dispose();
        }
    }

    /// <summary>
    /// Runs <paramref name="worker"/> until it is done (once) or <paramref name="stop"/> is set: nothing new starts and
    /// running tasks stop at their next step. True when it was stopped.
    /// </summary>
    protected bool RunWorker(QueueWorker worker, Engine engine, bool continuous, WindDown stop, Action<AegirTask>? ended = null)
    {
        try
        {
            worker.Run(continuous, task =>
            {
                ended?.Invoke(task);
                Drain();
                WriteObject(task);
                if (task.Status == AegirTaskStatus.Failed) WriteError(ErrorRecords.From(TaskErrors.TaskFailed(task), task));
            }, stop.Token);
        }
        finally
        {
            // A broker's queue lets go of what it holds and was not run, for other workers.
            (engine.Queue as IDisposable)?.Dispose();
        }
        Drain();
        return stop.Token.IsCancellationRequested;
    }
}
