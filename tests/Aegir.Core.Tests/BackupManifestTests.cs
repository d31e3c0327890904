using Aegir.Core.Backups;

namespace Aegir.Core.Tests;

/// <summary>A manifest comes with an archive, so it is anyone's: its web settings are checked like a site's own.</summary>
public class BackupManifestTests
{
    static BackupManifest With(params string[] settings) => new()
    {
        Uri = "a.test", Platform = "platform_wp", PlatformKind = "wordpress", DbServer = "server_master", DbType = "mysql", WebSettings = settings,
    };

    [Theory]
    [InlineData("upload_max=1M\n}")]
    [InlineData("upload_max=1M; return 200")]
    [InlineData("timeout=99999999999999999999")]
    [InlineData("evil_key=1")]
    [InlineData("no pair")]
    public void Web_settings_no_site_could_have_are_refused(string setting)
    {
        var ex = Assert.Throws<InvalidDataException>(() => With(setting).Check(why => new InvalidDataException(why)));
        Assert.StartsWith("its manifest names", ex.Message);
    }

    [Fact]
    public void Web_settings_a_site_could_have_pass() => With("upload_max=64M", "timeout=45").Check(why => new InvalidDataException(why));
}
