using System.Text;
using System.Text.Json;
using Aegir.Core.IO;

namespace Aegir.Core.Queues.Workers;

/// <summary>
/// The worker registry as files: <c>$AEGIR_HOME/workers/&lt;id&gt;.json</c>, one per worker, owner-only like the task
/// records, each written whole (a temp file renamed) so a reader never sees half an entry. A heartbeat is not flushed
/// to disk: a crash of the machine loses at most the last beat of workers that died with it.
/// </summary>
public sealed class FileWorkerRegistry(string home) : IWorkerRegistry
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public string Folder { get; } = Path.Combine(home, "workers");

    public void Put(AegirWorker worker)
    {
        AtomicFile.EnsureHome(home);
        AtomicFile.EnsurePrivateDirectory(Folder);
        AtomicFile.WriteAllBytes(PathOf(worker.Id), JsonSerializer.SerializeToUtf8Bytes(worker, Json), durable: false);
    }

    public void Remove(string id)
    {
        try { File.Delete(PathOf(id)); }
        catch (DirectoryNotFoundException) { }
    }

    public IReadOnlyList<AegirWorker> List()
    {
        if (!Directory.Exists(Folder)) return [];
        var now = DateTimeOffset.UtcNow;
        var workers = new List<AegirWorker>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.json"))
        {
            if (Path.GetFileName(file).StartsWith('.')) continue;   // a write in progress
            if (Read(file) is { } worker) workers.Add(worker.JudgedAt(now));
        }
        return workers.OrderBy(w => w.Name, StringComparer.OrdinalIgnoreCase).ThenBy(w => w.Started).ToList();
    }

    public int Prune(TimeSpan deadFor)
    {
        var cutoff = DateTimeOffset.UtcNow - deadFor;
        var gone = List().Where(w => !w.Alive && w.Heartbeat < cutoff).ToList();
        foreach (var worker in gone) Remove(worker.Id);
        return gone.Count;
    }

    /// <summary>An entry, or null when it went meanwhile or does not read (left alone: it may be a later version's).</summary>
    static AegirWorker? Read(string file)
    {
        try { return JsonSerializer.Deserialize<AegirWorker>(File.ReadAllBytes(file), Json); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException) { return null; }
    }

    /// <summary>The entry's file: the id with anything but letters, digits, '.', '_' and '-' made '_' (':' among them).</summary>
    string PathOf(string id)
    {
        var name = new StringBuilder(id.Length);
        foreach (var c in id) name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_');
        return Path.Combine(Folder, name + ".json");
    }
}
