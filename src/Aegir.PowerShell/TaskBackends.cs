using Aegir.Core.Tasks;

namespace Aegir.PowerShell;

/// <summary>
/// The one place the module decides what its engines' tasks run on (record store, target locks, queue), from the
/// settings of a $AEGIR_HOME: the embedded files and flock, as long as no other queue is set.
/// </summary>
static class TaskBackends
{
    public static TaskBackend For(string home) => TaskBackend.Files();
}
