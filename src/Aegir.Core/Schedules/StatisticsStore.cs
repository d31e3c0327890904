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
    public SiteStatistic? Latest(string site) => Lines(site).LastOrDefault();

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
        {
            SiteStatistic? s = null;
            try { s = JsonSerializer.Deserialize<SiteStatistic>(line, Line); }
            catch (JsonException) { }
            if (s is not null) yield return s;
        }
    }
}
