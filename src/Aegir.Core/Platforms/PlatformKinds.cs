using Aegir.Core.Errors;
using Aegir.Core.Transport;

namespace Aegir.Core.Platforms;

/// <summary>
/// The kinds of codebase, most specific first: the first that recognises a root wins. A codebase with a manifest
/// (.aegir.yml) has said what it is, so it is a php platform as its manifest describes, unless a kind was chosen.
/// </summary>
public static class PlatformKinds
{
    public static readonly IReadOnlyList<IPlatformKind> All = [new DrupalKind(seven: false), new DrupalKind(seven: true), new WordPressKind(), new PhpKind()];

    public static IReadOnlyList<string> Names => All.Select(k => k.Name).ToList();

    public static IPlatformKind Get(string name)
        => All.FirstOrDefault(k => k.Name == name) ?? throw ErrorCatalog.InvalidValue("Kind", name, "it is not a platform kind", $"Kinds: {string.Join(", ", Names)}.");

    /// <summary>The kind <paramref name="name"/> for the codebase at <paramref name="root"/>: a php platform with its manifest read.</summary>
    public static IPlatformKind Load(string name, ITransport transport, string root)
        => name == "php" ? new PhpKind(AppManifest.Load(transport, root)) : Get(name);

    /// <summary>
    /// The kind and version of the codebase at <paramref name="root"/> (or of the kind <paramref name="chosen"/>);
    /// an application's version command runs as the script user of <paramref name="server"/>.
    /// </summary>
    public static (IPlatformKind Kind, string? Version) Detect(ITransport transport, string root, Contexts.AegirServer server, string? chosen = null)
    {
        if (!transport.DirectoryExists(root))
            throw ErrorCatalog.StepFailed(ErrorIds.CodebaseMissing, "Finding the codebase", $"{root} does not exist", "Put the platform's code there (or fix -Root with Set-AegirPlatform), then verify again.");
        if (chosen is null && transport.Kind(Path.Combine(root, AppManifest.FileName)) != PathKind.None) chosen = "php";
        if (chosen is not null)
        {
            var kind = Load(chosen, transport, root);
            if (kind is PhpKind php) return (php, php.ReadVersion(transport, root, server));
            kind.Detect(transport, root, out var version);
            return (kind, version);
        }
        foreach (var kind in All)
            if (kind.Detect(transport, root, out var version)) return (kind, kind is PhpKind php ? php.ReadVersion(transport, root, server) : version);
        throw ErrorCatalog.StepFailed(ErrorIds.CodebaseUnknown, "Finding the codebase", $"{root} holds no index.php, so it is no PHP application",
            "Point the platform at the folder with the application's index.php, or give it a manifest (.aegir.yml, see about_Aegir).");
    }
}
