namespace Aegir.Core.Operations;

/// <summary>What kind of change a plan step makes.</summary>
public enum PlanAction { Check, Create, Write, Set, Run, Reload, Record, Move, Delete, Drop }
