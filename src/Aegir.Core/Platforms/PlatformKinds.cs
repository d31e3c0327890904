using Aegir.Core.Errors;
using Aegir.Core.Transport;

namespace Aegir.Core.Platforms;

/// <summary>The kinds of codebase, most specific first: the first that recognises a root wins.</summary>
public static class PlatformKinds
{
    public static readonly IReadOnlyList<IPlatformKind> All = [new DrupalKind(seven: false), new DrupalKind(seven: true), new WordPressKind(), new PhpKind()];

    public static IPlatformKind Get(string name)
        => All.FirstOrDefault(k => k.Name == name) ?? throw ErrorCatalog.InvalidValue("Kind", name, "it is not a platform kind", $"Kinds: {string.Join(", ", All.Select(k => k.Name))}.");

    /// <summary>The kind and version of the codebase at <paramref name="root"/> on the server <paramref name="transport"/> reaches.</summary>
    public static (IPlatformKind Kind, string? Version) Detect(ITransport transport, string root)
    {
        if (!transport.DirectoryExists(root))
            throw ErrorCatalog.StepFailed("Finding the codebase", $"{root} does not exist", "Put the platform's code there (or fix -Root with Set-AegirPlatform), then verify again.");
        foreach (var kind in All)
            if (kind.Detect(transport, root, out var version)) return (kind, version);
        throw ErrorCatalog.StepFailed("Finding the codebase", $"{root} holds no index.php, so it is no PHP application",
            "Point the platform at the folder with the application's index.php.");
    }
}
