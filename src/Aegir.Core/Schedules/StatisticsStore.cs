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

    /// <summary>A site's history, newest first; lines that do not read are passed over.</summary>
    public IReadOnlyList<SiteStatistic> History(string site)
    {
        var path = Path.Combine(Folder, site + ".jsonl");
        if (!File.Exists(path)) return [];
        var list = new List<SiteStatistic>();
        foreach (var line in File.ReadLines(path))
        {
            try { if (JsonSerializer.Deserialize<SiteStatistic>(line, Line) is { } s) list.Add(s); }
            catch (JsonException) { }
        }
        list.Reverse();
        return list;
    }
}
