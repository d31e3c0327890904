namespace Aegir.Core.Contexts;

/// <summary>The platform kinds a record may name (each is one of Platforms.PlatformKinds, which a test holds to this list).</summary>
public static class PlatformKindNames
{
    public static readonly IReadOnlyList<string> All = ["drupal", "drupal7", "wordpress", "php"];
}
