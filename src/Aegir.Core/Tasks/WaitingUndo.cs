namespace Aegir.Core.Tasks;

/// <summary>
/// What a failed task's undo still waits for: undos whose server did not answer, and the record changes kept behind
/// them (so a record stays while something it names is left). The next task on any of its targets tries again.
/// </summary>
public static class WaitingUndo
{
    static IEnumerable<JournalEntry> Entries(AegirTask task) => task.Journal.Where(e => e.State == JournalState.Waiting);

    /// <summary>Each undo that waits for its server, with why.</summary>
    public static IReadOnlyList<string> Undos(AegirTask task)
        => Entries(task).Where(e => !JournalActions.ChangesRecord(e.Undo!)).Select(e => $"{e.Undo!.Description} ({e.Problem?.TrimEnd('.')})").ToList();

    /// <summary>The records kept until those undos are done: nothing else may change them meanwhile.</summary>
    public static IReadOnlySet<string> Records(AegirTask task)
        => Entries(task).Where(e => JournalActions.ChangesRecord(e.Undo!)).Select(e => e.Undo!.Arg("name")).ToHashSet(StringComparer.Ordinal);

    /// <summary>What waits on a target, as the Get- cmdlets show it (tasks by id); null when nothing does.</summary>
    public static string? Describe(ITaskStore store, IEnumerable<string> ids)
    {
        var lines = ids.Select(store.Get).OfType<AegirTask>().Where(t => Undos(t).Count > 0)
            .Select(t => $"task {t.Id} ({t.Type} on '@{t.Target}') waits to {string.Join("; ", Entries(t).Where(e => !JournalActions.ChangesRecord(e.Undo!)).Select(e => e.Undo!.Description))}")
            .ToList();
        return lines.Count == 0 ? null : string.Join("; ", lines) + ". The next task on it tries again.";
    }

    /// <summary>Every target whose next task tries again: the task's own, the servers the undos name, and the records kept.</summary>
    public static IReadOnlySet<string> Targets(AegirTask task)
    {
        var targets = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var e in Entries(task))
            if (e.Undo!.Args.TryGetValue("server", out var server)) targets.Add(server);
        targets.UnionWith(Records(task));
        if (targets.Count > 0) targets.Add(task.Target);
        return targets;
    }
}
