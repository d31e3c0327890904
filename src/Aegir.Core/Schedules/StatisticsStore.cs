using System.Text.Json;
using Aegir.Core.IO;

namespace Aegir.Core.Schedules;

/// <summary>Each site's statistics as a history: one JSON line per collection, under $AEGIR_HOME/state/statistics.</summary>
public sealed class StatisticsStore(string home)
{
    static readonly JsonSerializerOptions Line = new(SiteStateStore.Json) { WriteIndented = false };

    public string Folder { get; } = Path.Combine(home, "state", "statistics");

    public void Add(SiteStatistic statistic)
    {
        AtomicFile.EnsureHome(home);
        AtomicFile.EnsurePrivateDirectory(Path.GetDirectoryName(Folder)!);
        AtomicFile.EnsurePrivateDirectory(Folder);
        var line = JsonSerializer.Serialize(statistic, Line) + "\n";
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, UnixCreateMode = AtomicFile.OwnerOnly };
        using var file = new FileStream(Path.Combine(Folder, statistic.Site + ".jsonl"), options);
        file.Write(System.Text.Encoding.UTF8.GetBytes(line));
    }

    /// <summary>A site's newest statistics (the last line that reads), or null when it has none.</summary>
    public SiteStatistic? Latest(string site)
    {
        // Read from the end: a history of years is thousands of lines, and a client's use reads one per site.
        var path = Path.Combine(Folder, site + ".jsonl");
        byte[] tail;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var start = Math.Max(0, file.Length - TailBytes);
            file.Position = start;
            tail = new byte[file.Length - start];
            file.ReadExactly(tail);
            if (start == 0) return Parse(tail).LastOrDefault();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException) { return null; }
        // The first line of the tail may be cut: only whole lines after it count; none whole there, the whole file is read.
        var text = tail.AsSpan(tail.AsSpan().IndexOf((byte)'\n') + 1).ToArray();
        return Parse(text).LastOrDefault() ?? Lines(site).LastOrDefault();
    }

    const int TailBytes = 8192;

    IEnumerable<SiteStatistic> Parse(byte[] bytes)
    {
        foreach (var line in System.Text.Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (Read(line) is { } s) yield return s;
    }

    static SiteStatistic? Read(string line)
    {
        try { return JsonSerializer.Deserialize<SiteStatistic>(line, Line); }
        catch (JsonException) { return null; }
    }

    /// <summary>A site's history, newest first; lines that do not read are passed over.</summary>
    public IReadOnlyList<SiteStatistic> History(string site)
    {
        var list = Lines(site).ToList();
        list.Reverse();
        return list;
    }

    IEnumerable<SiteStatistic> Lines(string site)
    {
        var path = Path.Combine(Folder, site + ".jsonl");
        if (!File.Exists(path)) yield break;
        foreach (var line in File.ReadLines(path))
            if (Read(line) is { } s) yield return s;
    }
}
