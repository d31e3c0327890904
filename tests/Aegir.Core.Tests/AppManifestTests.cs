using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Platforms;
using Aegir.Core.Services.Files;
using Aegir.Core.Services.Http;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

public sealed class AppManifestTests : IDisposable
{
    const string Wiki = """
        name: MediaWiki
        version: 1.39.17
        front_controller: index.php
        site_folders:
          - images/{uri}
          - cache/{uri}
        shared_folders:
          - shared-cache
        deny:
          - /mw-config/
          - /maintenance/
          - /README.md
        settings:
          path: sites/{uri}/LocalSettings.php
          template: aegir/LocalSettings.php.sbn
        install:
          - php
          - maintenance/install.php
          - --dbpassfile={db_passwd_file}
          - --passfile={admin_password_file}
          - "{title}"
          - "{admin_user}"
        cron: [php, maintenance/runJobs.php]
        installed_tables: [page, revision]
        """;

    readonly string _root = Path.Combine(Path.GetTempPath(), "aegir-manifest-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose() { if (Directory.Exists(_root)) Directory.Delete(_root, true); }

    static AppManifest Parse(string text) => AppManifest.Parse(text, "/srv/app/.aegir.yml");

    static string Refused(string text) => Assert.Throws<AegirException>(() => Parse(text)).Message;

    [Fact]
    public void A_check_is_read_with_its_page_status_text_and_errors()
    {
        var check = Parse("check:\n  path: /index.php?op=login\n  status: 200\n  expect: Tiny Tiny RSS\n  errors: ['Startup failed', 'incorrect version']").Check;
        Assert.Equal(("/index.php?op=login", 200, "Tiny Tiny RSS"), (check.Path, check.Status, check.Expect));
        Assert.Equal(["Startup failed", "incorrect version"], check.Errors);
        Assert.Equal("/", AppManifest.Defaults.Check.Path);
    }

    [Theory]
    [InlineData(200, null, "<h1>Startup failed</h1> Configuration file (config.php) has incorrect version", "its page says \"Startup failed\"")]
    [InlineData(200, null, "<title>Login</title>", "without \"Tiny Tiny RSS\"")]
    [InlineData(200, null, "<b>Fatal error</b>: Uncaught Error in x.php", "says \"<b>Fatal error</b>:\"")]
    [InlineData(502, null, "upstream sent too big header", "answers HTTP 502")]
    [InlineData(404, null, "Not found", "answers HTTP 404")]
    [InlineData(302, "http://rss.test/install/", "", "answers HTTP 302")]
    [InlineData(200, null, "<title>Tiny Tiny RSS</title>", null)]
    public void A_page_is_judged_by_the_check(int status, string? location, string body, string? problem)
    {
        var check = Parse("check:\n  expect: Tiny Tiny RSS\n  errors: ['Startup failed', 'incorrect version']").Check with { Status = status == 302 ? 200 : null };
        var found = check.Problem(new HttpAnswer(status, location, body), "/");
        if (problem is null) Assert.Null(found);
        else Assert.Contains(problem, found);
    }

    [Fact]
    public void A_redirect_within_the_site_is_followed_and_one_elsewhere_or_to_the_installer_is_not()
    {
        var check = new PageCheck { Installers = ["/install.php"] };
        Assert.Equal("/login.php?next=%2F", check.Follow(new HttpAnswer(302, "/login.php?next=%2F", ""), "rss.test"));
        Assert.Equal("/app/", check.Follow(new HttpAnswer(301, "http://rss.test/app/", ""), "rss.test"));
        Assert.Null(check.Follow(new HttpAnswer(302, "http://evil.test/", ""), "rss.test"));
        Assert.Null(check.Follow(new HttpAnswer(302, "https://rss.test/", ""), "rss.test"));
        Assert.Null(check.Follow(new HttpAnswer(302, "/install.php", ""), "rss.test"));
        Assert.Contains("installer", check.Problem(new HttpAnswer(302, "/install.php", ""), "/"));
        Assert.Null((check with { Status = 302 }).Follow(new HttpAnswer(302, "/login.php", ""), "rss.test"));
    }

    [Fact]
    public void Every_key_is_read()
    {
        var m = Parse(Wiki);
        Assert.Equal("MediaWiki", m.Name);
        Assert.Equal("1.39.17", m.Version);
        Assert.Equal(["images/{uri}", "cache/{uri}"], m.SiteFolders);
        Assert.Equal(["shared-cache"], m.SharedFolders);
        Assert.Equal(["/composer.json", "/composer.lock", "/vendor/", "/mw-config/", "/maintenance/", "/README.md"], m.Deny);
        Assert.Equal("sites/{uri}/LocalSettings.php", m.SettingsPath);
        Assert.Equal("aegir/LocalSettings.php.sbn", m.SettingsTemplate);
        Assert.Equal("{admin_user}", m.Install![^1]);
        Assert.Equal(["php", "maintenance/runJobs.php"], m.Cron);
        Assert.Equal(["page", "revision"], m.InstalledTables);
    }

    [Fact]
    public void Without_a_manifest_a_php_platform_gets_the_safe_defaults()
    {
        var kind = new PhpKind();
        Assert.False(kind.HasInstaller);
        Assert.Equal("index.php", kind.FrontController);
        Assert.Equal(["/composer.json", "/composer.lock", "/vendor/"], kind.DeniedPaths("a.test"));
        Assert.Equal("files/a.test", kind.FilesPath("a.test"));
        Assert.Equal([new SiteDirectory("files", Modes.Dir755, false), new SiteDirectory("files/a.test", Modes.Dir2770, true)], kind.SiteDirectories("a.test"));
        Assert.Equal(["files/a.test"], kind.SiteRoots("a.test"));
        Assert.Null(kind.SiteSettingsPath("a.test"));
    }

    [Fact]
    public void A_site_gets_its_own_folders_settings_and_denied_settings_file()
    {
        var kind = new PhpKind(Parse(Wiki));
        Assert.True(kind.HasInstaller);
        Assert.Equal("images/a.test", kind.FilesPath("a.test"));
        Assert.Equal("sites/a.test/LocalSettings.php", kind.SiteSettingsPath("a.test"));
        Assert.Equal(
            ["sites:755", "sites/a.test:755", "images:755", "images/a.test:2770 web", "cache:755", "cache/a.test:2770 web"],
            kind.SiteDirectories("a.test").Select(d => $"{d.Path}:{Modes.Octal(d.Mode).TrimStart('0')}{(d.WebWritable ? " web" : "")}"));
        Assert.Equal(["images/a.test", "cache/a.test", "sites/a.test"], kind.SiteRoots("a.test"));
        Assert.Contains("/sites/a.test/LocalSettings.php", kind.DeniedPaths("a.test"));
        Assert.Equal(["images/*", "cache/*", "shared-cache"], kind.WritablePaths);
    }

    [Theory]
    [InlineData("nmae: x", "line 1", "'nmae' is not a manifest key")]
    [InlineData("site_folders: [files]", "line 1", "needs {uri}")]
    [InlineData("site_folders: ['../{uri}']", "line 1", "not a path inside the platform")]
    [InlineData("site_folders: ['/var/{uri}']", "line 1", "not a path inside the platform")]
    [InlineData("shared_folders: ['cache/{uri}']", "line 1", "may not hold {uri}")]
    [InlineData("site_folders: ['{uri}']", "line 1", "below a folder of its own")]
    [InlineData("site_folders: ['{uri}-files/x']", "line 1", "below a folder of its own")]
    [InlineData("site_folders: ['files/{uri}/{uri}']", "line 1", "needs {uri} once")]
    [InlineData("settings:\n  path: '{uri}.php'\n  template: t.sbn", "line 2", "below a folder of its own")]
    [InlineData("deny: [vendor]", "line 1", "begins with '/'")]
    [InlineData("deny: ['/../etc/']", "line 1", "no '..'")]
    [InlineData("install: ['{db_passwd_file}']", "line 1", "must begin with a program")]
    [InlineData("install: [php, '{db_passwd}']", "line 1", "{db_passwd}, which is not one of")]
    [InlineData("install: []", "line 1", "must name a program")]
    [InlineData("cron: [php, cron.php, '{title}']", "line 1", "{title}, which is not one of")]
    [InlineData("install: php x.php", "line 1", "must be a list")]
    [InlineData("version_command: [php, '{uri}']", "line 1", "may not use placeholders")]
    [InlineData("version: 1.0\nversion_command: [php, v.php]", "line 2", "not both")]
    [InlineData("version: 'one two'", "line 1", "is not a version")]
    [InlineData("name: X\nsite_folders: [images/{uri}]", "line 2", "a value that holds { } goes in quotes")]
    [InlineData("admin_login: mail", "line 1", "it is name (the admin logs in as admin) or email")]
    [InlineData("login_path: admin", "line 1", "'login_path' is 'admin', which is not a page of the site")]
    [InlineData("login_path: /doku.php?do=log in", "line 1", "'login_path' is '/doku.php?do=log in', which is not a page of the site")]
    [InlineData("settings:\n  path: s/{uri}.php", "line ", "'settings' needs 'template'")]
    [InlineData("settings:\n  path: s.php\n  template: t.sbn", "line 2", "needs {uri}")]
    [InlineData("installed_tables: ['page; DROP TABLE x']", "line 1", "is not a table name")]
    [InlineData("check:\n  path: login.php", "line 2", "'check.path' is 'login.php', which is not a page of the site")]
    [InlineData("database: sqlite", "line 1", "'database' is 'sqlite': it is none (the application keeps no database, and its sites get none), or left out")]
    [InlineData("database: none\ninstalled_tables: [page]", "line 2", "'installed_tables' names tables, but 'database' is none")]
    [InlineData("database: none\ninstall: [php, i.php, '--db={db_name}']", "line 2", "'install' uses {db_name}, but 'database' is none: the sites have no database")]
    [InlineData("database: none\ncron: [php, c.php, '{db_passwd_file}']", "line 2", "'cron' uses {db_passwd_file}, but 'database' is none")]
    [InlineData("check:\n  status: ok", "line 2", "'check.status' is 'ok', which is not an HTTP status")]
    [InlineData("check:\n  status: 99", "line 2", "not an HTTP status (200 to 599)")]
    [InlineData("check:\n  expext: Feeds", "line 2", "'check.expext' is not a key of check (known: path, status, expect, errors)")]
    [InlineData("check:\n  errors: Startup failed", "line 2", "'check.errors' must be a list")]
    [InlineData("check: /login.php", "line 1", "'check' must be a mapping")]
    [InlineData("shared_folders: [files]", "line 1", "'shared_folders' has files, which holds or lies inside a site's own folder")]
    [InlineData("site_folders: ['uploads/{uri}']\nshared_folders: ['uploads/a.test/cache']", "line 2", "holds or lies inside")]
    [InlineData("settings:\n  path: config/{uri}.php\n  template: t.sbn\nshared_folders: [config]", "line 4", "holds or lies inside")]
    [InlineData("name: [a, b]", "line 1", "must be a single value")]
    [InlineData("site_folders: [\"files/{uri}\"\n", "", "")]
    public void A_mistake_names_the_file_the_line_and_the_key(string text, string line, string problem)
    {
        var message = Refused(text);
        Assert.StartsWith("/srv/app/.aegir.yml", message);
        Assert.Contains(line, message);
        Assert.Contains(problem, message);
        Assert.Contains("about_Aegir", message);
    }

    [Fact]
    public void A_manifest_that_is_a_symlink_is_refused_not_followed()
    {
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "elsewhere.yml"), "name: x");
        File.CreateSymbolicLink(Path.Combine(_root, AppManifest.FileName), Path.Combine(_root, "elsewhere.yml"));
        Assert.Contains("symlink", Assert.Throws<AegirException>(() => AppManifest.Load(new LocalTransport(), _root)).Message);
    }

    [Fact]
    public void A_manifest_makes_a_codebase_php_unless_a_kind_is_chosen()
    {
        Directory.CreateDirectory(Path.Combine(_root, "core/lib"));
        File.WriteAllText(Path.Combine(_root, "index.php"), "<?php");
        File.WriteAllText(Path.Combine(_root, "core/lib/Drupal.php"), "<?php class Drupal { const VERSION = '10.3.1'; }");
        Assert.Equal(("drupal", "10.3.1"), Found(PlatformKinds.Detect(new LocalTransport(), _root, Runner)));
        File.WriteAllText(Path.Combine(_root, AppManifest.FileName), "name: Shop\nversion: 2.4.0\n");
        Assert.Equal(("php", "2.4.0"), Found(PlatformKinds.Detect(new LocalTransport(), _root, Runner)));
        Assert.Equal(("drupal", "10.3.1"), Found(PlatformKinds.Detect(new LocalTransport(), _root, Runner, chosen: "drupal")));
    }

    [Fact]
    public void A_version_command_is_run_in_the_root_and_its_first_line_is_the_version()
    {
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "version.sh"), "echo 3.2.1-beta\necho more\n");
        File.WriteAllText(Path.Combine(_root, AppManifest.FileName), "version_command: [sh, version.sh]\n");
        Assert.Equal(("php", "3.2.1-beta"), Found(PlatformKinds.Detect(new LocalTransport(), _root, Runner)));
        // Debian's versions (an epoch, ~ and +) are versions too.
        File.WriteAllText(Path.Combine(_root, "version.sh"), "echo '1:21~git20210204.b4cbc79+dfsg-1.2'\n");
        Assert.Equal(("php", "1:21~git20210204.b4cbc79+dfsg-1.2"), Found(PlatformKinds.Detect(new LocalTransport(), _root, Runner)));
        File.WriteAllText(Path.Combine(_root, "version.sh"), "echo 'not a version'\n");
        var refused = Assert.Throws<AegirException>(() => PlatformKinds.Detect(new LocalTransport(), _root, Runner)).Message;
        Assert.Contains("gave no version: its first line 'not a version' is no version: it holds ' '", refused);
        File.WriteAllText(Path.Combine(_root, "version.sh"), "exit 0\n");
        Assert.Contains("gave no version: it printed nothing", Assert.Throws<AegirException>(() => PlatformKinds.Detect(new LocalTransport(), _root, Runner)).Message);
    }

    [Theory]
    [InlineData("10.3.1", null)]
    [InlineData("1.39.17-rc.2", null)]
    [InlineData("2:4.17.12+dfsg-0+deb12u1", null)]
    [InlineData("-1.0", "begins with '-'")]
    [InlineData("1.0 beta", "holds ' '")]
    [InlineData("1.0;rm", "holds ';'")]
    [InlineData("", "empty")]
    public void A_version_is_letters_digits_and_the_marks_upstream_and_debian_versions_use(string version, string? problem)
    {
        if (problem is null) Assert.Null(Contexts.Validate.VersionProblem(version));
        else Assert.Contains(problem, Contexts.Validate.VersionProblem(version));
    }

    [Fact]
    public void A_version_is_at_most_64_characters() => Assert.Contains("65 characters", Contexts.Validate.VersionProblem(new string('1', 65)));

    [Fact]
    public void A_php_platform_without_a_version_takes_the_one_composer_json_states()
    {
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "index.php"), "<?php");
        File.WriteAllText(Path.Combine(_root, "composer.json"), """{"name": "acme/app", "version": "5.0.2"}""");
        Assert.Equal(("php", "5.0.2"), Found(PlatformKinds.Detect(new LocalTransport(), _root, Runner)));
    }

    static (string, string?) Found((IPlatformKind Kind, string? Version) found) => (found.Kind.Name, found.Version);

    /// <summary>A server on this machine whose version commands run as the script user aegir when the tests run as root (never as root), else as whoever runs them.</summary>
    static readonly Contexts.AegirServer Runner = new(Contexts.ContextNames.Master)
    {
        ScriptUser = IO.Posix.IsRoot ? Local.LocalScriptUser.Ensure(Contexts.AegirServer.DefaultScriptUser, "www-data", _ => { }) : Environment.UserName,
    };

    [Theory]
    [InlineData("nginx")]
    [InlineData("apache")]
    public void The_vhost_denies_what_the_application_says_and_sends_the_rest_to_its_front_controller(string type)
    {
        using var hosting = new FakeHosting();
        var server = hosting.Store.GetFresh<AegirServer>(ContextNames.Master, "Name");
        server.Http.ChangeType(type);
        var env = new OperationEnvironment(hosting.Engine);
        Services.IHttpService web = type == "nginx" ? new Services.Nginx.NginxService(server, env) : new Services.Apache.ApacheService(server, env);
        var kind = new PhpKind(Parse(Wiki.Replace("front_controller: index.php", "front_controller: app.php")));
        var text = web.RenderSite(new VhostModel("a.test", "platform_wiki", "/srv/wiki", ["a.test"], null, true, null,
            new SiteDatabase("mysql", "127.0.0.1", 3306, "atest", "atest", "Pw-Secret-123")) { FrontController = kind.FrontController, Denied = kind.DeniedPaths("a.test") });
        var (access, error) = web.SiteLogs("a.test");
        Assert.Contains(access, text);
        Assert.Contains(error, text);
        if (type == "nginx")
        {
            Assert.Contains("location ^~ /vendor/ { deny all; }", text);
            Assert.Contains("location ^~ /mw-config/ { deny all; }", text);
            Assert.Contains("location = /composer.json { deny all; }", text);
            Assert.Contains("location = /sites/a.test/LocalSettings.php { deny all; }", text);
            Assert.Contains("try_files $uri $uri/ /app.php?$query_string;", text);
        }
        else
        {
            Assert.Contains("<Location \"/vendor/\">", text);
            Assert.Contains("<LocationMatch \"^/composer\\.json$\">", text);
            Assert.Contains("<LocationMatch \"^/sites/a\\.test/LocalSettings\\.php$\">", text);
            Assert.Contains("FallbackResource /app.php", text);
        }
    }

    [Fact]
    public void The_example_manifest_of_about_Aegir_is_valid()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Aegir.sln"))) root = Path.GetDirectoryName(root)!;
        var help = File.ReadAllLines(Path.Combine(root, "module", "en-US", "about_Aegir.help.txt"));
        var start = Array.FindIndex(help, l => l.Trim() == "Example, for MediaWiki:") + 1;
        var example = string.Join('\n', help.Skip(start).TakeWhile(l => l.StartsWith("      ", StringComparison.Ordinal)).Select(l => l[6..]));
        var manifest = AppManifest.Parse(example, "about_Aegir");
        Assert.Equal("MediaWiki", manifest.Name);
        Assert.Equal(["images/{uri}"], manifest.SiteFolders);
    }

    [Fact]
    public void Every_file_a_manifest_names_must_be_in_the_codebase_when_the_platform_is_verified()
    {
        Directory.CreateDirectory(Path.Combine(_root, "maintenance"));
        File.WriteAllText(Path.Combine(_root, "index.php"), "<?php");
        File.WriteAllText(Path.Combine(_root, AppManifest.FileName), """
            settings:
              path: conf/{uri}.php
              template: aegir/settings.sbn
            install: [php, maintenance/install.php, '--db={db_name}']
            cron: [bin/cron.sh]
            version_command: [php, --version]
            """);
        var kind = (PhpKind)PlatformKinds.Load("php", new LocalTransport(), _root);
        Assert.Equal([("settings.template", "aegir/settings.sbn"), ("install", "maintenance/install.php"), ("cron", "bin/cron.sh")], kind.Manifest.NamedFiles().ToList());
        var missing = Assert.Throws<AegirException>(() => kind.CheckNamedFiles(new LocalTransport(), _root));
        Assert.Contains("'settings.template' names aegir/settings.sbn, which is no file", missing.Message);
        Directory.CreateDirectory(Path.Combine(_root, "aegir"));
        File.CreateSymbolicLink(Path.Combine(_root, "aegir", "settings.sbn"), "/etc/passwd");
        Assert.Contains("a symlink (never followed)", Assert.Throws<AegirException>(() => kind.CheckNamedFiles(new LocalTransport(), _root)).Message);
        File.Delete(Path.Combine(_root, "aegir", "settings.sbn"));
        File.WriteAllText(Path.Combine(_root, "aegir", "settings.sbn"), "x");
        Assert.Contains("'install' names maintenance/install.php", Assert.Throws<AegirException>(() => kind.CheckNamedFiles(new LocalTransport(), _root)).Message);
        File.WriteAllText(Path.Combine(_root, "maintenance", "install.php"), "<?php");
        Assert.Contains("'cron' names bin/cron.sh", Assert.Throws<AegirException>(() => kind.CheckNamedFiles(new LocalTransport(), _root)).Message);
        Directory.CreateDirectory(Path.Combine(_root, "bin"));
        File.WriteAllText(Path.Combine(_root, "bin", "cron.sh"), "#!/bin/sh");
        kind.CheckNamedFiles(new LocalTransport(), _root);
    }

    [Fact]
    public void An_application_that_keeps_no_database_says_so_and_its_commands_take_the_rest()
    {
        Assert.True(AppManifest.Parse("name: A", "m.yml").UsesDatabase);
        var wiki = AppManifest.Parse("name: DokuWiki\ndatabase: none\ninstall: [php, aegir/install.php, '{uri}', '{admin_password_file}']\n", "m.yml");
        Assert.False(wiki.UsesDatabase);
        Assert.False(new PhpKind(wiki).UsesDatabase);
        Assert.Equal(["php", "aegir/install.php", "{uri}", "{admin_password_file}"], wiki.Install);
    }

    [Fact]
    public void The_admin_s_login_and_where_it_logs_in_are_the_manifest_s_to_say()
    {
        var defaults = AppManifest.Parse("name: A", "m.yml");
        Assert.Equal(("name", "/"), (defaults.AdminLogin, defaults.LoginPath));
        var byEmail = AppManifest.Parse("admin_login: email\nlogin_path: /admin/login.php", "m.yml");
        Assert.Equal(("email", "/admin/login.php"), (byEmail.AdminLogin, byEmail.LoginPath));
        // DokuWiki's login is a query of its one script, as a browser asks for it.
        Assert.Equal("/doku.php?do=login", AppManifest.Parse("login_path: /doku.php?do=login", "m.yml").LoginPath);
    }
}
