namespace Aegir.Core.Tasks;

/// <summary>
/// Task records as the runner and the queue need them: the record itself (written whole), the undo data a running task
/// keeps beside it, the index of queued tasks, the undos left waiting for a server, and stop requests. Private files
/// under $AEGIR_HOME are the implementation (<see cref="TaskStore"/>).
/// </summary>
public interface ITaskStore
{
    /// <summary>The $AEGIR_HOME the records belong to.</summary>
    string Home { get; }

    /// <summary>Writes the whole record; <paramref name="durable"/> also flushes it to disk.</summary>
    void Save(AegirTask task, bool durable = true);

    AegirTask? Get(string id);

    /// <summary>Tasks newest first whose type and target pass <paramref name="include"/>.</summary>
    IEnumerable<AegirTask> List(Func<string, string, bool>? include = null);

    /// <summary>Tasks of <paramref name="targets"/> alone, newest first, whose type and target pass <paramref name="include"/>.</summary>
    IEnumerable<AegirTask> List(IReadOnlyCollection<string> targets, Func<string, string, bool>? include = null);

    /// <summary>Deletes what a killed writer of the task's record left: called once its process is gone.</summary>
    void RemoveStaleTemps(AegirTask task);

    // Undo data (old config, old records; it may hold secrets), kept until the task has ended.
    void WriteData(AegirTask task, string name, byte[] bytes);
    byte[]? ReadData(AegirTask task, string name);
    void DeleteData(AegirTask task);

    // The index of queued tasks: marked when queued, unmarked when claimed, stopped or repaired.
    void MarkQueued(AegirTask task);
    void Unmark(AegirTask task);

    /// <summary>Id, type and target of each queued task, oldest first.</summary>
    IReadOnlyList<(string Id, string Type, string Target)> QueuedHeaders();

    /// <summary>Ids of queued tasks, oldest first, whose type and target pass <paramref name="include"/>.</summary>
    IReadOnlyList<string> Queued(Func<string, string, bool>? include = null);

    /// <summary>Marks the targets whose next task tries again the task's waiting undos (none left: no marks).</summary>
    void MarkWaitingUndo(AegirTask task);

    /// <summary>Each task whose undo waits, with each target whose next task tries it again.</summary>
    IReadOnlyList<(string Id, string Target)> Waiting();

    /// <summary>The tasks, oldest first, whose waiting undo the next task on <paramref name="target"/> tries again.</summary>
    IReadOnlyList<string> WaitingOn(string target);

    // Stop requests: Stop-AegirTask asks, whoever runs the task sees it at its next step.
    void RequestStop(string id);
    bool StopRequested(string id);
    void ClearStop(string id);
}
