using System.Management.Automation;
using Aegir.Core.Errors;
using Aegir.Core.Queues;
using Aegir.Core.Queues.Workers;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell.Cmdlets.Workers;

/// <summary>
/// A long-running worker of queued tasks (no schedules: those are Invoke-AegirQueue's), on the file queue or the
/// broker alike, in the foreground until Ctrl+C or SIGTERM. It registers itself (Get-AegirWorker), beats every few
/// seconds with the tasks it runs, and removes its entry when it stops cleanly. Writes each task as it ends.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "AegirWorker", HelpUri = HelpLinks.Docs + "Start-AegirWorker.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(AegirTask))]
public sealed class StartAegirWorkerCommand : QueueWorkerCmdlet
{
    /// <summary>How often the worker writes its heartbeat.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    /// <summary>Entries of workers dead this long are removed when a worker starts or the workers are listed.</summary>
    public static readonly TimeSpan PruneAfter = TimeSpan.FromDays(1);

    /// <summary>The worker's name in Get-AegirWorker (a service unit's instance name); its host and pid when left out.</summary>
    [Parameter(Position = 0)]
    public string? Name { get; set; }

    protected override void EndProcessing()
    {
        string name = "";
        try { name = AegirWorker.CheckName("Name", Name ?? AegirWorker.DefaultName()); }
        catch (AegirException ex) { ThrowAegirError(ex, Name); }
        var engine = WorkerEngine();
        if (WhatIfMode)
        {
            ShowQueued(engine, $"Start the worker {name}, which waits for tasks");
            return;
        }
        // Before the worker is seen in the registry: a SIGTERM from then on winds it down.
        using var stop = new WindDown(StopToken);
        var registry = new FileWorkerRegistry(Store.Home);
        registry.Prune(PruneAfter);
        if (registry.List().FirstOrDefault(w => w.Alive && w.Name == name) is { } twin) ThrowAegirError(ErrorCatalog.WorkerNameTaken(name, twin.Id), name);
        var queue = QueueSetting.Of(Store.Home).Kind;
        var worker = new QueueWorker(engine, ThrottleLimit)
        {
            Log = (level, message) => { if (level >= TaskLogLevel.Warning) WriteWarning(message); else WriteVerbose(message); },
        };
        using var presence = WorkerPresence.Start(registry, AegirWorker.ThisProcess(name, engine.Runner.Worker, queue, HeartbeatInterval), () => worker.Current,
            message => OnMessage(TaskLogLevel.Warning, message));
        WriteVerbose($"Worker {name} ({engine.Runner.Worker}) runs the {queue.ToLowerInvariant()} queue of {Store.Home} until stopped, {ThrottleLimit} task(s) at once.");
        bool stopped = RunWorker(worker, engine, continuous: true, stop, presence.Ended);
        if (stopped) WriteVerbose($"Worker {name} stopped: no task was started after the stop, and the running ones have ended.");
    }
}
