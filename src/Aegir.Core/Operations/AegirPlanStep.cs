namespace Aegir.Core.Operations;

/// <summary>
/// One concrete change an operation would make, computed without changing anything: what -WhatIf prints and
/// -Plan returns. <see cref="On"/> is the context the change happens on (a server, or the context record itself).
/// </summary>
public sealed class AegirPlanStep
{
    public int Order { get; init; }
    public string Operation { get; init; } = "";
    public string Target { get; init; } = "";
    public string On { get; init; } = "";
    [Newtonsoft.Json.JsonIgnore]   // ConvertTo-Json writes its name (the module's types file)
    public PlanAction Action { get; init; }
    public string Description { get; init; } = "";

    /// <summary>Carries the step out inside the task (null on a plan that was only shown).</summary>
    internal Action<Tasks.TaskContext>? Run { get; init; }

    public override string ToString() => Description;
}
