using Aegir.Core.Services.Db;

namespace Aegir.Core.Platforms;

/// <summary>Any other PHP application: the site gets its database, and PHP gets the credentials from the vhost.</summary>
public sealed class PhpKind : IPlatformKind
{
    public string Name => "php";
    public bool Detect(string root, out string? version)
    {
        version = null;
        return File.Exists(Path.Combine(root, "index.php"));
    }
    public string? FilesPath(string uri) => null;
    public string? PrivatePath(string uri) => null;
    public IReadOnlyList<string> WritablePaths { get; } = [];
    public IReadOnlyList<SiteDirectory> SiteDirectories(string uri) => [];
    public void PreparePlatform(PlatformJob job) { }
    public void WriteSiteSettings(SiteJob job) { }
    public InstallResult Install(SiteJob job) => new(null, null, null);
    public IReadOnlyList<AegirPackage> ScanPackages(string root, string platform) => [];
    public IReadOnlySet<string>? EnabledPackages(MySqlService db, string database) => null;
}
