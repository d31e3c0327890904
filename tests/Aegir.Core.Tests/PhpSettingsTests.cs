using System.Text.RegularExpressions;
using Aegir.Core.Platforms;
using Aegir.Core.Transport;
using Xunit;

namespace Aegir.Core.Tests;

/// <summary>A site's settings.php read as PHP reads it: its commented examples are no code, and the last assignment wins.</summary>
public sealed class PhpSettingsTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "aegir-php-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_root)) Directory.Delete(_root, true); }

    ImportedDatabase? Read(string settings)
    {
        Directory.CreateDirectory(Path.Combine(_root, "sites", "a.test"));
        File.WriteAllText(Path.Combine(_root, "sites", "a.test", "settings.php"), settings);
        return new DrupalKind(seven: true).ReadDatabaseSettings(new LocalTransport(), _root, "a.test");
    }

    /// <summary>A settings.php laid out as Drupal 7's stock file is: a doc comment full of examples, an empty array, then what the installer appended.</summary>
    const string Drupal7 = """
        <?php
        /**
         * Database settings:
         *
         * $databases['default']['default'] = array(
         *   'driver' => 'mysql',
         *   'database' => 'databasename',
         *   'username' => 'username',
         *   'password' => 'password',
         *   'host' => 'localhost',
         *   'collation' => 'utf8_general_ci',
         * );
         */
        $databases = array();
        $update_free_access = FALSE;
        $drupal_hash_salt = '';
        # $base_url = 'http://www.example.com';
        $databases = array (
          'default' =>
          array (
            'default' =>
            array (
              'database' => 'd7site',
              'username' => 'd7user',
              'password' => 'it\'s // not # a /* comment',
              'host' => '127.0.0.1',
              'port' => '3307',
              'driver' => 'mysql',
              'prefix' => '',
            ),
          ),
        );
        """;

    [Fact]
    public void Drupal_7_s_installer_s_array_is_read_and_the_commented_example_is_not()
    {
        var db = Read(Drupal7)!;
        Assert.Equal(("d7site", "d7user", "127.0.0.1", 3307, "mysql"), (db.Database, db.User, db.Host, db.Port, db.Driver));
        Assert.Equal("it's // not # a /* comment", db.Password);
    }

    [Fact]
    public void Drupal_10_s_settings_are_read_past_line_comments_and_example_lines()
    {
        var db = Read("""
            <?php
            // $databases['default']['default'] = ['database' => 'databasename', 'username' => 'sqlusername'];
            # $databases['default']['default'] = ['database' => 'hashcomment'];
            $settings['hash_salt'] = 'x';
            $databases['default']['default'] = [
              'database' => "d10site",
              'username' => 'd10user',
              'password' => "pa\"ss\$x",
              'host' => 'db.internal', // where it is
              'port' => 3306,
              'driver' => 'mysql',
            ];
            $databases['default']['replica'][] = ['database' => 'replica1'];
            """)!;
        Assert.Equal(("d10site", "d10user", "pa\"ss$x", "db.internal", 3306), (db.Database, db.User, db.Password, db.Host, db.Port));
    }

    [Theory]
    [InlineData("<?php\n/* $databases['default']['default'] = array('database' => 'commented'); */\n$databases = array();\n")]
    [InlineData("<?php\n$example = \"\\$databases['default']['default'] = array('database' => 'in a string');\";\n")]
    [InlineData("<?php\n$doc = <<<EOT\n$databases = ['default' => ['default' => ['database' => 'in a heredoc']]];\nEOT;\n")]
    public void Settings_whose_only_database_is_in_a_comment_or_a_string_name_none(string settings) => Assert.Null(Read(settings));

    [Fact]
    public void No_port_is_read_as_none_given()
    {
        Assert.Equal(0, Read("<?php\n$databases['default']['default'] = ['database' => 'x', 'port' => '', 'driver' => 'mysql'];\n")!.Port);
        Assert.Equal(0, Read("<?php\n$databases['default']['default'] = ['database' => 'x'];\n")!.Port);
    }

    [Fact]
    public void A_later_assignment_wins()
    {
        var db = Read("<?php\n$databases['default']['default'] = ['database' => 'first'];\n$databases['default']['default'] = ['database' => 'second'];\n")!;
        Assert.Equal("second", db.Database);
    }

    [Fact]
    public void Blanking_keeps_every_offset()
    {
        const string text = "<?php /* a */ $x = 'b // c'; # d\n$y = 1; // e ?>f";
        var code = PhpSource.Blank(text, strings: false);
        Assert.Equal(text.Length, code.Length);
        Assert.Equal("<?php         $x = 'b // c';    \n$y = 1;      ?>f", code);
        Assert.Equal("<?php         $x = '      ';    \n$y = 1;      ?>f", PhpSource.Blank(text, strings: true));
    }
}
