namespace Aegir.Core.Platforms;

/// <summary>A module, theme, profile, plugin or core found in a platform (Aegir's package and release).</summary>
public sealed class AegirPackage
{
    public string Name { get; init; } = "";
    public string? Title { get; init; }
    /// <summary>core, module, theme, profile or plugin.</summary>
    public string Type { get; init; } = "";
    public string? Version { get; init; }
    /// <summary>Where it lives, relative to the platform root.</summary>
    public string Path { get; init; } = "";
    public string Platform { get; init; } = "";
    /// <summary>The site this row describes, for a site's package list.</summary>
    public string? Site { get; init; }
    /// <summary>Whether the site has it enabled; null where it cannot be read.</summary>
    public bool? Enabled { get; init; }
    /// <summary>The newest schema update the platform's code of it has (Drupal's hook_update_N); null for none.</summary>
    public int? Schema { get; init; }

    public AegirPackage ForSite(string site, bool? enabled) => new()
    {
        Name = Name, Title = Title, Type = Type, Version = Version, Path = Path, Platform = Platform, Site = site, Enabled = enabled, Schema = Schema,
    };

    /// <summary>A core package that cannot tell its version (a php platform's) takes the platform's recorded one.</summary>
    public AegirPackage OfPlatformVersion(string? version) => Type != "core" || Version is not null || version is null ? this : new()
    {
        Name = Name, Title = Title, Type = Type, Version = version, Path = Path, Platform = Platform, Site = Site, Enabled = Enabled, Schema = Schema,
    };

    public override string ToString() => $"{Name} {Version}".Trim();
}
