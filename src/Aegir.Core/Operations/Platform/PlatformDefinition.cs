using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Platform;

/// <summary>A new platform as New-AegirPlatform describes it: serialisable, so recording and verifying it is one task record.</summary>
/// <param name="Git">A repository to build the codebase from (cloned into the root, <paramref name="Ref"/> checked out); null for code that is there.</param>
/// <param name="Composer">Whether the build runs composer install from the commit's composer.lock.</param>
public sealed record PlatformDefinition(string Name, string Root, string? WebServer = null, string? Kind = null, string? Source = null,
    string? Git = null, string? Ref = null, bool Composer = false)
{
    /// <summary>The platform this describes, every value checked.</summary>
    public AegirPlatform ToPlatform()
    {
        var platform = new AegirPlatform(ContextNames.Canonical("Name", Name, ContextType.Platform)) { Root = Root, ChosenKind = Kind, Source = Source, Git = Git, Ref = Ref };
        if (WebServer is not null) platform.WebServerName = WebServer;
        return platform;
    }
}
