using Aegir.Core.Services.Db;

namespace Aegir.Core.Platforms;

/// <summary>One kind of codebase (Drupal 8+, Drupal 7, WordPress, plain PHP): where its sites live and how they are set up.</summary>
public interface IPlatformKind
{
    /// <summary>drupal, drupal7, wordpress or php.</summary>
    string Name { get; }

    /// <summary>True when the codebase at <paramref name="root"/> is of this kind; the version when it can be read.</summary>
    bool Detect(string root, out string? version);

    /// <summary>The site's public files folder (uploads), relative to the root; PHP never runs there.</summary>
    string? FilesPath(string uri);

    /// <summary>The site's private folder, relative to the root; never served.</summary>
    string? PrivatePath(string uri);

    /// <summary>Folders (relative to the root) that the web server writes to, left alone when the codebase is protected.</summary>
    IReadOnlyList<string> WritablePaths { get; }

    IReadOnlyList<SiteDirectory> SiteDirectories(string uri);

    /// <summary>Writes what the whole platform needs (WordPress's shared wp-config.php).</summary>
    void PreparePlatform(PlatformJob job);

    /// <summary>Writes the site's own settings file, if the kind has one.</summary>
    void WriteSiteSettings(SiteJob job);

    /// <summary>Runs the application's installer against the site's new, empty database.</summary>
    InstallResult Install(SiteJob job);

    IReadOnlyList<AegirPackage> ScanPackages(string root, string platform);

    /// <summary>Names of the packages the site has enabled, read from its database; null when this kind cannot tell.</summary>
    IReadOnlySet<string>? EnabledPackages(MySqlService db, string database);
}
