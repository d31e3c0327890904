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
        var kept = new MemoryStream();
        var buffer = new byte[81920];
        long dropped = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            var room = (int)Math.Max(0, Math.Min(n, limit - kept.Length));
            kept.Write(buffer, 0, room);
            dropped += n - room;
        }
        var text = Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length);
        return dropped == 0 ? text : text + $"\n[{dropped} more bytes of output left out]";
    }
}
