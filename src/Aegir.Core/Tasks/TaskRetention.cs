using System.Text.Json;
using System.Text.Json.Serialization;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.IO;

namespace Aegir.Core.Tasks;

/// <summary>
/// How long finished task records are kept, set with Set-AegirTaskRetention and kept in <c>$AEGIR_HOME/task-retention.json</c>
/// (as the queue's setting is in queue.json): a task is kept while it is younger than <see cref="KeepFor"/> or among the
/// newest <see cref="KeepPerTarget"/> of its target; the queue's schedule round lets the others go (<see cref="TaskPruning"/>).
/// Neither set (the default): every record is kept.
/// </summary>
public sealed record TaskRetention(string? KeepFor, int? KeepPerTarget)
{
    const string FileName = "task-retention.json";

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Where the setting is kept.</summary>
    [JsonIgnore]
    public string? Path { get; init; }

    /// <summary>Whether any rule lets records go.</summary>
    [JsonIgnore]
    public bool IsSet => KeepFor is not null || KeepPerTarget is not null;

    /// <summary>The age past which a record may go, as a span (null: age alone never lets one go).</summary>
    [JsonIgnore]
    public TimeSpan? KeepForSpan => KeepFor is null ? null : Interval.TryParse(KeepFor);

    /// <summary>Checks the values, naming the parameter and the fix of a bad one.</summary>
    public static TaskRetention Of(string? keepFor, int? keepPerTarget)
    {
        if (keepFor is not null && keepFor != Interval.Off && (Interval.TryParse(keepFor) is not { } span || span < TimeSpan.FromHours(1)))
            throw ErrorCatalog.InvalidValue("-KeepFor", keepFor, "it is not a span of at least an hour", "Write it as a number and a unit (h, d, w), such as 90d or 12w, or 'off'.");
        if (keepPerTarget is < 1)
            throw ErrorCatalog.InvalidValue("-KeepPerTarget", keepPerTarget.ToString(), "it is less than 1 (the newest task of each target is always kept)", "Give 1 or more, or leave it out.");
        return new(keepFor == Interval.Off ? null : keepFor, keepPerTarget);
    }

    /// <summary>The setting of <paramref name="home"/> (none set: every record is kept).</summary>
    public static TaskRetention Read(string home)
    {
        var path = PathIn(home);
        if (!File.Exists(path)) return new(null, null) { Path = path };
        try
        {
            var stored = JsonSerializer.Deserialize<TaskRetention>(File.ReadAllBytes(path), Json) ?? throw new JsonException("empty");
            return Of(stored.KeepFor, stored.KeepPerTarget) with { Path = path };
        }
        catch (Exception ex) when (ex is JsonException or AegirException)
        {
            throw ErrorCatalog.InvalidValue(path, null, $"it is not the module's task retention setting ({ex.Message})", "Set it again with Set-AegirTaskRetention.");
        }
    }

    /// <summary>Keeps the setting (written whole, owner-only); none set removes the file.</summary>
    public TaskRetention Save(string home)
    {
        var path = PathIn(home);
        if (!IsSet) File.Delete(path);
        else
        {
            AtomicFile.EnsureHome(home);
            AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, Json));
        }
        return this with { Path = path };
    }

    public static string PathIn(string home) => System.IO.Path.Combine(home, FileName);

    public override string ToString() => !IsSet ? "every task kept"
        : string.Join(" or ", new[] { KeepFor is null ? null : $"kept for {KeepFor}", KeepPerTarget is null ? null : $"the newest {KeepPerTarget} of each target kept" }.OfType<string>());
}
