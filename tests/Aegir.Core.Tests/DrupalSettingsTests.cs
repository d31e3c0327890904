using Aegir.Core.Contexts;
using Aegir.Core.Operations.Site;
using Xunit;

namespace Aegir.Core.Tests;

/// <summary>The settings.php each major version of Drupal accepts for MySQL: its connection's character set and collation agree.</summary>
public class DrupalSettingsTests
{
    static string Settings(FakeHosting h, string uri)
    {
        var platform = h.Store.GetFresh<AegirPlatform>(h.Store.GetFresh<AegirSite>(uri, "Uri").PlatformName, "Platform");
        return h.Server.Text($"{platform.Root}/sites/{uri}/settings.php");
    }

    [Fact]
    public void Drupal_10_speaks_utf8mb4_with_its_collation_alone()
    {
        using var h = new FakeHosting();
        h.Platform("d11", "drupal");
        Assert.True(h.Run(new InstallSite.Parameters("d.test", null, null, new SiteDefinition("d.test", "d11"))).Succeeded);
        var settings = Settings(h, "d.test");
        Assert.Contains("'collation' => 'utf8mb4_general_ci',", settings);
        Assert.DoesNotContain("'charset'", settings);
    }

    [Fact]
    public void A_new_drupal_7_site_is_told_utf8mb4_before_its_install()
    {
        using var h = new FakeHosting();
        h.Platform("d7", "drupal7");
        Assert.True(h.Run(new InstallSite.Parameters("seven.test", null, null, new SiteDefinition("seven.test", "d7"))).Succeeded);
        var settings = Settings(h, "seven.test");
        Assert.Contains("'charset' => 'utf8mb4',", settings);
        Assert.Contains("'collation' => 'utf8mb4_general_ci',", settings);
    }

    [Fact]
    public void A_drupal_7_site_gets_its_temporary_folder_and_trusted_host_names_as_the_variables_drupal_7_reads()
    {
        using var h = new FakeHosting();
        h.Platform("d7", "drupal7");
        Assert.True(h.Run(new InstallSite.Parameters("seven.test", null, null, new SiteDefinition("seven.test", "d7", Aliases: ["www.seven.test"]))).Succeeded);
        var settings = Settings(h, "seven.test");
        Assert.Contains("$settings['file_temp_path'] = 'sites/seven.test/private/temp';", settings);
        Assert.Contains("$settings['trusted_host_patterns'] = ['^seven\\.test$', '^www\\.seven\\.test$'];", settings);
        Assert.Contains("$conf['file_temporary_path'] = $settings['file_temp_path'];", settings);
        Assert.Contains("$conf['trusted_host_patterns'] = $settings['trusted_host_patterns'];", settings);
    }

    [Fact]
    public void A_drupal_7_site_whose_tables_are_utf8mb3_keeps_utf8_with_a_collation_of_that_set()
    {
        using var h = new FakeHosting();
        h.Platform("d7", "drupal7");
        Assert.True(h.Run(new InstallSite.Parameters("seven.test", null, null, new SiteDefinition("seven.test", "d7"))).Succeeded);
        var db = h.Store.GetFresh<AegirSite>("seven.test", "Uri").DbName!;
        h.Databases.Collations[$"{db}.system"] = "utf8mb3_general_ci";
        Assert.True(h.Run(new VerifySite.Parameters("seven.test")).Succeeded);
        var settings = Settings(h, "seven.test");
        Assert.DoesNotContain("'charset'", settings);
        Assert.Contains("'collation' => 'utf8_general_ci',", settings);
        h.Databases.Collations[$"{db}.system"] = "utf8mb4_unicode_ci";
        Assert.True(h.Run(new VerifySite.Parameters("seven.test")).Succeeded);
        settings = Settings(h, "seven.test");
        Assert.Contains("'charset' => 'utf8mb4',", settings);
        Assert.Contains("'collation' => 'utf8mb4_unicode_ci',", settings);
    }
}
