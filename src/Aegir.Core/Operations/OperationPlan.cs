using Aegir.Core.Tasks;

namespace Aegir.Core.Operations;

/// <summary>
/// An operation's plan: the concrete changes in order, each with how to carry it out. A task runs exactly its
/// plan, so what -WhatIf shows is what runs (values only a change can tell, such as a free database name, may differ).
/// </summary>
public sealed class OperationPlan(string operation, string target)
{
    readonly List<AegirPlanStep> _steps = [];

    public string Operation { get; } = operation;
    public string Target { get; } = target;
    public IReadOnlyList<AegirPlanStep> Steps => _steps;

    /// <summary>What the task hands back to its caller when it succeeds (never stored: an admin password).</summary>
    public Func<object?>? Result { get; set; }

    /// <summary>Adds a change made on <paramref name="on"/> (a context name, without '@').</summary>
    public void Add(string on, PlanAction action, string description, Action<TaskContext> run)
        => _steps.Add(new AegirPlanStep
        {
            Order = _steps.Count + 1, Operation = Operation, Target = Target, On = on, Action = action, Description = description, Run = run,
        });
}
