using System.Text.Json.Nodes;
using Aegir.Core.Tasks;

namespace Aegir.Core.Operations;

/// <summary>
/// Web servers whose reload waits for the end of a batch (a pipeline of installs): every change is still tested
/// on its own, so each task can put its files back, but the server reloads once. The pending reload is a queued
/// reload task from the first deferral on, so a batch that is killed leaves it to be finished, never forgotten.
/// The sites the batch changed are checked over HTTP once that reload is done.
/// </summary>
public sealed class ReloadBatch
{
    sealed class Waiting(string id)
    {
        public string Id = id;
        public readonly SortedSet<string> Sites = new(StringComparer.Ordinal);
        /// <summary>Sites this batch made: one that does not answer after the reload is removed again.</summary>
        public readonly SortedSet<string> Created = new(StringComparer.Ordinal);
    }

    readonly Dictionary<string, Waiting> _pending = new(StringComparer.Ordinal);

    /// <summary>Sites whose first certificate is asked of their CA once the reload serves their vhosts (HTTP-01 needs it served).</summary>
    readonly SortedSet<string> _issues = new(StringComparer.Ordinal);

    /// <summary>What the batch's tasks ask of servers alike, asked once (kept a minute).</summary>
    public ServerFacts Facts { get; } = new();

    /// <summary>How many web servers wait for their reload.</summary>
    public int Pending
    {
        get { lock (_pending) return _pending.Values.Count(p => p.Id.Length > 0); }
    }

    /// <summary>The queued reload task of the server, made when there is none still queued.</summary>
    internal string Defer(Engine engine, string server)
    {
        lock (_pending)
        {
            if (_pending.TryGetValue(server, out var pending) && engine.Runner.Store.Get(pending.Id) is { Status: AegirTaskStatus.Queued }) return pending.Id;
            var task = engine.Enqueue(new Server.ReloadServer.Parameters(server));
            if (pending is null) _pending[server] = pending = new Waiting(task.Id);
            else pending.Id = task.Id;
            Record(engine, pending);
            return task.Id;
        }
    }

    /// <summary>Asks for a site's page to be checked once the server has reloaded; <paramref name="created"/>: the batch made the site.</summary>
    internal void Expect(Engine engine, string server, string site, bool created = false)
    {
        lock (_pending)
        {
            if (!_pending.TryGetValue(server, out var pending)) _pending[server] = pending = new Waiting("");
            pending.Sites.Add(site);
            if (created) pending.Created.Add(site);
            Record(engine, pending);
        }
    }

    /// <summary>
    /// The sites to check go into the queued reload as they come: a batch killed before its end leaves a reload that
    /// checks them, and names them, when the server's next task runs it.
    /// </summary>
    static void Record(Engine engine, Waiting pending)
    {
        if (pending.Id.Length == 0 || pending.Sites.Count == 0 || engine.Runner.Store.Get(pending.Id) is not { Status: AegirTaskStatus.Queued } queued) return;
        queued.Parameters["sites"] = new JsonArray(pending.Sites.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray());
        engine.Runner.Store.Save(queued);
    }

    /// <summary>Asks for a site's certificate to be asked of its CA once its server has reloaded.</summary>
    internal void Issue(string site)
    {
        lock (_pending) _issues.Add(site);
    }

    /// <summary>The sites waiting for their certificate, emptied.</summary>
    internal IReadOnlyList<string> TakeIssues()
    {
        lock (_pending)
        {
            var list = _issues.ToList();
            _issues.Clear();
            return list;
        }
    }

    /// <summary>The pending reload tasks (their records name the sites to check) with the sites the batch made, emptied.</summary>
    internal IReadOnlyList<(string Id, IReadOnlyList<string> Created)> Take()
    {
        lock (_pending)
        {
            var list = _pending.Values.Where(p => p.Id.Length > 0)
                .Select(p => (p.Id, (IReadOnlyList<string>)p.Created.ToList())).ToList();
            _pending.Clear();
            return list;
        }
    }
}
