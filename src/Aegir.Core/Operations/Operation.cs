using Aegir.Core.Contexts;

namespace Aegir.Core.Operations;

/// <summary>The typed base every operation derives from.</summary>
public abstract class Operation<TParameters> : IOperation where TParameters : class
{
    public abstract string Type { get; }
    public abstract ContextType TargetType { get; }
    public Type ParametersType => typeof(TParameters);

    public abstract string TargetOf(TParameters parameters);
    public virtual IReadOnlyList<string> LocksOf(TParameters parameters, ContextStore store) => [];
    public virtual IReadOnlyList<string> WebServersOf(TParameters parameters, ContextStore store) => [];
    public virtual IReadOnlyList<string> SharedLocksOf(TParameters parameters, ContextStore store) => [];
    public abstract void Plan(TParameters parameters, OperationPlan plan, OperationEnvironment env);
    public virtual void Check(TParameters parameters, ContextStore store) { }

    string IOperation.TargetOf(object parameters) => TargetOf((TParameters)parameters);
    IReadOnlyList<string> IOperation.LocksOf(object parameters, ContextStore store) => LocksOf((TParameters)parameters, store);
    IReadOnlyList<string> IOperation.WebServersOf(object parameters, ContextStore store) => WebServersOf((TParameters)parameters, store);
    IReadOnlyList<string> IOperation.SharedLocksOf(object parameters, ContextStore store) => SharedLocksOf((TParameters)parameters, store);
    void IOperation.Plan(object parameters, OperationPlan plan, OperationEnvironment env) => Plan((TParameters)parameters, plan, env);
    void IOperation.Check(object parameters, ContextStore store) => Check((TParameters)parameters, store);
}
