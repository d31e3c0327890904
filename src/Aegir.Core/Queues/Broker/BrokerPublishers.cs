namespace Aegir.Core.Queues.Broker;

/// <summary>
/// This process's publisher connections, one per broker (address, user and password) and topology, shared by every
/// queue that publishes there: a script that queues tasks one cmdlet call at a time publishes on one connection
/// instead of opening one per call (each then left open until the process ended). One found closed (a broker
/// restart) is opened anew; all are closed as the process exits.
/// </summary>
public static class BrokerPublishers
{
    static readonly object Gate = new();
    static readonly Dictionary<(string Address, string Password, BrokerTopology Topology), BrokerQueue> Open = [];

    static BrokerPublishers() => AppDomain.CurrentDomain.ProcessExit += (_, _) => CloseAll();

    /// <summary>The open publisher for these settings, connecting (and declaring the topology) when there is none.</summary>
    public static BrokerQueue Get(BrokerSettings settings, BrokerTopology topology)
    {
        var key = (settings.Address.ToString(), settings.Password, topology);
        BrokerQueue? closed = null;
        try
        {
            lock (Gate)
            {
                if (Open.TryGetValue(key, out var open))
                {
                    if (open.IsOpen) return open;
                    Open.Remove(key);
                    closed = open;
                }
                // Under the lock: callers that start together share one connection rather than each opening one.
                return Open[key] = BrokerQueue.OpenAsync(settings, topology).GetAwaiter().GetResult();
            }
        }
        finally
        {
            if (closed is not null) Close(closed);
        }
    }

    /// <summary>Forgets a publisher that failed (its connection lost), so the next <see cref="Get"/> opens another.</summary>
    public static void Drop(BrokerQueue publisher)
    {
        lock (Gate)
        {
            foreach (var key in Open.Where(o => ReferenceEquals(o.Value, publisher)).Select(o => o.Key).ToList()) Open.Remove(key);
        }
        Close(publisher);
    }

    /// <summary>Closes every publisher (the process is ending; tests start afresh).</summary>
    public static void CloseAll()
    {
        List<BrokerQueue> all;
        lock (Gate)
        {
            all = [.. Open.Values];
            Open.Clear();
        }
        foreach (var publisher in all) Close(publisher);
    }

    static void Close(BrokerQueue publisher)
    {
        // A connection the broker already dropped has nothing left to close properly.
        try { publisher.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or RabbitMQ.Client.Exceptions.AlreadyClosedException or OperationCanceledException) { }
    }
}
