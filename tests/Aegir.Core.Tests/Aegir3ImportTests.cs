using Aegir.Core.Contexts;
using Aegir.Core.Operations.Site;

namespace Aegir.Core.Tests;

/// <summary>A site Aegir 3 left on a platform taken in: its database from its drushrc.php, as Aegir's settings.php names none.</summary>
public class Aegir3ImportTests
{
    const string AegirSettings = """
        <?php
        if (isset($_SERVER['db_name'])) {
          $databases['default']['default'] = array(
            'driver' => $_SERVER['db_type'],
            'database' => $_SERVER['db_name'],
            'username' => $_SERVER['db_user'],
            'password' => $_SERVER['db_passwd'],
            'host' => $_SERVER['db_host'],
            'port' => (string) $_SERVER['db_port'],
          );
        }
        """;

    const string Drushrc = """
        <?php 
        $options['db_type'] = 'mysql';
        $options['db_port'] = '3306';
        $options['db_host'] = 'localhost';
        $options['db_user'] = 'shopexamplecom';
        $options['db_passwd'] = 'Aegir3-Site-Pw';
        $options['db_name'] = 'shopexamplecom';
        $_SERVER['db_name'] = $options['db_name'];
        """;

    [Fact]
    public void A_site_aegir_3_left_keeps_its_account_and_takes_the_names_its_context_gives()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("d11", "drupal");
        hosting.Server.Put("/srv/d11/sites/shop.example.com/settings.php", AegirSettings);
        hosting.Server.Put("/srv/d11/sites/shop.example.com/drushrc.php", Drushrc);
        hosting.Databases.Databases.Add("shopexamplecom");
        hosting.Databases.Users["shopexamplecom"] = ("Aegir3-Site-Pw", "shopexamplecom", ["127.0.0.1"]);

        var found = Assert.Single(SiteImports.Find(hosting.Engine, hosting.Store.Get<AegirPlatform>("platform_d11", "Platform")));
        Assert.Equal(("shop.example.com", "shopexamplecom", "shopexamplecom"), (found.Uri, found.Database!.Database, found.Database.User));

        var outcome = hosting.Run(new ImportSite.Parameters("shop.example.com", "platform_d11", "server_master", "shopexamplecom",
            ["www.shop.example.com"], "shop.example.com", "minimal", "de"));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        var site = new ContextStore(hosting.Home.Path).Get<AegirSite>("shop.example.com", "Uri");
        Assert.Equal(["www.shop.example.com"], site.Aliases);
        Assert.Equal(("shop.example.com", "minimal", "de"), (site.Redirection, site.Profile, site.Language));
        Assert.Equal("Aegir3-Site-Pw", hosting.Databases.Users["shopexamplecom"].Password);
        Assert.Contains("www.shop.example.com", hosting.Server.Text(hosting.VhostPath("shop.example.com")));
        Assert.Equal(UnixFileMode.UserRead, hosting.Server.GetMode("/srv/d11/sites/shop.example.com/drushrc.php") & (UnixFileMode)0b111_111_111);
        Assert.DoesNotContain("Aegir3-Site-Pw", string.Join("\n", outcome.Task.Log.Select(l => l.Message)) + outcome.Task.Parameters.ToJsonString());
    }
}
