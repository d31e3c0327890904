using Aegir.Core.Errors;
using Aegir.Core.Services.MySql;
using Aegir.Core.Transport;
using Aegir.Core.Platforms;

namespace Aegir.Core.Tests;

public sealed class PlatformKindTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "aegir-kind-" + Guid.NewGuid().ToString("N")[..8]);

    void Write(string path, string text)
    {
        var full = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    public void Dispose() { if (Directory.Exists(_root)) Directory.Delete(_root, true); }

    [Theory]
    [InlineData("core/lib/Drupal.php", "<?php class Drupal { const VERSION = '11.0.5'; }", "drupal", "11.0.5")]
    [InlineData("includes/bootstrap.inc", "<?php define('VERSION', '7.101');", "drupal7", "7.101")]
    [InlineData("wp-includes/version.php", "<?php $wp_version = '6.1.1';", "wordpress", "6.1.1")]
    [InlineData("index.php", "<?php echo 1;", "php", null)]
    public void Kinds_are_told_by_their_files(string file, string text, string kind, string? version)
    {
        Write("index.php", "<?php");
        Write(file, text);
        var (found, v) = PlatformKinds.Detect(new LocalTransport(), _root, new Contexts.AegirServer(Contexts.ContextNames.Master));
        Assert.Equal(kind, found.Name);
        Assert.Equal(version, v);
    }

    [Fact]
    public void A_folder_without_index_php_is_no_platform()
    {
        Directory.CreateDirectory(_root);
        Assert.Contains("no index.php", Assert.Throws<AegirException>(() => PlatformKinds.Detect(new LocalTransport(), _root, new Contexts.AegirServer(Contexts.ContextNames.Master))).Message);
        Assert.Contains("does not exist", Assert.Throws<AegirException>(() => PlatformKinds.Detect(new LocalTransport(), _root + "-missing", new Contexts.AegirServer(Contexts.ContextNames.Master))).Message);
    }

    [Fact]
    public void WordPress_plugins_and_themes_are_read_from_their_headers()
    {
        Write("wp-includes/version.php", "<?php $wp_version = '6.1.1';");
        Write("wp-content/plugins/akismet/akismet.php", "<?php\n/**\n * Plugin Name: Akismet Anti-Spam\n * Version: 5.0.1\n */");
        Write("wp-content/plugins/akismet/class.akismet.php", "<?php // not the main file");
        Write("wp-content/plugins/hello.php", "<?php\n/*\nPlugin Name: Hello Dolly\nVersion: 1.7.2\n*/");
        Write("wp-content/themes/twentytwentythree/style.css", "/*\nTheme Name: Twenty Twenty-Three\nVersion: 1.0\n*/");
        var packages = new WordPressKind().ScanPackages(new LocalTransport(), _root, "platform_wp");
        Assert.Equal(["wordpress:core:6.1.1", "akismet:plugin:5.0.1", "hello:plugin:1.7.2", "twentytwentythree:theme:1.0"],
            packages.Select(p => $"{p.Name}:{p.Type}:{p.Version}"));
    }

    [Fact]
    public void Sql_quoting_escapes_and_refuses()
    {
        Assert.Equal(@"'it\'s \\ fine'", MySqlQuoting.Literal(@"it's \ fine"));
        Assert.Throws<AegirException>(() => MySqlQuoting.Literal("a\0b"));
        Assert.Equal("`site_1`", MySqlQuoting.Identifier("site_1"));
        Assert.Throws<AegirException>(() => MySqlQuoting.Identifier("a`; DROP"));
        Assert.Throws<AegirException>(() => MySqlQuoting.Account("x", "h'ost"));
    }
}
