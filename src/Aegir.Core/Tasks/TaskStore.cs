using System.Text.Json;
using System.Text.Json.Serialization;
using Aegir.Core.IO;

namespace Aegir.Core.Tasks;

/// <summary>Task records as JSON under <c>tasks/yyyy/mm/id.json</c>, written whole and private (logs may name hosts and paths).</summary>
public sealed class TaskStore(string home)
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    public string TasksPath { get; } = Path.Combine(home, "tasks");

    string PathOf(string id)
        => Path.Combine(TasksPath, id[..4], id[4..6], id + ".json");

    public void Save(AegirTask task)
    {
        var path = PathOf(task.Id);
        AtomicFile.EnsureHome(Path.GetDirectoryName(TasksPath)!);
        AtomicFile.EnsurePrivateDirectory(TasksPath);
        AtomicFile.EnsurePrivateDirectory(Path.GetDirectoryName(Path.GetDirectoryName(path))!);
        AtomicFile.EnsurePrivateDirectory(Path.GetDirectoryName(path)!);
        lock (task) AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(task, Json));
    }

    public AegirTask? Get(string id)
    {
        if (id.Length < 8 || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '-'))) return null;
        try { return JsonSerializer.Deserialize<AegirTask>(File.ReadAllBytes(PathOf(id)), Json); }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException) { return null; }
    }

    /// <summary>Tasks newest first; unreadable records are skipped.</summary>
    public IEnumerable<AegirTask> List()
    {
        if (!Directory.Exists(TasksPath)) yield break;
        var files = Directory.EnumerateFiles(TasksPath, "*.json", SearchOption.AllDirectories)
            .Select(f => (Id: Path.GetFileNameWithoutExtension(f), Path: f))
            .Where(f => !f.Id.StartsWith('.'))
            .OrderByDescending(f => f.Id, StringComparer.Ordinal);
        foreach (var (_, path) in files)
        {
            AegirTask? task;
            try { task = JsonSerializer.Deserialize<AegirTask>(File.ReadAllBytes(path), Json); }
            catch (Exception ex) when (ex is IOException or JsonException) { continue; }
            if (task is not null) yield return task;
        }
    }
}
