using System.Text.Json;
using System.Text.Json.Serialization;
using Aegir.Core.IO;

namespace Aegir.Core.Schedules;

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
