using Aegir.Core.Queues.Broker;

namespace Aegir.Core.Tests.Broker;

/// <summary>
/// A worker in a process of its own, for a test to kill mid-task: it consumes the queues of topology prefix
/// <c>args[0]</c> from the broker in AEGIR_BROKER (the password in AEGIR_BROKER_PASSWORD, never an argument), prints
/// "got &lt;task id&gt;" for the first task and holds it, unsettled, until killed.
/// </summary>
public static class BrokerChild
{
    public static int Run(string[] args)
    {
        var settings = BrokerSettings.Read("/nonexistent") ?? throw new InvalidOperationException("AEGIR_BROKER is not set");
        var topology = new BrokerTopology(args[0], int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
        var queue = BrokerQueue.OpenAsync(settings, topology).GetAwaiter().GetResult();
        _ = queue.ConsumeAsync("child", async (delivery, lost) =>
        {
            Console.WriteLine("got " + delivery.TaskId);
            await Task.Delay(Timeout.Infinite, lost);
        }).GetAwaiter().GetResult();
        Console.WriteLine("consuming");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
