using System.Text;
using Aegir.Core.Services;
using Aegir.Core.Services.MySql;
using Aegir.Core.Services.PostgreSql;
using Xunit;

namespace Aegir.Core.Tests;

public class DumpFilterTests
{
    static byte[] Filter(byte[] dump, IDumpLineRules rules, int readSize = 7)
    {
        using var filter = new DumpLineFilter(new MemoryStream(dump), rules);
        var output = new MemoryStream();
        var buffer = new byte[readSize];
        int n;
        while ((n = filter.Read(buffer, 0, buffer.Length)) > 0) output.Write(buffer, 0, n);
        return output.ToArray();
    }

    static string Filter(string dump, IDumpLineRules rules) => Encoding.Latin1.GetString(Filter(Encoding.Latin1.GetBytes(dump), rules));

    [Theory]
    [InlineData("/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a=1 */;;\n",
                "/*!50003 CREATE*/ /*!50017 DEFINER=CURRENT_USER*/ /*!50003 TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a=1 */;;\n")]
    [InlineData("CREATE DEFINER=`old site`@`%` PROCEDURE `p`()\n", "CREATE DEFINER=CURRENT_USER PROCEDURE `p`()\n")]
    [InlineData("/*!50013 DEFINER=`a``b`@`10.0.0.%` SQL SECURITY DEFINER */\n", "/*!50013 DEFINER=CURRENT_USER SQL SECURITY DEFINER */\n")]
    [InlineData("CREATE definer = 'root'@'localhost' FUNCTION f() RETURNS INT RETURN 1;\n", "CREATE DEFINER=CURRENT_USER FUNCTION f() RETURNS INT RETURN 1;\n")]
    [InlineData("CREATE DEFINER=root@localhost EVENT e ON SCHEDULE EVERY 1 DAY DO SELECT 1;\n", "CREATE DEFINER=CURRENT_USER EVENT e ON SCHEDULE EVERY 1 DAY DO SELECT 1;\n")]
    public void A_mysql_dump_s_definers_become_the_loading_account(string line, string expected)
        => Assert.Equal("-- head\n" + expected + "-- tail", Filter("-- head\n" + line + "-- tail", new MySqlDumpRules()));

    [Fact]
    public void Mysql_data_lines_and_bytes_of_any_character_set_pass_unchanged()
    {
        var insert = "INSERT INTO `t` VALUES ('DEFINER=`root`@`localhost`','\xe9\xff\x00');\n";
        var dump = Encoding.Latin1.GetBytes("CREATE TABLE `t` (`a` text) /* \xe9 */;\n" + insert + "INSERT INTO `t` VALUES (1)");
        Assert.Equal(dump, Filter(dump, new MySqlDumpRules()));
    }

    [Fact]
    public void A_line_too_long_to_hold_passes_unchanged_and_the_next_is_still_filtered()
    {
        var longLine = "CREATE DEFINER=`x`@`y` VIEW v AS SELECT '" + new string('a', DumpLineFilter.MaxHeld + 10) + "';\n";
        var output = Encoding.Latin1.GetString(Filter(Encoding.Latin1.GetBytes(longLine + "CREATE DEFINER=`x`@`y` VIEW w AS SELECT 1;\n"), new MySqlDumpRules(), 1 << 16));
        Assert.Equal(longLine + "CREATE DEFINER=CURRENT_USER VIEW w AS SELECT 1;\n", output);
    }

    [Fact]
    public void A_postgresql_dump_starts_restricted_and_loses_its_own_restrict_lines_outside_copy_data()
    {
        var rules = new PgDumpRules();
        var output = Filter("--\n\\restrict Abc123\nSET x = 1;\nCOPY public.t (a) FROM stdin;\n\\restrict kept-as-data\n\\unrestrict also-data\n\\.\n\\! touch /tmp/x\n\\unrestrict Abc123\n", rules);
        var preamble = Encoding.ASCII.GetString(rules.Preamble);
        Assert.Matches(@"^\\restrict [0-9A-F]{48}\n$", preamble);
        Assert.Equal(preamble + "--\nSET x = 1;\nCOPY public.t (a) FROM stdin;\n\\restrict kept-as-data\n\\unrestrict also-data\n\\.\n\\! touch /tmp/x\n", output);
        Assert.NotEqual(preamble, Encoding.ASCII.GetString(new PgDumpRules().Preamble));
    }

    [Fact]
    public void An_empty_dump_gives_the_preamble_alone()
    {
        Assert.Equal("", Filter("", new MySqlDumpRules()));
        var rules = new PgDumpRules();
        Assert.Equal(Encoding.ASCII.GetString(rules.Preamble), Filter("", rules));
    }
}
