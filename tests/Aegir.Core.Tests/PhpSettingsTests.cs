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

    /// <summary>
    /// A settings.php laid out as Drupal 10's stock file is (its default.settings.php): doc comments whose @code examples
    /// assign $databases in [] syntax (for MySQL, PostgreSQL, SQLite, a contributed driver with a namespace), a commented
    /// init_commands line, '#' lines, the real empty $databases, then what the installer appended at the end.
    /// </summary>
    const string Drupal10 = """
        <?php

        // phpcs:ignoreFile

        /**
         * @file
         * Site-specific configuration.
         */

        /**
         * Database settings:
         *
         * @code
         * $databases['default']['default'] = [
         *   'database' => 'database_name',
         *   'username' => 'sql_username',
         *   'password' => 'sql_password',
         *   'host' => 'localhost',
         *   'port' => '3306',
         *   'driver' => 'mysql',
         *   'prefix' => '',
         *   'collation' => 'utf8mb4_general_ci',
         * ];
         * @endcode
         */
        $databases = [];

        /**
         * @code
         * $databases['default']['default']['init_commands'] = [
         *   'isolation_level' => 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
         * ];
         * @endcode
         *
         * @code
         *   $databases['default']['default'] = [
         *     'driver' => 'pgsql',
         *     'database' => 'database_name',
         *     'username' => 'sql_username',
         *     'password' => 'sql_password',
         *     'host' => 'localhost',
         *     'prefix' => '',
         *   ];
         * @endcode
         *
         * @code
         *   $databases['default']['default'] = [
         *     'driver' => 'my_driver',
         *     'namespace' => 'Drupal\my_module\Driver\Database\my_driver',
         *     'autoload' => 'modules/my_module/src/Driver/Database/my_driver/',
         *     'database' => 'database_name',
         *   ];
         * @endcode
         */
        # $settings['config_sync_directory'] = '/directory/outside/webroot';
        $settings['hash_salt'] = '';
        # $settings['deployment_identifier'] = \Drupal::VERSION;
        $settings['update_free_access'] = FALSE;
        $settings['container_yamls'][] = $app_root . '/' . $site_path . '/services.yml';
        $settings['entity_update_batch_size'] = 50;
        #
        # if (file_exists($app_root . '/' . $site_path . '/settings.local.php')) {
        #   include $app_root . '/' . $site_path . '/settings.local.php';
        # }
        $databases['default']['default'] = array (
          'database' => 'd10site',
          'username' => 'd10user',
          'password' => 'Pass/*not*/#a-comment',
          'prefix' => '',
          'host' => '10.0.0.5',
          'port' => '3306',
          'isolation_level' => 'READ COMMITTED',
          'driver' => 'mysql',
          'namespace' => 'Drupal\\mysql\\Driver\\Database\\mysql',
          'autoload' => 'core/modules/mysql/src/Driver/Database/mysql/',
        );
        $settings['hash_salt'] = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdEfGhIjKlMnOpQrStUv';
        $settings['config_sync_directory'] = 'sites/default/files/config_AbCdEf/sync';
        """;

    [Fact]
    public void Drupal_10_s_stock_file_is_read_past_every_commented_example_to_what_its_installer_appended()
    {
        var db = Read(Drupal10)!;
        Assert.Equal(("d10site", "d10user", "Pass/*not*/#a-comment", "10.0.0.5", 3306, "mysql"), (db.Database, db.User, db.Password, db.Host, db.Port, db.Driver));
    }

    [Fact]
    public void Drupal_10_s_stock_file_before_its_install_names_no_database()
    {
        var stock = Drupal10[..Drupal10.IndexOf("$databases['default']['default'] = array (", StringComparison.Ordinal)];
        Assert.Null(Read(stock));
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
