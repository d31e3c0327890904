using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell;

/// <summary>
/// A queued task run in the background as a PowerShell job (-AsJob): Get-Job lists it, Wait-Job waits for it,
/// Receive-Job returns the finished task (and its error, when it failed), Stop-Job stops it at its next step and
/// rolls it back. Should another worker claim the task first, the job follows that task to its end.
/// </summary>
public sealed class AegirTaskJob : Job, ITaskObserver
{
    readonly string _home;
    readonly CancellationTokenSource _stop = new();
    string _status = "queued";

    readonly Func<TaskOutcome, object?>? _output;

    /// <param name="output">What the job writes for a task that did not fail (what the cmdlet writes when it runs it now); the task when null.</param>
    public AegirTaskJob(string command, string home, AegirTask queued, Func<TaskOutcome, object?>? output = null) : base(command, $"{queued.Type} {queued.Target}")
    {
        _home = home;
        _output = output;
        TaskId = queued.Id;
        PSJobTypeName = "AegirTaskJob";
    }

    /// <summary>The id of the task the job runs (Get-AegirTask shows its log).</summary>
    public string TaskId { get; }

    public override string StatusMessage => _status;
    public override bool HasMoreData => Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Verbose.Count > 0 || Progress.Count > 0;
    public override string Location => Environment.MachineName;

    internal void Start()
    {
        SetJobState(JobState.Running);
        var thread = new Thread(Run) { IsBackground = true, Name = $"aegir-job-{TaskId}" };
        thread.Start();
    }

    void Run()
    {
        try
        {
            var engine = new Engine(new ContextStore(_home), this, backend: TaskBackends.For(_home)) { Upkeep = Core.Schedules.ScheduledUpkeep.Instance };
            var outcome = engine.RunQueued(TaskId, _stop.Token);
            var task = outcome?.Task ?? Follow(engine.Runner.Store);
            _status = task.Status.ToString();
            var shown = outcome is not null && task.Status != AegirTaskStatus.Failed && _output is not null ? _output(outcome) : null;
            Output.Add(PSObject.AsPSObject(shown ?? task));
            if (task.Status == AegirTaskStatus.Failed) Error.Add(ErrorRecords.From(TaskErrors.TaskFailed(task), task));
            SetJobState(task.Status == AegirTaskStatus.Failed ? JobState.Failed : _stop.IsCancellationRequested ? JobState.Stopped : JobState.Completed);
        }
        catch (Exception ex)
        {
            _status = ex.Message;
            Error.Add(ex is AegirException a ? ErrorRecords.From(a, TaskId) : new ErrorRecord(ex, "AegirTaskJobFailed", ErrorCategory.NotSpecified, TaskId));
            SetJobState(JobState.Failed);
        }
    }

    /// <summary>The task another worker took: its record, once it has ended.</summary>
    AegirTask Follow(ITaskStore store)
    {
        while (true)
        {
            var task = store.Get(TaskId) ?? throw ErrorCatalog.TaskNotFound(TaskId);
            if (task.IsFinished) return task;
            if (_stop.IsCancellationRequested) store.RequestStop(TaskId);
            Thread.Sleep(200);
        }
    }

    public override void StopJob()
    {
        _stop.Cancel();
        Finished.WaitOne(TimeSpan.FromMinutes(10));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _stop.Dispose();
        base.Dispose(disposing);
    }

    // --- the task's events, into the job's streams ---

    public void OnLog(AegirTask task, TaskLogEntry entry)
    {
        if (entry.Level != TaskLogLevel.Debug) OnMessage(entry.Level, entry.Message);
    }

    public void OnProgress(AegirTask task, int percent, string activity)
    {
        _status = activity;
        Progress.Add(new ProgressRecord(1, $"{task.Type} @{task.Target}", activity) { PercentComplete = percent });
    }

    public void OnMessage(TaskLogLevel level, string message)
    {
        if (level == TaskLogLevel.Warning) Warning.Add(new WarningRecord(message));
        else Verbose.Add(new VerboseRecord(message));
    }
}
