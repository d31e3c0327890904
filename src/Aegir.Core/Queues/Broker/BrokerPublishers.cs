namespace Aegir.Core.Queues.Broker;

/// <summary>
/// One publisher per broker, user and topology for the whole process, so queueing a task costs a publish and its
/// confirm rather than a new connection and the topology declared again. Each cmdlet makes an engine of its own (a
/// loop of Lock-AegirPlatform -Queue makes one per task), and an engine of a cmdlet is never disposed, so a publisher
/// of its own would also be a connection left open per cmdlet. The publishers close when the process exits.
/// </summary>
static class BrokerPublishers
{
    readonly record struct Key(string Address, string Password, BrokerTopology Topology);

    static readonly Dictionary<Key, BrokerQueue> Open = [];

    static BrokerPublishers() => AppDomain.CurrentDomain.ProcessExit += (_, _) => CloseAll();

    /// <summary>The process's publisher for these settings: the one open already, else a new one (it connects and declares the topology).</summary>
    public static BrokerQueue For(BrokerSettings settings, BrokerTopology topology)
    {
        var key = new Key(settings.Address.ToString(), settings.Password, topology);
        BrokerQueue? stale = null;
        try
        {
            lock (Open)
            {
                if (Open.TryGetValue(key, out var publisher))
                {
                    if (publisher.IsOpen) return publisher;
                    // Its connection is gone (a broker restart): a new one.
                    stale = publisher;
                    Open.Remove(key);
                }
                // Connecting under the lock: two threads queueing at once share one new connection.
                return Open[key] = BrokerQueue.OpenAsync(settings, topology).GetAwaiter().GetResult();
            }
        }
        finally { stale?.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    /// <summary>Forgets a publisher that failed (the next <see cref="For"/> connects anew) and closes it.</summary>
    public static void Drop(BrokerQueue publisher)
    {
        lock (Open)
        {
            foreach (var (key, open) in Open.ToList())
                if (ReferenceEquals(open, publisher)) Open.Remove(key);
        }
        publisher.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    static void CloseAll()
    {
        List<BrokerQueue> all;
        lock (Open)
        {
            all = [.. Open.Values];
            Open.Clear();
        }
        foreach (var publisher in all)
        {
            try { publisher.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(2)); }
            catch (AggregateException) { }   // exiting: a broker that does not answer is left to notice the closed socket
        }
    }
}
