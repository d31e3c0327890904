using Aegir.Core.Contexts;

namespace Aegir.Core.Operations;

/// <summary>
/// One kind of task (verify a site, install, delete ...). Its parameters are a serialisable record, so a task
/// record (type and parameters) can be stored, queued, replayed or sent to another machine; the registry finds
/// the operation again from the record's type and target.
/// </summary>
public interface IOperation
{
    /// <summary>The task type: verify, install, delete ...</summary>
    string Type { get; }

    /// <summary>The kind of context the task works on.</summary>
    ContextType TargetType { get; }

    Type ParametersType { get; }

    /// <summary>The context the task works on (its canonical name).</summary>
    string TargetOf(object parameters);

    /// <summary>Other contexts the task holds while it runs (a site's platform), read from the records as they are.</summary>
    IReadOnlyList<string> LocksOf(object parameters, ContextStore store);

    /// <summary>
    /// Those of <see cref="LocksOf"/> the task may hold shared with others of its kind (the platforms of a move: many
    /// sites move onto one platform at once); any other task holding one of them exclusive still waits for all.
    /// </summary>
    IReadOnlyList<string> SharedLocksOf(object parameters, ContextStore store);

    /// <summary>Web servers whose config the task changes (a pending reload of theirs is finished first).</summary>
    IReadOnlyList<string> WebServersOf(object parameters, ContextStore store);

    /// <summary>Computes the plan, reading but never changing anything.</summary>
    void Plan(object parameters, OperationPlan plan, OperationEnvironment env);

    /// <summary>
    /// Refuses, before any task is recorded, a request that is a mistake on its face (a rename onto a site that
    /// exists, a move to where the site is): an error for the caller, no Failed task for the records.
    /// </summary>
    void Check(object parameters, ContextStore store);
}

