using Aegir.Core.Contexts;
using Aegir.Core.Operations.Drift;
using Aegir.Core.Operations.Platform;
using Aegir.Core.Operations.Site;

namespace Aegir.Core.Tests;

/// <summary>
/// Drift reports on the fake server, against what the operations themselves left: nothing after an install or a
/// verify (the settings keep their salt, the vhost renders as written), each hand edit told, and the report writes
/// nothing.
/// </summary>
public class DriftReportTests
{
    [Fact]
    public void A_drupal_site_as_its_install_left_it_has_no_drift_and_its_edits_are_told_without_anything_written()
    {
        using var h = new FakeHosting();
        var platform = h.Platform("d11", "drupal");
        Assert.True(h.Run(new InstallSite.Parameters("d.test", null, null, new SiteDefinition("d.test", "d11"))).Succeeded);
        Assert.Empty(DriftReport.OfSite(h.Engine, "d.test"));

        var settings = $"{platform.Root}/sites/d.test/settings.php";
        var vhost = h.VhostPath("d.test");
        h.Server.Put(settings, h.Server.Text(settings).Replace("$settings['hash_salt']", "$settings['hash_salt_edited']"));
        h.Server.Put(vhost, h.Server.Text(vhost) + "# by hand\n");
        h.Server.SetMode($"{platform.Root}/sites/d.test/files", (UnixFileMode)Convert.ToInt32("777", 8));
        var db = h.Store.GetFresh<AegirSite>("d.test", "Uri").DbName!;
        var user = h.Databases.Users[db];
        h.Databases.Users[db] = (user.Password, user.Database, [.. user.Hosts, "%"]);
        var before = h.Snapshot();

        var found = DriftReport.OfSite(h.Engine, "d.test");
        Assert.Equal(before, h.Snapshot());
        Assert.Contains(found, d => d.Kind == DriftKind.Settings && d.Where == settings);
        Assert.Contains(found, d => d.Kind == DriftKind.Mode && d.Where == $"{platform.Root}/sites/d.test/files" && d.Expected == "2770" && d.Found == "0777");
        Assert.Contains(found, d => d.Kind == DriftKind.Vhost && d.Where == vhost);
        Assert.Contains(found, d => d.Kind == DriftKind.Grant && d.Found.Contains('%'));
        Assert.All(found, d => Assert.Equal("d.test", d.Target));

        Assert.True(h.Run(new VerifySite.Parameters("d.test")).Succeeded);
        Assert.Empty(DriftReport.OfSite(h.Engine, "d.test"));
    }

    [Fact]
    public void A_verified_platform_and_server_have_no_drift_and_the_platform_keeps_its_checksums()
    {
        using var h = new FakeHosting();
        h.Platform("d11", "drupal");
        Assert.True(h.Run(new VerifyPlatform.Parameters("platform_d11")).Succeeded);
        Assert.NotNull(new PlatformBaseline(h.Home.Path).Sums("platform_d11"));
        Assert.Empty(DriftReport.OfPlatform(h.Engine, "platform_d11"));
        var include = Assert.Single(DriftReport.OfServer(h.Engine, "server_master"));
        Assert.Equal((DriftKind.ServerConfig, "no file"), (include.Kind, include.Found));
        Assert.True(h.Run(new Operations.Server.VerifyServer.Parameters("server_master")).Succeeded);
        Assert.Empty(DriftReport.OfServer(h.Engine, "server_master"));
    }
}
