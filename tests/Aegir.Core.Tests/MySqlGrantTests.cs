using Aegir.Core.Services.MySql;

namespace Aegir.Core.Tests;

/// <summary>A site's database account that holds its own database only is left as it is by a verify (no request refused meanwhile).</summary>
public class MySqlGrantTests
{
    const string Usage = "GRANT USAGE ON *.* TO `site_db`@`127.0.0.1` IDENTIFIED BY PASSWORD '*0123456789ABCDEF0123456789ABCDEF01234567'";
    const string Own = "GRANT ALL PRIVILEGES ON `site\\_db`.* TO `site_db`@`127.0.0.1`";

    [Fact]
    public void Its_login_and_its_own_database_are_its_own_database_only()
        => Assert.True(MySqlService.OwnDatabaseOnly([Usage, Own], "site_db"));

    [Theory]
    [InlineData("GRANT ALL PRIVILEGES ON *.* TO `site_db`@`127.0.0.1`")]
    [InlineData("GRANT SELECT ON `other`.* TO `site_db`@`127.0.0.1`")]
    [InlineData("GRANT ALL PRIVILEGES ON `site\\_db`.* TO `site_db`@`127.0.0.1` WITH GRANT OPTION")]
    public void Anything_more_is_not(string extra)
    {
        Assert.False(MySqlService.OwnDatabaseOnly([Usage, Own, extra], "site_db"));
        Assert.False(MySqlService.OwnDatabaseOnly([Usage, extra], "site_db"));
    }

    [Fact]
    public void Another_database_or_no_grant_is_not()
    {
        Assert.False(MySqlService.OwnDatabaseOnly([Usage, Own], "other_db"));
        Assert.False(MySqlService.OwnDatabaseOnly([Usage], "site_db"));
        Assert.False(MySqlService.OwnDatabaseOnly([Usage + " WITH MAX_USER_CONNECTIONS 1", Own], "site_db"));
    }
}
