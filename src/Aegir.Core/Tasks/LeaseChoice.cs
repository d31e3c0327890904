namespace Aegir.Core.Tasks;

/// <summary>A worker's answer for a queued task: take it, skip it (it holds nothing back), or let it wait in its place (a later task on its targets waits behind it).</summary>
public enum LeaseChoice { Take, Skip, Wait }
