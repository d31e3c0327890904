using System.Text;

namespace Aegir.Core.Transport;

/// <summary>
/// A program's output read to its end but kept only up to a bound: a program that prints without end (a site's
/// command, a hostile dump's SELECT) costs no more memory than that; what was left out is said at the end.
/// </summary>
public static class BoundedText
{
    /// <summary>What is kept of stderr, and of stdout not streamed elsewhere.</summary>
    public const int DefaultLimit = 16 * 1024 * 1024;

    public static async Task<string> ReadAsync(Stream stream, int limit = DefaultLimit)
    {
        var kept = new Kept(limit);
        int n;
        while ((n = await stream.ReadAsync(kept.Buffer).ConfigureAwait(false)) > 0) kept.Add(n);
        return kept.Text;
    }

    /// <summary>
    /// The same on a thread of its own: a program's output is read to its end however busy the thread pool is (a
    /// read waiting for a pool thread past the program's end would be taken for a daemon holding the pipe).
    /// </summary>
    public static Task<string> ReadOnItsOwnThread(Stream stream, int limit = DefaultLimit)
        => Task.Factory.StartNew(() =>
        {
            var kept = new Kept(limit);
            int n;
            while ((n = stream.Read(kept.Buffer)) > 0) kept.Add(n);
            return kept.Text;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    sealed class Kept(int limit)
    {
        readonly MemoryStream _kept = new();
        long _dropped;
        public readonly byte[] Buffer = new byte[81920];

        public void Add(int n)
        {
            var room = (int)Math.Max(0, Math.Min(n, limit - _kept.Length));
            _kept.Write(Buffer, 0, room);
            _dropped += n - room;
        }

        public string Text
        {
            get
            {
                var text = Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length);
                return _dropped == 0 ? text : text + $"\n[{_dropped} more bytes of output left out]";
            }
        }
    }
}
