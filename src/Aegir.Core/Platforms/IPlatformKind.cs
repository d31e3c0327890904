using Aegir.Core.Services;
using Aegir.Core.Services.Http;
using Aegir.Core.Transport;

namespace Aegir.Core.Platforms;

/// <summary>
/// One kind of codebase (Drupal 8+, Drupal 7, WordPress, plain PHP): where its sites live and how they are set up.
/// Everything it reads or writes on a server goes through the transport, and its database through <see cref="IDbService"/>.
/// </summary>
public interface IPlatformKind
{
    /// <summary>drupal, drupal7, wordpress or php.</summary>
    string Name { get; }

    /// <summary>The application as plans and logs name it: the kind, or the name a manifest gives (Roundcube).</summary>
    string Application => Name;

    /// <summary>The installer as a plan names it, with what it takes of the site (an install profile, a language).</summary>
    string Installer(Contexts.AegirSite site) => $"the {Name} installer (profile {site.Profile}, language {site.Language})";

    /// <summary>True when the codebase at <paramref name="root"/> is of this kind; the version when it can be read.</summary>
    bool Detect(ITransport transport, string root, out string? version);

    /// <summary>The site's public files folder (uploads), relative to the root; PHP never runs there.</summary>
    string? FilesPath(string uri);

    /// <summary>The site's private folder, relative to the root; never served.</summary>
    string? PrivatePath(string uri);

    /// <summary>Folders (relative to the root) that the web server writes to, left alone when the codebase is protected.</summary>
    IReadOnlyList<string> WritablePaths { get; }

    /// <summary>The folders a site needs, parents first.</summary>
    IReadOnlyList<SiteDirectory> SiteDirectories(string uri);

    /// <summary>The folders (or files) that hold everything of the site's own, deleted with the site, relative to the root.</summary>
    IReadOnlyList<string> SiteRoots(string uri);

    /// <summary>Folders all sites share that the web server writes to, relative to the root; made when the platform is verified.</summary>
    IReadOnlyList<string> SharedFolders { get; }

    /// <summary>
    /// Paths a site root with the uri as a wildcard takes in that are no site's but code all sites share (Drupal's
    /// sites/all): served to every site, never taken for another site's folder.
    /// </summary>
    IReadOnlyList<string> SharedCode => [];

    /// <summary>
    /// Folders of the site's (relative to the root) whose files the application makes when one is first asked for
    /// (Drupal's image styles, Drupal 10's aggregates): a request there for a file not made yet goes to the front
    /// controller, where the rest of the site's folders answer 404.
    /// </summary>
    IReadOnlyList<string> MadeOnRequest(string uri) => [];

    /// <summary>The script every request that is no file goes to, relative to the root (index.php).</summary>
    string FrontController { get; }

    /// <summary>Paths of the site never served, from its root: a folder ends in '/', anything else is one file.</summary>
    IReadOnlyList<string> DeniedPaths(string uri);

    /// <summary>The file the whole platform needs (WordPress's shared wp-config.php), relative to the root; null when none.</summary>
    string? PlatformSettingsPath { get; }

    /// <summary>The site's own settings file, relative to the root; null when the kind has none.</summary>
    string? SiteSettingsPath(string uri);

    /// <summary>Whether the kind has an installer to run against the new database.</summary>
    bool HasInstaller { get; }

    /// <summary>Whether each site gets a database of its own; false for an application that keeps none (a manifest's database: none).</summary>
    bool UsesDatabase => true;

    /// <summary>The site's cron command as words (placeholders of the manifest's kind filled in later); null when the application has none.</summary>
    IReadOnlyList<string>? CronCommand { get; }

    /// <summary>Writes <see cref="PlatformSettingsPath"/> (journaled, so it can be put back).</summary>
    void PreparePlatform(PlatformJob job);

    /// <summary>Writes <see cref="SiteSettingsPath"/> (journaled, so it can be put back).</summary>
    void WriteSiteSettings(SiteJob job);

    /// <summary>
    /// What <see cref="WriteSiteSettings"/> writes over <paramref name="existing"/> (the file there now, whose salt it
    /// keeps), without writing it (a drift report compares it); null when the kind writes none.
    /// </summary>
    string? RenderSiteSettings(SiteJob job, byte[]? existing) => null;

    /// <summary>What <see cref="PreparePlatform"/> writes at <see cref="PlatformSettingsPath"/> over <paramref name="existing"/>, without writing it; null when none.</summary>
    string? RenderPlatformSettings(PlatformJob job, byte[]? existing) => null;

    /// <summary>Runs the application's installer against the site's new, empty database; fails unless the application says it is installed.</summary>
    InstallResult Install(SiteJob job);

    /// <summary>Fails, saying what is missing, unless the site's database holds the application's tables.</summary>
    void CheckInstalled(IDbService db, SiteDatabase database);

    /// <summary>The folder the web server serves, relative to the root; null: the root itself.</summary>
    string? WebRoot => null;

    /// <summary>The vhost settings every site of the platform gets (a manifest's web key).</summary>
    Contexts.WebTuning Tuning => Contexts.WebTuning.None;

    /// <summary>How the site's page proves it works (a manifest's check, or the kind's own).</summary>
    PageCheck Check { get; }

    IReadOnlyList<AegirPackage> ScanPackages(ITransport transport, string root, string platform);

    /// <summary>Names of the packages the site has enabled, read from its database; null when this kind cannot tell.</summary>
    IReadOnlySet<string>? EnabledPackages(IDbService db, SiteDatabase database);

    /// <summary>
    /// SQL that makes a database copied from the site <paramref name="fromUri"/> serve as <paramref name="toUri"/> at
    /// <paramref name="toUrl"/> (an application that stores its own address); null when there is nothing to change.
    /// </summary>
    string? AddressChange(IDbService db, SiteDatabase database, string fromUri, string toUri, string toUrl) => null;

    /// <summary>
    /// The schema each package of the site's database is at (Drupal's system.schema); null when this kind keeps
    /// none. A move onto code whose newest update is older would take the site backwards.
    /// </summary>
    IReadOnlyDictionary<string, int>? SchemaVersions(IDbService db, SiteDatabase database) => null;

    /// <summary>The schema a package's code is at when it has no update of its own (Drupal 8 and later: 8000).</summary>
    int BaseSchema => 0;

    /// <summary>
    /// The path that runs the site's cron over HTTP, with its key (Drupal's /cron/&lt;key&gt;), for a platform that has no
    /// program to run it with; null where this kind has none, or the site has no key.
    /// </summary>
    string? CronPath(IDbService db, SiteDatabase database) => null;

    /// <summary>The application's own numbers for a site (users, posts or nodes, comments); null where this kind keeps none.</summary>
    SiteCounts? Counts(IDbService db, SiteDatabase database) => null;

    /// <summary>Sites the platform's code holds (their folders and settings), whether or not they have a context; none where this kind cannot tell.</summary>
    IReadOnlyList<string> FoundSites(ITransport transport, string root) => [];

    /// <summary>Where a site's own settings say its database is (a site made by hand, before its import); null when they do not say.</summary>
    ImportedDatabase? ReadDatabaseSettings(ITransport transport, string root, string uri) => null;
}

