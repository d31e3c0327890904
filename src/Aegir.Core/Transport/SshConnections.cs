namespace Aegir.Core.Transport;

/// <summary>
/// The ssh connections of this process, one per server (and settings): the tasks of one pipeline, and the steps of
/// each, share it; it closes a minute after the last task that used it ended.
/// </summary>
internal static class SshConnections
{
    static readonly TimeSpan Idle = TimeSpan.FromSeconds(60);
    static readonly Dictionary<SshSettings, Entry> Open = [];

    sealed class Entry(SshSettings settings)
    {
        public readonly SshTransport Transport = new(settings);
        public int Users;
        public Timer? Closing;
    }

    public static ITransport Lease(SshSettings settings)
    {
        lock (Open)
        {
            if (!Open.TryGetValue(settings, out var entry)) Open[settings] = entry = new Entry(settings);
            entry.Users++;
            entry.Closing?.Dispose();
            entry.Closing = null;
            return new SharedTransport(entry.Transport, () => Release(settings, entry));
        }
    }

    static void Release(SshSettings settings, Entry entry)
    {
        lock (Open)
        {
            if (--entry.Users > 0) return;
            entry.Closing = new Timer(_ => Close(settings, entry), null, Idle, Timeout.InfiniteTimeSpan);
        }
    }

    static void Close(SshSettings settings, Entry entry)
    {
        lock (Open)
        {
            if (entry.Users > 0 || !Open.TryGetValue(settings, out var current) || current != entry) return;
            Open.Remove(settings);
            entry.Closing?.Dispose();
        }
        entry.Transport.Dispose();
    }

    /// <summary>Closes every idle connection now (tests, and a session that ends).</summary>
    public static void CloseIdle()
    {
        List<KeyValuePair<SshSettings, Entry>> idle;
        lock (Open)
        {
            idle = Open.Where(e => e.Value.Users == 0).ToList();
            foreach (var (key, _) in idle) Open.Remove(key);
        }
        foreach (var (_, e) in idle) { e.Closing?.Dispose(); e.Transport.Dispose(); }
    }
}
