using Aegir.Core.Tasks;

namespace Aegir.Core.Operations;

/// <summary>
/// Web servers whose reload waits for the end of a batch (a pipeline of installs): every change is still tested
/// on its own, so each task can put its files back, but the server reloads once. The pending reload is a queued
/// reload task from the first deferral on, so a batch that is killed leaves it to be finished, never forgotten.
/// </summary>
public sealed class ReloadBatch
{
    readonly Dictionary<string, string> _pending = new(StringComparer.Ordinal);

    /// <summary>The queued reload task of the server, made when there is none still queued.</summary>
    internal string Defer(Engine engine, string server)
    {
        lock (_pending)
        {
            if (_pending.TryGetValue(server, out var id) && engine.Runner.Store.Get(id) is { Status: AegirTaskStatus.Queued }) return id;
            var task = engine.Enqueue(new Server.ReloadServer.Parameters(server));
            _pending[server] = task.Id;
            return task.Id;
        }
    }

    /// <summary>The pending reload tasks, emptied.</summary>
    internal IReadOnlyList<string> Take()
    {
        lock (_pending)
        {
            var ids = _pending.Values.ToList();
            _pending.Clear();
            return ids;
        }
    }
}
