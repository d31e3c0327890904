using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Site;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>
/// Moves a site to another platform (how a site is upgraded) and/or database server, through a pre-migration backup
/// deployed on the target, the application's database updates run on the new database; the site answers from where
/// it was until everything succeeded. Returns the task. Many sites piped in move up to -ThrottleLimit at once, and
/// the pipeline ends with a summary of moved, failed and rolled back.
/// </summary>
[Cmdlet(VerbsCommon.Move, "AegirSite", HelpUri = HelpLinks.Docs + "Move-AegirSite.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "ByName")]
[OutputType(typeof(Core.Tasks.AegirTask), typeof(AegirSite), typeof(AegirPlanStep))]
public sealed class MoveAegirSiteCommand : SiteDestinationCmdlet
{
    /// <summary>Moves without asking.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Returns the site instead of the task.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>At most this many sites move at once (1: one after another).</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 1;

    readonly MoveSummary _summary = new();
    readonly List<(string Site, Task<TaskOutcome> Move)> _running = [];
    /// <summary>Every move started, for a stop (on another thread) to wait for.</summary>
    readonly List<Task> _started = [];

    /// <summary>Moves run now, several at once: not queued, nor a job (each of those is a task of its own already).</summary>
    bool Parallel => ThrottleLimit > 1 && !Queue && !AsJob;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (Platform is null && DbServer is null)
            ThrowAegirError(ErrorCatalog.Missing("-Platform or -DbServer", "Name the platform (or database server) to move the site to."));
    }

    protected override void ProcessSite() => ForItem(Target, () =>
    {
        var site = ReadSite();
        var (platform, db) = Destination();
        var parameters = new MoveSite.Parameters(site.Name, platform, db);
        var where = string.Join(" and ", new[] { platform, db }.OfType<string>().Select(n => "@" + n));
        if (!Approve(parameters, site.ToString(), $"Move site to {where}: backup, deploy there, run the application's updates, switch, then remove the old copy", Force)) return;
        if (!Parallel)
        {
            try { Done(site.Name, RunOperation(parameters)); }
            catch (AegirException) { _summary.AddRefused(site.Name); throw; }
            return;
        }
        while (_running.Count >= ThrottleLimit) EndOne();
        var engine = Engine;   // made here, on the pipeline thread, once for all the moves
        // A thread of its own: a task blocks on its programs' pipes, whose copying needs the thread pool free.
        var move = Task.Factory.StartNew(() => engine.Run(parameters, StopToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        lock (_started) _started.Add(move);
        _running.Add((site.Name, move));
    });

    /// <summary>Waits for the first of the running moves to end (writing what their tasks log meanwhile), and writes it.</summary>
    void EndOne()
    {
        int ended;
        do
        {
            ended = Task.WaitAny(_running.Select(r => (Task)r.Move).ToArray(), 200);
            Drain();
        } while (ended < 0);
        var (site, move) = _running[ended];
        _running.RemoveAt(ended);
        try { Done(site, move.GetAwaiter().GetResult()); }
        catch (AegirException ex)
        {
            // Refused before any task (a move to where the site is): that site's error, and the rest go on.
            _summary.AddRefused(site);
            WriteAegirError(ex, site);
        }
        finally { Drain(); }
    }

    void Done(string site, TaskOutcome outcome)
    {
        if (outcome.Task.Status != Core.Tasks.AegirTaskStatus.Queued) _summary.Add(site, outcome.Task);
        Emit(outcome.Task, PassThru, () => Store.GetFresh<AegirSite>(site, "Uri"));
    }

    protected override void EndProcessing()
    {
        while (_running.Count > 0) EndOne();
        base.EndProcessing();
        if (_summary.Total < 2) return;
        // The summary as an object (-InformationVariable) and as a line shown like Write-Host's; a warning when not every site moved.
        WriteInformation(new InformationRecord(_summary, MyInvocation.MyCommand.Name) { Tags = { "AegirMoveSummary" } });
        WriteInformation(new InformationRecord(new HostInformationMessage { Message = $"Moves: {_summary}." }, MyInvocation.MyCommand.Name) { Tags = { "PSHOST" } });
        if (_summary.Total > _summary.Moved.Count) WriteWarning($"Not every site moved: {_summary}.");
    }

    /// <summary>Ctrl+C: the running moves stop at their next step and roll back; the pipeline waits for them to end.</summary>
    protected override void StopProcessing()
    {
        base.StopProcessing();
        Task[] moves;
        lock (_started) moves = [.. _started];
        try { Task.WaitAll(moves); }
        catch (AggregateException) { }
    }
}
