using Aegir.Core.Contexts;

namespace Aegir.Core.Tests;

/// <summary>A private AEGIR_HOME in the temp folder, with a master server and a platform ready for sites.</summary>
public sealed class TestHome : IDisposable
{
    public TestHome(bool seed = true)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "aegir-test-" + Guid.NewGuid().ToString("N")[..12]);
        Store = new ContextStore(Path);
        if (!seed) return;
        var master = new AegirServer(ContextNames.Master);
        master.Http.ChangeType("nginx");
        // The fake servers keep no accounts nor PHP-FPM: their sites share one pool (PhpPoolTests and the integration tests cover pools of their own).
        master.Http.Set("php_pools", "shared");
        master.Db.ChangeType("mysql");
        master.Db.Set("admin_password", "Secret-Admin-Pw");
        Store.Create(master);
        Store.Create(new AegirPlatform("platform_wp") { Root = "/var/aegir/platforms/wp" });
    }

    public string Path { get; }
    public ContextStore Store { get; }

    public AegirSite Site(string uri, params string[] aliases) => new(uri) { PlatformName = "wp", Aliases = aliases };

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (DirectoryNotFoundException) { }
    }
}
