using System.Management.Automation;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Queues;
using Aegir.Core.Schedules;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell.Cmdlets.Tasks;

/// <summary>
/// Runs the queues: queued tasks oldest first, in parallel across targets up to -ThrottleLimit, never two at once on
/// one target; and the sites' schedules (cron, scheduled backups, statistics, certificate renewals), each spread over its interval. Once, it runs what is due and returns; -Continuous keeps running (as a service) and starts a newly
/// queued task within moments. Ctrl+C or SIGTERM starts nothing new and lets running tasks stop at their next step.
/// Writes each task as it ends.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "AegirQueue", HelpUri = HelpLinks.Docs + "Invoke-AegirQueue.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(AegirTask))]
public sealed class InvokeAegirQueueCommand : QueueWorkerCmdlet
{
    /// <summary>Keeps running until stopped, waking when a task is queued.</summary>
    [Parameter]
    public SwitchParameter Continuous { get; set; }

    /// <summary>Which queues to run: Tasks (queued tasks), Cron, Backup (scheduled backups, queued as tasks), Statistics, Certificate (ACME renewals), Retention (old task records let go, hourly, by Set-AegirTaskRetention); all when left out.</summary>
    [Parameter]
    [ValidateSet("Tasks", "Cron", "Backup", "Statistics", "Certificate", "Retention")]
    public string[] Queue { get; set; } = ["Tasks", "Cron", "Backup", "Statistics", "Certificate", "Retention"];

    /// <summary>The hours scheduled backups may start in, local time, such as 01:00-05:00; any time when left out.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BackupWindow { get; set; }

    protected override void EndProcessing()
    {
        using var stop = new WindDown(StopToken);
        Core.Schedules.BackupWindow? window = null;
        try { window = BackupWindow is null ? null : Core.Schedules.BackupWindow.Parse(BackupWindow); }
        catch (AegirException ex) { ThrowAegirError(ex, BackupWindow); }
        bool Has(string queue) => Queue.Contains(queue, StringComparer.OrdinalIgnoreCase);
        var kinds = (Has("Cron") ? ScheduleKinds.Cron : 0) | (Has("Backup") ? ScheduleKinds.Backup : 0) | (Has("Statistics") ? ScheduleKinds.Statistics : 0)
                    | (Has("Certificate") ? ScheduleKinds.Certificate : 0) | (Has("Retention") ? ScheduleKinds.Retention : 0);
        var engine = WorkerEngine();
        if (WhatIfMode)
        {
            // A worker of the schedules alone would run no queued task.
            ShowQueued(engine, kinds == 0 ? "Run nothing" : $"Run only what the schedules make due ({string.Join(", ", Queue)})", tasks: Has("Tasks"));
            return;
        }
        var worker = new QueueWorker(engine, ThrottleLimit)
        {
            Log = (level, message) => { if (level >= TaskLogLevel.Warning) WriteWarning(message); else WriteVerbose(message); },
            Tasks = Has("Tasks"),
            Schedule = kinds == ScheduleKinds.None ? null : new SiteSchedules(engine, kinds, window) { SpreadFrom = Continuous ? DateTimeOffset.UtcNow : null },
        };
        WriteVerbose(Continuous ? $"Running the queue of {Store.Home} until stopped, {ThrottleLimit} task(s) at once." : $"Running what the queue of {Store.Home} holds, {ThrottleLimit} task(s) at once.");
        bool stopped = RunWorker(worker, engine, Continuous, stop);
        if (stopped) WriteVerbose("The queue stopped: no task was started after the stop, and the running ones have ended.");
    }
}
