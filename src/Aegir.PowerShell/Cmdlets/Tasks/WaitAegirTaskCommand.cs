using System.Diagnostics;
using System.Management.Automation;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell.Cmdlets.Tasks;

/// <summary>
/// Waits until tasks have ended (queued or running, in this process or any other) and writes each as it ends; a
/// task still unfinished after -Timeout is reported as an error. Piped tasks (by Id) are waited for together.
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "AegirTask", HelpUri = HelpLinks.Docs + "Wait-AegirTask.md")]
[OutputType(typeof(AegirTask))]
public sealed class WaitAegirTaskCommand : TaskIdCmdlet
{
    /// <summary>Seconds to wait at most; forever when left out.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Timeout { get; set; } = -1;

    readonly List<string> _ids = [];

    protected override void ProcessRecord() => _ids.AddRange(Id!);

    protected override void EndProcessing()
    {
        var store = Tasks;
        var waiting = new List<string>();
        foreach (var id in _ids.Distinct(StringComparer.Ordinal))
        {
            if (store.Get(id) is null) WriteAegirError(ErrorCatalog.TaskNotFound(id), id);
            else waiting.Add(id);
        }
        var clock = Stopwatch.StartNew();
        var limit = Timeout < 0 ? System.Threading.Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(Timeout);
        while (waiting.Count > 0)
        {
            foreach (var id in waiting.ToList())
                if (store.Get(id) is { IsFinished: true } task)
                {
                    waiting.Remove(id);
                    WriteObject(task);
                }
            if (waiting.Count == 0) break;
            if (limit != System.Threading.Timeout.InfiniteTimeSpan && clock.Elapsed >= limit)
            {
                foreach (var id in waiting)
                    if (store.Get(id) is { } task) WriteAegirError(TaskErrors.TaskNotFinished(task, clock.Elapsed), task);
                return;
            }
            if (StopToken.WaitHandle.WaitOne(100)) return;
        }
    }
}
