using Aegir.Core.Errors;
using Aegir.Core.Platforms;

namespace Aegir.Core.Tests;

/// <summary>The strict reader of PHP data files (Aegir 3's alias files and drushrc.php): data is read, code is refused, nothing runs.</summary>
public class PhpDataTests
{
    static PhpArray Alias(string body) => (PhpArray)PhpData.Parse("<?php\n$aliases['x'] = " + body + ";\n", "x.alias.drushrc.php").Single().Value!;

    static AegirException Refused(string text)
    {
        var ex = Assert.Throws<AegirException>(() => PhpData.Parse(text, "/srv/drush/bad.alias.drushrc.php"));
        Assert.Equal("Aegir3ContextUnread", ex.ErrorId);
        Assert.Contains("/srv/drush/bad.alias.drushrc.php", ex.Message);
        Assert.True(ex.NothingChanged);
        return ex;
    }

    [Fact]
    public void Reads_an_alias_as_var_export_writes_it()
    {
        var text = """
            <?php 
            $aliases['server_master'] = array (
              'context_type' => 'server',
              'remote_host' => 'aegir.example.com',
              'ip_addresses' => 
              array (
              ),
              'http_port' => 80,
              'db_grant_all_hosts' => false,
              'utf8mb4_is_supported' => true,
              'master_url' => NULL,
              'ratio' => -1.5,
              'list' => 
              array (
                0 => 'a.example.com',
                1 => 'b.example.com',
              ),
            );
            """;
        var statement = PhpData.Parse(text, "f").Single();
        Assert.Equal("$aliases['server_master']", statement.Target!.ToString());
        Assert.Equal(2, statement.Line);
        var a = (PhpArray)statement.Value!;
        Assert.True(a.TryGet("remote_host", out var host));
        Assert.Equal("aegir.example.com", host);
        Assert.True(a.TryGet("ip_addresses", out var ips));
        Assert.Empty(((PhpArray)ips!).Entries);
        Assert.True(a.TryGet("http_port", out var port));
        Assert.Equal(80L, port);
        Assert.True(a.TryGet("db_grant_all_hosts", out var grant));
        Assert.Equal(false, grant);
        Assert.True(a.TryGet("master_url", out var url));
        Assert.Null(url);
        Assert.True(a.TryGet("ratio", out var ratio));
        Assert.Equal(-1.5, ratio);
        Assert.True(a.TryGet("list", out var list));
        Assert.Equal(["a.example.com", "b.example.com"], ((PhpArray)list!).Values.Cast<string>());
    }

    [Fact]
    public void Reads_short_arrays_implicit_keys_trailing_commas_comments_and_a_closing_tag()
    {
        var a = Alias("[ 'a', 'k' => \"v\", 'b', /* note */ 5 => 'five', 'c', # why\n 'n' => [ [ ] , ], // end\n ]");
        Assert.Equal(new object[] { 0L, "k", 1L, 5L, 6L, "n" }, a.Entries.Select(e => e.Key));
        var closed = PhpData.Parse("<?php $x['a'] = 1; ?>\n", "f");
        Assert.Equal(1L, closed.Single().Value);
        Assert.Empty(PhpData.Parse("\uFEFF<?php\n// nothing\n", "f"));
    }

    [Fact]
    public void A_key_given_twice_keeps_its_place_and_takes_the_last_value_and_numeric_string_keys_are_numbers()
    {
        var a = Alias("array ('x' => 1, '7' => 'seven', 'y' => 2, 'x' => 3, '07' => 'str')");
        Assert.Equal(new object[] { "x", 7L, "y", "07" }, a.Entries.Select(e => e.Key));
        Assert.True(a.TryGet("x", out var x));
        Assert.Equal(3L, x);
    }

    [Theory]
    [InlineData(@"'it\'s'", "it's")]
    [InlineData(@"'back\\slash'", @"back\slash")]
    [InlineData(@"'keeps \n as written'", @"keeps \n as written")]
    [InlineData(@"""tab\there""", "tab\there")]
    [InlineData(@"""quote\"" dollar\$ \x41\101\u{1F600}""", "quote\" dollar$ AA\U0001F600")]
    [InlineData(@"""a $ alone""", "a $ alone")]
    [InlineData("'p@ss:w/rd%40'", "p@ss:w/rd%40")]
    [InlineData("'spans\nlines'", "spans\nlines")]
    public void Reads_strings_with_their_escapes(string literal, string expected)
        => Assert.Equal(expected, PhpData.Parse($"<?php $o['k'] = {literal};", "f").Single().Value);

    [Fact]
    public void Reads_includes_and_whole_variable_values_as_aegirs_drushrc_has_them()
    {
        var s = PhpData.Parse("<?php\n$options['db_name'] = 'x';\n$_SERVER['db_name'] = $options['db_name'];\n@include_once('/p/sites/x/local.drushrc.php');\n", "f");
        Assert.Equal(3, s.Count);
        Assert.Equal("$options['db_name']", ((PhpReference)s[1].Value!).ToString());
        Assert.Equal("/p/sites/x/local.drushrc.php", s[2].Include);
        Assert.Null(s[2].Target);
        Assert.Equal(4, s[2].Line);
    }

    [Theory]
    [InlineData("<?php\n$a['x'] = system('id');", "function call", 2)]
    [InlineData("<?php\n$a['x'] = array('k' => exec('rm -rf /'));", "function call", 2)]
    [InlineData("<?php\n$a['x'] = 'a' . 'b';", "joined", 2)]
    [InlineData("<?php\n$a['x'] = array('k' => 'a' . $b);", "joined", 2)]
    [InlineData("<?php\n$a['x'] = array('k' => $b);", "variable", 2)]
    [InlineData("<?php\n$a['x'] = \"hi $name\";", "variable inside", 2)]
    [InlineData("<?php\n$a['x'] = \"hi {$name}\";", "variable inside", 2)]
    [InlineData("<?php\n$a['x'] = <<<EOT\nhi\nEOT;", "heredoc", 2)]
    [InlineData("<?php\n$a['x'] = PHP_VERSION;", "constant", 2)]
    [InlineData("<?php\n$a['x'] = Foo::BAR;", "class constant", 2)]
    [InlineData("<?php\n$a['x'] = `id`;", "no value", 2)]
    [InlineData("<?php\n$a['x'] = (1);", "brackets", 2)]
    [InlineData("<?php\n$a['x'] = 0755;", "octal", 2)]
    [InlineData("<?php\n$a['x'] = 0x1F;", "no plain decimal", 2)]
    [InlineData("<?php\n$a['x'] = 1_000;", "no plain decimal", 2)]
    [InlineData("<?php\n$a['x'] = 99999999999999999999;", "too large", 2)]
    [InlineData("<?php\n$a['x'] = array('k' => 'v'", "ends inside", 2)]
    [InlineData("<?php\n$a['x'] = array('k' 'v');", ", or )", 2)]
    [InlineData("<?php\n$a['x'] = 'open;\n\n", "not closed", 2)]
    [InlineData("<?php\n$a['x'] = \"open;\n", "not closed", 2)]
    [InlineData("<?php\n/* open\n$a['x'] = 1;", "not closed", 2)]
    [InlineData("<?php\n$a['x'] = 1\n$b['y'] = 2;", "; was expected", 3)]
    [InlineData("<?php\n$a[] = 1;", "appends", 2)]
    [InlineData("<?php\n$a[$k] = 1;", "variable", 2)]
    [InlineData("<?php\n$a['x'] .= 'y';", "assignment", 2)]
    [InlineData("<?php\n$a['x'] == 'y';", "assignment", 2)]
    [InlineData("<?php\neval('x');", "function call", 2)]
    [InlineData("<?php\n@unlink('/etc/passwd');", "function call", 2)]
    [InlineData("<?php\ninclude $file;", "no plain path", 2)]
    [InlineData("<?php\nif (true) { $a['x'] = 1; }", "constant", 2)]
    [InlineData("<?php\n#[Attr]\n$a['x'] = 1;", "attribute", 2)]
    [InlineData("<?php\n$a['x'] = array(array('k') => 1);", "key must be", 2)]
    [InlineData("<?php\n$a['x'] = 1; ?>\n<b>html</b>", "follows the closing", 2)]
    [InlineData("<? $a['x'] = 1;", "<?php", 1)]
    [InlineData("junk<?php $a['x'] = 1;", "<?php", 1)]
    [InlineData("<?phpx $a['x'] = 1;", "<?php", 1)]
    [InlineData("<?php\n$a['x'] = new Foo();", "constant", 2)]
    public void Refuses_code_naming_the_file_and_line(string text, string why, int line)
    {
        var ex = Refused(text);
        Assert.Contains(why, ex.Message);
        Assert.Contains($", line {line}:", ex.Message);
    }

    [Fact]
    public void Refuses_arrays_nested_deeper_than_its_limit_without_overflowing_the_stack()
    {
        var deep = "<?php $a['x'] = " + string.Concat(Enumerable.Repeat("array(", 100_000)) + string.Concat(Enumerable.Repeat(")", 100_000)) + ";";
        Assert.Contains("nested deeper", Refused(deep).Message);
        var fine = "<?php $a['x'] = " + string.Concat(Enumerable.Repeat("[", PhpData.MaxDepth)) + string.Concat(Enumerable.Repeat("]", PhpData.MaxDepth)) + ";";
        Assert.Single(PhpData.Parse(fine, "f"));
    }

    [Fact]
    public void Refuses_a_file_too_large_to_be_one_aegir_wrote()
        => Assert.Contains("larger than", Refused("<?php $a['x'] = '" + new string('x', PhpData.MaxBytes) + "';").Message);

    [Fact]
    public void Never_shows_more_than_a_few_characters_of_what_it_refuses()
    {
        var ex = Refused("<?php\n$a['x'] = array('master_db' => 'mysql://root:' . 'Very-Secret-Password-123@localhost');");
        Assert.DoesNotContain("Very-Secret", ex.Message);
    }
}
