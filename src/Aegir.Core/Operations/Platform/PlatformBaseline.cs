using System.Text;
using System.Text.Json;
using Aegir.Core.IO;
using Aegir.Core.Platforms;

namespace Aegir.Core.Operations.Platform;

/// <summary>
/// What a platform's last verify found, kept for drift reports: the checksum of each file of its code
/// (<see cref="PlatformSums"/>) and its packages. Private files under $AEGIR_HOME/state/platforms (0600 in a 0700
/// folder), on the machine the module runs on: <c>&lt;platform&gt;.sha256</c> as sha256sum -z writes it, and
/// <c>&lt;platform&gt;.packages.json</c>.
/// </summary>
public sealed class PlatformBaseline(string home)
{
    public string Folder { get; } = Path.Combine(home, "state", "platforms");

    public string SumsPath(string platform) => Path.Combine(Folder, platform + ".sha256");
    string PackagesPath(string platform) => Path.Combine(Folder, platform + ".packages.json");

    /// <summary>One package as a verify saw it: enough to tell one added, removed or of another version.</summary>
    public sealed record Package(string Type, string Name, string? Version, string Path);

    public void Save(string platform, IReadOnlyDictionary<string, string> sums, IEnumerable<AegirPackage> packages)
    {
        AtomicFile.EnsureHome(home);
        AtomicFile.EnsurePrivateDirectory(Path.GetDirectoryName(Folder)!);
        AtomicFile.EnsurePrivateDirectory(Folder);
        var text = new StringBuilder();
        foreach (var (path, sum) in sums) text.Append(sum).Append("  ").Append(path).Append('\0');
        AtomicFile.WriteAllBytes(SumsPath(platform), Encoding.UTF8.GetBytes(text.ToString()), durable: false);
        var list = packages.Select(p => new Package(p.Type, p.Name, p.Version, p.Path)).OrderBy(p => p.Path, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
        AtomicFile.WriteAllBytes(PackagesPath(platform), JsonSerializer.SerializeToUtf8Bytes(list, new JsonSerializerOptions { WriteIndented = true }), durable: false);
    }

    /// <summary>The checksums the last verify kept; null when it kept none (a platform verified before the module kept them).</summary>
    public SortedDictionary<string, string>? Sums(string platform)
    {
        if (!File.Exists(SumsPath(platform))) return null;
        var sums = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using var sink = new Transport.NulRecords(line => { if (line.Length > 66) sums[line[66..]] = line[..64]; });
        using (var file = File.OpenRead(SumsPath(platform))) file.CopyTo(sink);
        return sums;
    }

    /// <summary>The packages the last verify found; null when it kept none.</summary>
    public IReadOnlyList<Package>? Packages(string platform)
        => File.Exists(PackagesPath(platform)) ? JsonSerializer.Deserialize<List<Package>>(File.ReadAllBytes(PackagesPath(platform))) : null;

    /// <summary>Forgets a platform that is gone.</summary>
    public void Remove(string platform)
    {
        foreach (var path in new[] { SumsPath(platform), PackagesPath(platform) })
            try { File.Delete(path); } catch (IOException) { }
    }

    /// <summary>Packages added, removed or of another version: each with what the verify saw and what is there now (null: none).</summary>
    public static IEnumerable<(string Name, string Path, Package? Then, Package? Now)> Compare(IReadOnlyList<Package> then, IReadOnlyList<Package> now)
    {
        static string Key(Package p) => p.Type + "\n" + p.Name + "\n" + p.Path;
        var before = then.GroupBy(Key).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var after = now.GroupBy(Key).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var key in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var a = before.GetValueOrDefault(key);
            var b = after.GetValueOrDefault(key);
            if (a is null || b is null || a.Version != b.Version) yield return ((a ?? b)!.Name, (a ?? b)!.Path, a, b);
        }
    }
}
