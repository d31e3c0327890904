using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Platform;

/// <summary>A new platform as New-AegirPlatform describes it: serialisable, so recording and verifying it is one task record.</summary>
public sealed record PlatformDefinition(string Name, string Root, string? WebServer = null, string? Kind = null, string? Source = null)
{
    /// <summary>The platform this describes, every value checked.</summary>
    public AegirPlatform ToPlatform()
    {
        var platform = new AegirPlatform(ContextNames.Canonical("Name", Name, ContextType.Platform)) { Root = Root, ChosenKind = Kind, Source = Source };
        if (WebServer is not null) platform.WebServerName = WebServer;
        return platform;
    }
}
