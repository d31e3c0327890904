using System.Text.Json;
using Aegir.Core.IO;

namespace Aegir.Core.Schedules;

/// <summary>
/// A site's numbers at one moment, as its application keeps them: users (and those active in the last 30 days, where
/// the application records logins), posts or nodes, comments; and what it takes up: database and files, in bytes.
/// A number the application does not keep is null.
/// </summary>
public sealed record SiteStatistic(string Site, DateTimeOffset Time, long? Users, long? ActiveUsers, long? Posts, long? Comments, long? DatabaseBytes, long? FilesBytes);

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
