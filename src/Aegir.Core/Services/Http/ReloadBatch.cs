using Aegir.Core.Contexts;

namespace Aegir.Core.Services.Http;

/// <summary>
/// Web servers whose reload waits for the end of a batch (a pipeline of installs): every change is still
/// tested on its own, so each task can put its files back, but the server reloads once.
/// </summary>
public sealed class ReloadBatch
{
    readonly Dictionary<string, AegirServer> _pending = new(StringComparer.Ordinal);

    public void Add(AegirServer server)
    {
        lock (_pending) _pending[server.Name] = server;
    }

    public IReadOnlyList<AegirServer> Take()
    {
        lock (_pending)
        {
            var list = _pending.Values.ToList();
            _pending.Clear();
            return list;
        }
    }
}
