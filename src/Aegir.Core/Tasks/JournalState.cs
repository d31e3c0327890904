namespace Aegir.Core.Tasks;

public enum JournalState
{
    /// <summary>About to change, or changing: the change may or may not have happened.</summary>
    Started,
    Done,
    /// <summary>The step found it could not start (a name already taken) and changed nothing.</summary>
    Void,
    /// <summary>Past the point of no return, not done yet.</summary>
    Pending,
    Undone,
    Failed,
    /// <summary>
    /// Not undone yet: its server did not answer (or it changes a record, kept until such an undo is done). The next
    /// task on the task's target or on that server, or a verify, tries it again.
    /// </summary>
    Waiting,
}
