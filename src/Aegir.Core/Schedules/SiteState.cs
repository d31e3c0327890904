using System.Text.Json;
using System.Text.Json.Serialization;
using Aegir.Core.IO;

namespace Aegir.Core.Schedules;

/// <summary>What the schedules last did for a site: its cron's time and result, its last statistics, its last scheduled backup.</summary>
public sealed class SiteState
{
    public DateTimeOffset? CronLast { get; set; }
    /// <summary>True when the last cron succeeded; null before the first.</summary>
    public bool? CronSucceeded { get; set; }
    /// <summary>Why the last cron failed (its exit code and the end of its output), or null.</summary>
    public string? CronError { get; set; }
    public double? CronSeconds { get; set; }
    public long CronRuns { get; set; }
    /// <summary>True when the site's application has no cron command (its cron is looked for again each interval).</summary>
    public bool CronNone { get; set; }
    public DateTimeOffset? StatisticsLast { get; set; }
    /// <summary>When a scheduled backup was last queued, so a failing one is tried once per interval, not in a loop.</summary>
    public DateTimeOffset? BackupQueued { get; set; }
}

/// <summary>The sites' states as private JSON files under $AEGIR_HOME/state/sites; written by whoever holds the site.</summary>
public sealed class SiteStateStore(string home)
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public string Folder { get; } = Path.Combine(home, "state", "sites");

    public SiteState Get(string site)
    {
        try { return JsonSerializer.Deserialize<SiteState>(File.ReadAllBytes(Path.Combine(Folder, site + ".json")), Json) ?? new SiteState(); }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException) { return new SiteState(); }
    }

    public void Update(string site, Action<SiteState> change)
    {
        var state = Get(site);
        change(state);
        AtomicFile.EnsureHome(home);
        AtomicFile.EnsurePrivateDirectory(Path.GetDirectoryName(Folder)!);
        AtomicFile.EnsurePrivateDirectory(Folder);
        AtomicFile.WriteAllBytes(Path.Combine(Folder, site + ".json"), JsonSerializer.SerializeToUtf8Bytes(state, Json), durable: false);
    }

    /// <summary>Forgets a site that is gone.</summary>
    public void Remove(string site)
    {
        try { File.Delete(Path.Combine(Folder, site + ".json")); } catch (IOException) { }
    }
}
