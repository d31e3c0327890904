using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Queues.Broker;
using Aegir.Core.Queues.Remote;
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

    /// <summary>
    /// Runs the queued tasks of this server, on it: the worker of a server given Set-AegirServer -OwnWorker, started on
    /// that server with $env:AEGIR_HOME at the module's folder there (/var/aegir unless its record names another), where
    /// -OwnWorker put its key. Needs the broker (Set-AegirQueue, or $env:AEGIR_BROKER).
    /// </summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completion.ServerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    protected override void EndProcessing()
    {
        string name = "";
        try { name = AegirWorker.CheckName("Name", Name ?? AegirWorker.DefaultName()); }
        catch (AegirException ex) { ThrowAegirError(ex, Name); }
        if (Server is not null)
        {
            RunServerWorker(name, Server);
            return;
        }
        var engine = WorkerEngine();
        if (WhatIfMode)
        {
            ShowQueued(engine, $"Start the worker {name}, which waits for tasks");
            return;
        }
        // Before the worker is seen in the registry: a SIGTERM from then on winds it down.
        using var stop = new WindDown(StopToken);
        var queue = QueueSetting.Of(Store.Home).Kind;
        var worker = new QueueWorker(engine, ThrottleLimit)
        {
            Log = (level, message) => { if (level >= TaskLogLevel.Warning) WriteWarning(message); else WriteVerbose(message); },
        };
        using var presence = Register(AegirWorker.ThisProcess(name, engine.Runner.Worker, queue, HeartbeatInterval), () => worker.Current);
        WriteVerbose($"Worker {name} ({engine.Runner.Worker}) runs the {queue.ToLowerInvariant()} queue of {Store.Home} until stopped, {ThrottleLimit} task(s) at once.");
        bool stopped = RunWorker(worker, engine, continuous: true, stop, presence.Ended);
        if (stopped) WriteVerbose($"Worker {name} stopped: no task was started after the stop, and the running ones have ended.");
    }

    /// <summary>
    /// Enters the worker in the registry of this home (after pruning long-dead entries) and beats for it; refused while a
    /// live worker has its name.
    /// </summary>
    WorkerPresence Register(AegirWorker entry, Func<IReadOnlyCollection<string>> current)
    {
        var registry = new FileWorkerRegistry(Store.Home);
        registry.Prune(PruneAfter);
        if (registry.List().FirstOrDefault(w => w.Alive && w.Name == entry.Name) is { } twin) ThrowAegirError(ErrorCatalog.WorkerNameTaken(entry.Name, twin.Id), entry.Name);
        return WorkerPresence.Start(registry, entry, current, message => OnMessage(TaskLogLevel.Warning, message));
    }

    /// <summary>The worker on a server of its own tasks (<see cref="RemoteWorker"/>), registered here like any worker.</summary>
    void RunServerWorker(string name, string server)
    {
        string canonical = "";
        RemoteWorker? remote = null;
        try
        {
            canonical = ContextNames.Canonical("Server", server, ContextType.Server);
            if (canonical == ContextNames.Master)
                throw ErrorCatalog.InvalidValue("Server", server, "the control machine runs its own tasks", "Start-AegirWorker without -Server runs them; -Server is for a server given Set-AegirServer <name> -OwnWorker, on that server.");
            var broker = BrokerSettings.Read(Store.Home) ?? throw ErrorCatalog.InvalidValue("Server", server, "a server's own worker takes its tasks from the broker, and no broker is set",
                "Set one with Set-AegirQueue -Broker (or $env:AEGIR_BROKER and $env:AEGIR_BROKER_PASSWORD), the same the control machine uses.");
            if (!File.Exists(RemoteWorker.KeyPath(Store.Home)))
                throw ErrorCatalog.InvalidValue("Server", server, $"there is no worker key at {RemoteWorker.KeyPath(Store.Home)}",
                    $"Run Set-AegirServer {server} -OwnWorker on the control machine, and start this worker on {server} with $env:AEGIR_HOME at the module's folder there (/var/aegir unless the server's record names another).");
            remote = new RemoteWorker(Store, canonical, broker, ThrottleLimit) { Log = (level, message) => OnMessage(level, message) };
        }
        catch (AegirException ex) { ThrowAegirError(ex, server); }
        if (WhatIfMode)
        {
            ShouldProcess($"the queue of server '{server}' on the broker", $"Start the worker {name}, which runs that server's tasks here");
            return;
        }
        using var stop = new WindDown(StopToken);
        using var presence = Register(AegirWorker.ThisProcess(name, WorkerId.Current, "Broker", HeartbeatInterval), () => remote!.Current);
        WriteVerbose($"Worker {name} ({WorkerId.Current}) runs the tasks of server '{server}' here, {ThrottleLimit} at once, until stopped.");
        // The worker's loop on a thread of its own; this one writes each task as it ends.
        var run = Task.Factory.StartNew(() => remote!.Run(task =>
        {
            presence.Ended(task);
            WriteObject(task);
            if (task.Status == AegirTaskStatus.Failed) WriteError(ErrorRecords.From(TaskErrors.TaskFailed(task), task));
        }, stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        while (!run.Wait(200)) Drain();
        Drain();
        run.GetAwaiter().GetResult();
        WriteVerbose($"Worker {name} stopped: the tasks it ran have ended and were answered.");
    }
}
