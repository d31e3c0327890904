using Aegir.Core.Tasks;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// How a pipeline of moves went (Move-AegirSite with many sites): the sites moved, those whose move failed and was
/// rolled back (each answers from where it was, with its old database), and those that failed otherwise (refused
/// before anything changed, or an undo left for a person to finish: their tasks say what).
/// </summary>
public sealed class MoveSummary
{
    readonly List<string> _moved = [], _rolledBack = [], _failed = [];

    public IReadOnlyList<string> Moved => _moved;
    public IReadOnlyList<string> RolledBack => _rolledBack;
    public IReadOnlyList<string> Failed => _failed;
    public int Total => _moved.Count + _rolledBack.Count + _failed.Count;

    /// <summary>Counts a site's move by its task.</summary>
    public void Add(string site, AegirTask task)
    {
        lock (_moved) (task.Status switch
        {
            AegirTaskStatus.Succeeded or AegirTaskStatus.Warning => _moved,
            AegirTaskStatus.Failed when RolledBackWhole(task) => _rolledBack,
            _ => _failed,
        }).Add(site);
    }

    /// <summary>Counts a site whose move was refused before any task ran.</summary>
    public void AddRefused(string site)
    {
        lock (_moved) _failed.Add(site);
    }

    /// <summary>A failed task that had changed something and whose every change was undone.</summary>
    public static bool RolledBackWhole(AegirTask task)
    {
        lock (task) return task.Journal.Any(e => e.State == JournalState.Undone) && !task.Journal.Any(e => e.State is JournalState.Failed or JournalState.Waiting or JournalState.Pending);
    }

    public override string ToString()
    {
        lock (_moved)
            return $"{_moved.Count} moved, {_failed.Count} failed, {_rolledBack.Count} rolled back"
                   + (_rolledBack.Count > 0 ? $"; rolled back: {string.Join(", ", _rolledBack)}" : "")
                   + (_failed.Count > 0 ? $"; failed: {string.Join(", ", _failed)}" : "");
    }
}
