using Aegir.Core.Services.MySql;
using Aegir.Core.Services.PostgreSql;

namespace Aegir.Core.Tests;

/// <summary>A site's database account as the server tells it, against what verify makes it: every difference named, none when it is as verify left it.</summary>
public class DriftGrantTests
{
    static readonly string[] Hosts = ["127.0.0.1", "localhost"];
    static string Usage(string host) => $"GRANT USAGE ON *.* TO `site_db`@`{host}` IDENTIFIED BY PASSWORD '*0123456789ABCDEF0123456789ABCDEF01234567'";
    static string Own(string host) => $"GRANT ALL PRIVILEGES ON `site\\_db`.* TO `site_db`@`{host}`";

    static Dictionary<string, IReadOnlyList<string>> AsVerifyLeavesIt()
        => Hosts.ToDictionary(h => h, h => (IReadOnlyList<string>)[Usage(h), Own(h)]);

    [Fact]
    public void An_account_as_verify_leaves_it_differs_in_nothing()
        => Assert.Empty(MySqlGrants.Compare("site_db", "site_db", Hosts, AsVerifyLeavesIt()));

    [Fact]
    public void A_grant_on_another_database_is_extra_and_shown_without_the_password_hash()
    {
        var grants = AsVerifyLeavesIt();
        grants["localhost"] = [.. grants["localhost"], "GRANT SELECT ON `other`.* TO `site_db`@`localhost`"];
        var d = Assert.Single(MySqlGrants.Compare("site_db", "site_db", Hosts, grants));
        Assert.Equal("'site_db'@'localhost' on `site_db`", d.Where);
        Assert.Equal("SELECT ON `other`.*", d.Found);
        Assert.DoesNotContain("0123456789ABCDEF", d.Found + d.Expected + d.Where);
    }

    [Fact]
    public void A_right_revoked_on_its_own_database_is_missing_and_what_is_left_is_shown_once()
    {
        var grants = AsVerifyLeavesIt();
        grants["127.0.0.1"] = [Usage("127.0.0.1"), "GRANT SELECT, INSERT, UPDATE ON `site\\_db`.* TO `site_db`@`127.0.0.1`"];
        var d = Assert.Single(MySqlGrants.Compare("site_db", "site_db", Hosts, grants));
        Assert.Equal("ALL PRIVILEGES ON `site\\_db`.*", d.Expected);
        Assert.Equal("SELECT, INSERT, UPDATE ON `site\\_db`.*", d.Found);
    }

    [Fact]
    public void The_grant_option_and_a_limit_on_the_login_are_extra()
    {
        var grants = AsVerifyLeavesIt();
        grants["localhost"] = [Usage("localhost") + " WITH MAX_USER_CONNECTIONS 5", Own("localhost") + " WITH GRANT OPTION"];
        var found = MySqlGrants.Compare("site_db", "site_db", Hosts, grants).Select(d => d.Found).ToList();
        Assert.Contains("ALL PRIVILEGES ON `site\\_db`.* WITH GRANT OPTION", found);
        Assert.Contains("USAGE ON *.* WITH MAX_USER_CONNECTIONS 5", found);
    }

    [Fact]
    public void An_account_from_another_host_is_extra_and_one_missing_for_a_web_host_is_missing()
    {
        var grants = AsVerifyLeavesIt();
        grants.Remove("localhost");
        grants["%"] = [Usage("%"), Own("%")];
        var differences = MySqlGrants.Compare("site_db", "site_db", Hosts, grants);
        Assert.Equal(2, differences.Count);
        Assert.Contains(differences, d => d.Where.StartsWith("'site_db'@'%'") && d.Expected.StartsWith("no account") && d.Found.Contains("ALL PRIVILEGES"));
        Assert.Contains(differences, d => d.Where.StartsWith("'site_db'@'localhost'") && d.Found == "no account");
    }

    [Fact]
    public void Another_account_with_rights_on_the_site_database_is_named_with_its_rights_there()
    {
        var holders = new Dictionary<(string, string), IReadOnlyList<string>>
        {
            [("intruder", "%")] = ["GRANT USAGE ON *.* TO `intruder`@`%` IDENTIFIED BY PASSWORD '*0123456789ABCDEF0123456789ABCDEF01234567'", "GRANT ALL PRIVILEGES ON `site\\_db`.* TO `intruder`@`%`"],
            [("reader", "localhost")] = ["GRANT USAGE ON *.* TO `reader`@`localhost`", "GRANT SELECT ON `site_db`.`users` TO `reader`@`localhost`"],
        };
        var differences = MySqlGrants.Others("site_db", holders);
        Assert.Equal(2, differences.Count);
        Assert.Equal("'intruder'@'%' on `site_db`", differences[0].Where);
        Assert.Equal("ALL PRIVILEGES ON `site\\_db`.*", differences[0].Found);
        Assert.Equal("SELECT ON `site_db`.`users`", differences[1].Found);
        Assert.DoesNotContain("0123456789ABCDEF", string.Concat(differences.Select(d => d.Found + d.Expected + d.Where)));
    }

    [Fact]
    public void Another_postgresql_role_with_rights_on_the_site_database_is_named_and_its_owner_is_not()
    {
        var facts = PgAsVerifyLeavesIt() with { Privileges = [.. PgAsVerifyLeavesIt().Privileges, ("site", "intruder", "CONNECT"), ("site", "intruder", "CREATE")] };
        var d = Assert.Single(PgGrants.Compare("site", "site", Hosts, facts));
        Assert.Equal("role intruder on site", d.Where);
        Assert.Equal("CONNECT, CREATE", d.Found);
    }

    static PgRoleFacts PgAsVerifyLeavesIt() => new("site", [("site", "site", "CONNECT"), ("site", "site", "CREATE"), ("site", "site", "TEMPORARY")], true, [], [], [], Hosts);

    [Fact]
    public void A_postgresql_role_as_verify_leaves_it_differs_in_nothing()
        => Assert.Empty(PgGrants.Compare("site", "site", Hosts, PgAsVerifyLeavesIt()));

    [Fact]
    public void A_postgresql_role_with_powers_memberships_other_rights_or_public_access_differs_in_each()
    {
        var facts = PgAsVerifyLeavesIt() with
        {
            Privileges = [("site", "site", "CONNECT"), ("site", "PUBLIC", "CONNECT"), ("other", "site", "CONNECT")],
            Attributes = ["CREATEDB"], MemberOf = ["pg_read_all_data"], OwnsOther = ["spare"], HbaHosts = ["127.0.0.1", "10.0.0.9"],
        };
        var differences = PgGrants.Compare("site", "site", Hosts, facts);
        Assert.Contains(differences, d => d.Found == "CONNECT" && d.Expected.StartsWith("ALL"));
        Assert.Contains(differences, d => d.Where == "PUBLIC on site" && d.Found == "CONNECT");
        Assert.Contains(differences, d => d.Found == "CONNECT on other");
        Assert.Contains(differences, d => d.Found == "CREATEDB");
        Assert.Contains(differences, d => d.Found == "member of pg_read_all_data");
        Assert.Contains(differences, d => d.Found == "owner of spare");
        Assert.Contains(differences, d => d.Where == "pg_hba.conf for site" && d.Found == "from 127.0.0.1, 10.0.0.9");
        Assert.Equal(7, differences.Count);
    }

    [Fact]
    public void A_postgresql_role_gone_or_not_owning_its_database_differs()
    {
        Assert.Equal("no role", Assert.Single(PgGrants.Compare("site", "site", Hosts, PgAsVerifyLeavesIt() with { Attributes = null })).Found);
        Assert.Equal("site owned by postgres", Assert.Single(PgGrants.Compare("site", "site", Hosts, PgAsVerifyLeavesIt() with { Owner = "postgres" })).Found);
    }
}
