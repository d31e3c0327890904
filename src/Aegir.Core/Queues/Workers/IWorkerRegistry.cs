namespace Aegir.Core.Queues.Workers;

/// <summary>
/// Where workers say they live: each writes its entry at start and at every heartbeat, and removes it on a clean stop.
/// Files under $AEGIR_HOME (<see cref="FileWorkerRegistry"/>) serve the file queue and the broker alike today, as the
/// broker's workers share the home for their records; a registry carried by the broker can take its place later.
/// </summary>
public interface IWorkerRegistry
{
    /// <summary>Writes the worker's entry whole (a new one, or a heartbeat over the last).</summary>
    void Put(AegirWorker worker);

    /// <summary>Removes the entry of the worker with this id; nothing when there is none.</summary>
    void Remove(string id);

    /// <summary>Every entry, each judged alive or not now, by name.</summary>
    IReadOnlyList<AegirWorker> List();

    /// <summary>Removes the entries of workers dead (not alive) whose last heartbeat is older than <paramref name="deadFor"/>; how many.</summary>
    int Prune(TimeSpan deadFor);
}
