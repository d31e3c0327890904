using System.Globalization;

namespace Aegir.Core.Transport;

/// <summary>
/// Ends processes with SIGKILL, listed again until none is left: their parent (a shell, a PHP-FPM master) may start
/// another meanwhile.
/// </summary>
internal static class ProcessKill
{
    const int Rounds = 50;

    /// <summary>Kills what <paramref name="list"/> names, again while it names any, at most 50 times: every pid it ended, and those still left.</summary>
    public static (IReadOnlyCollection<int> Ended, IReadOnlyList<int> Left) Until(ITransport transport, Func<IReadOnlyList<int>> list)
    {
        var ended = new SortedSet<int>();
        for (var round = 0; round < Rounds; round++)
        {
            var left = list();
            if (left.Count == 0) return (ended, left);
            ended.UnionWith(left);
            transport.Run(new CommandSpec("kill", ["-KILL", .. left.Select(p => p.ToString(CultureInfo.InvariantCulture))]) { Timeout = TimeSpan.FromSeconds(30) });
            Thread.Sleep(round < 10 ? 20 : 200);
        }
        return (ended, list());
    }
}
