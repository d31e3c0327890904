using Aegir.Core.Services;
using Aegir.Core.Transport;

namespace Aegir.Core.Platforms;

/// <summary>Any other PHP application: the site gets its database, and PHP gets the credentials from the vhost. It has no installer to run.</summary>
public sealed class PhpKind : IPlatformKind
{
    public string Name => "php";
    public bool Detect(ITransport transport, string root, out string? version)
    {
        version = null;
        return transport.FileExists(Path.Combine(root, "index.php"));
    }
    public string? FilesPath(string uri) => null;
    public string? PrivatePath(string uri) => null;
    public IReadOnlyList<string> WritablePaths { get; } = [];
    public IReadOnlyList<SiteDirectory> SiteDirectories(string uri) => [];
    public string? SiteRoot(string uri) => null;
    public string? PlatformSettingsPath => null;
    public string? SiteSettingsPath(string uri) => null;
    public bool HasInstaller => false;
    public void PreparePlatform(PlatformJob job) { }
    public void WriteSiteSettings(SiteJob job) { }
    public InstallResult Install(SiteJob job) => new(null, null, null);
    public void CheckInstalled(IDbService db, string database) { }   // no installer, so no tables to expect
    public string? Problem(HttpAnswer answer) => SitePages.Problem(answer, [], []);
    public IReadOnlyList<AegirPackage> ScanPackages(ITransport transport, string root, string platform) => [];
    public IReadOnlySet<string>? EnabledPackages(IDbService db, string database) => null;
}
