using Aegir.Core.Queues.Broker;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell;

/// <summary>
/// The one place the module decides what its engines' tasks run on (record store, target locks, queue), from the
/// settings of a $AEGIR_HOME: the embedded files and flock, as long as no other queue is set; with a broker set
/// (Set-AegirQueue -Broker, or $env:AEGIR_BROKER), the queue is the broker's.
/// </summary>
static class TaskBackends
{
    public static TaskBackend For(string home)
    {
        if (BrokerSettings.Read(home) is not { } broker) return TaskBackend.Files();
        var files = TaskBackend.Files();
        // Only the queue moves to the broker. The records stay files and the locks stay flock under this $AEGIR_HOME:
        // the workers run on this machine, or share its $AEGIR_HOME, and read each task's record (never sent to the broker).
        // A dead worker's delivery comes back to another: its task is repaired and run again, up to the delivery limit.
        return files with { Queue = runner => new BrokerTaskQueue(runner, broker), RetryDead = new BrokerTopology().DeliveryLimit,
            Remote = new Core.Queues.Remote.RemoteDispatch(broker) };
    }
}
