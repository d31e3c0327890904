using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations.Aegir3;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

/// <summary>Aegir 3's alias files made into this module's records: what is carried, what is reported, what refuses the whole import.</summary>
public sealed class Aegir3ContextsTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("aegir3-aliases-").FullName;
    readonly TestHome _home = new(seed: false);

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        _home.Dispose();
    }

    void Write(string name, string body) => File.WriteAllText(Path.Combine(_dir, name + Aegir3Alias.FileSuffix), $"<?php \n$aliases['{name}'] = array (\n{body}\n);\n");

    const string Master = """
          'context_type' => 'server',
          'server' => '@server_master',
          'remote_host' => 'aegir.example.com',
          'aegir_root' => '/var/aegir',
          'script_user' => 'aegir',
          'ip_addresses' => array (),
          'backup_path' => '/var/aegir/backups',
          'config_path' => '/var/aegir/config/server_master',
          'master_url' => 'http://aegir.example.com',
          'admin_email' => 'admin@example.com',
          'http_service_type' => 'nginx',
          'http_port' => '8080',
          'http_restart_cmd' => 'sudo /etc/init.d/nginx reload',
          'web_group' => 'www-data',
          'nginx_config_mode' => 'extended',
          'provision_db_cloaking' => true,
          'db_service_type' => 'mysql',
          'master_db' => 'mysql://aegir_root:p%40ss%3Aw0rd%2F@localhost',
          'db_port' => '3306',
          'db_grant_all_hosts' => false,
        """;

    void WriteExamples()
    {
        Write("server_master", Master);
        Write("server_localhost", """
              'context_type' => 'server',
              'remote_host' => 'localhost',
              'db_service_type' => 'mysql',
              'master_db' => 'mysql://admin:Pw-1@127.0.0.1:3307',
            """);
        Write("server_webremote", """
              'context_type' => 'server',
              'remote_host' => 'web2.example.com',
              'script_user' => 'aegir',
              'aegir_root' => '/srv/aegir',
              'http_service_type' => 'apache_ssl',
              'http_port' => 81,
              'http_ssl_port' => 8443,
              'web_group' => 'www-data',
              'db_service_type' => NULL,
            """);
        Write("platform_d7", """
              'context_type' => 'platform',
              'server' => '@server_master',
              'web_server' => '@server_master',
              'root' => '/var/aegir/platforms/drupal-7.101',
              'makefile' => '/var/aegir/makes/d7.make',
              'make_working_copy' => false,
            """);
        Write("platform_hostmaster", """
              'context_type' => 'platform',
              'web_server' => '@server_master',
              'root' => '/var/aegir/hostmaster-7.x-3.190',
            """);
        Write("hostmaster", """
              'context_type' => 'site',
              'platform' => '@platform_hostmaster',
              'server' => '@server_master',
              'db_server' => '@server_localhost',
              'uri' => 'aegir.example.com',
              'site_enabled' => true,
              'profile' => 'hostmaster',
            """);
        Write("shop.example.com", """
              'context_type' => 'site',
              'platform' => '@platform_d7',
              'server' => '@server_master',
              'db_server' => '@server_localhost',
              'uri' => 'shop.example.com',
              'root' => '/var/aegir/platforms/drupal-7.101',
              'site_path' => '/var/aegir/platforms/drupal-7.101/sites/shop.example.com',
              'site_enabled' => false,
              'language' => 'de',
              'client_name' => 'acme',
              'aliases' => array (0 => 'www.shop.example.com', 1 => 'shop.example.com'),
              'redirection' => 'www.shop.example.com',
              'cron_key' => 'abc',
              'profile' => 'minimal',
              'install_method' => 'profile',
              'ssl_enabled' => 0,
              'drush_aliases' => array ( 0 => 'shop' ),
              'boa_special' => 'Hidden-Value-42',
            """);
        Write("shop", """
              'context_type' => 'site',
              'platform' => '@platform_d7',
              'uri' => 'shop.example.com',
            """);
    }

    [Fact]
    public void Makes_servers_platforms_and_sites_as_the_module_records_them()
    {
        WriteExamples();
        var found = Aegir3Contexts.Read(_dir, _home.Store);

        var master = found.Servers.Single(s => s.Name == ContextNames.Master);
        Assert.Equal("localhost", master.RemoteHost);
        Assert.Null(master.AegirRoot);
        Assert.Equal("nginx", master.Http.Type);
        Assert.Equal(8080, master.Http.GetInt("port"));
        Assert.Equal("mysql", master.Db.Type);
        Assert.Equal("aegir_root", master.Db.Get("admin_user"));
        Assert.Equal("p@ss:w0rd/", master.Db.RevealSecret("admin_password"));
        Assert.Null(master.Db.Get("host"));

        var local = found.Servers.Single(s => s.Name == "server_localhost");
        Assert.True(local.Http.IsNull);
        Assert.Equal(("127.0.0.1", 3307), (local.Db.Get("host"), local.Db.GetInt("port")));

        var remote = found.Servers.Single(s => s.Name == "server_webremote");
        Assert.Equal(("web2.example.com", "aegir", "/srv/aegir"), (remote.RemoteHost, remote.ScriptUser, remote.AegirRoot));
        Assert.Equal(("apache", 81, 8443), (remote.Http.Type, remote.Http.GetInt("port"), remote.Http.GetInt("https_port")));
        Assert.True(remote.Db.IsNull);

        var platform = Assert.Single(found.Platforms).Definition;
        Assert.Equal(("platform_d7", "/var/aegir/platforms/drupal-7.101", "server_master"), (platform.Name, platform.Root, platform.WebServer));

        var site = Assert.Single(found.Sites);
        Assert.Equal(("shop.example.com", "platform_d7", "server_localhost"), (site.Uri, site.Platform, site.DbServer));
        Assert.Equal(["www.shop.example.com"], site.Aliases);
        Assert.Equal("www.shop.example.com", site.Redirection);
        Assert.Equal(("minimal", "de", false), (site.Profile, site.Language, site.Enabled));
    }

    [Fact]
    public void Reports_unknown_keys_and_what_is_not_carried_never_a_value()
    {
        WriteExamples();
        var found = Aegir3Contexts.Read(_dir, _home.Store);
        var warnings = found.Notes.Where(n => n.Warning).Select(n => n.ToString()).ToList();
        Assert.Contains(warnings, w => w.StartsWith("shop.example.com.alias.drushrc.php:") && w.Contains("unknown key 'boa_special'"));
        Assert.Contains(warnings, w => w.Contains("'client_name' is not carried"));
        Assert.Contains(warnings, w => w.Contains("'http_restart_cmd' is not carried"));
        Assert.Contains(warnings, w => w.Contains("'makefile' is not carried"));
        Assert.Contains(warnings, w => w.StartsWith("hostmaster.alias") && w.Contains("front end"));
        Assert.Contains(warnings, w => w.StartsWith("platform_hostmaster.alias") && w.Contains("not taken in"));
        Assert.DoesNotContain(warnings, w => w.Contains("'ssl_enabled'"));   // 0: nothing to say
        Assert.Contains(found.Notes, n => !n.Warning && n.Message.Contains("drush alias of the site shop.example.com"));
        Assert.Contains(found.Notes, n => !n.Warning && n.Message.Contains("backup_path"));
        var all = string.Join("\n", found.Notes.Select(n => n.ToString()));
        Assert.DoesNotContain("Hidden-Value-42", all);
        Assert.DoesNotContain("p%40ss", all);
        Assert.DoesNotContain("Pw-1", all);
    }

    AegirException Refused(string file)
    {
        var ex = Assert.Throws<AegirException>(() => Aegir3Contexts.Read(_dir, _home.Store));
        Assert.Contains(file + Aegir3Alias.FileSuffix, ex.Message);
        Assert.True(ex.NothingChanged || ex.ErrorId == "Aegir3ContextUnread");
        return ex;
    }

    [Fact]
    public void A_file_with_code_refuses_the_whole_import_naming_it()
    {
        WriteExamples();
        File.WriteAllText(Path.Combine(_dir, "evil.example.com" + Aegir3Alias.FileSuffix), "<?php\n$aliases['evil.example.com'] = array (\n  'uri' => shell_exec('id'),\n);\n");
        Assert.Contains("line 3", Refused("evil.example.com").Message);
    }

    [Theory]
    [InlineData("'http_service_type' => 'pack',", "pack")]
    [InlineData("'db_service_type' => 'mysql', 'master_db' => 'root@localhost',", "mysql://user:password@host")]
    [InlineData("'db_service_type' => 'mysql',", "master_db")]
    [InlineData("'db_service_type' => 'mysql', 'master_db' => 'mysql://root:Secret-Pw-9@localhost', 'db_port' => 'many',", "port")]
    [InlineData("'remote_host' => 'bad host!',", "bad host!")]
    [InlineData("'http_service_type' => 'cluster', 'cluster_web_servers' => array ('@server_nowhere'),", "server_nowhere")]
    public void A_server_no_record_can_take_refuses_the_import(string body, string why)
    {
        Write("server_odd", "'context_type' => 'server',\n" + body);
        var ex = Refused("server_odd");
        Assert.Contains(why, ex.Message);
        Assert.DoesNotContain("Secret-Pw-9", ex.Message);
    }

    [Fact]
    public void A_cluster_names_its_member_web_servers()
    {
        foreach (var web in new[] { "web1", "web2" })
            Write("server_" + web, $"'context_type' => 'server',\n'remote_host' => '{web}.example.com',\n'http_service_type' => 'nginx',");
        Write("server_farm", "'context_type' => 'server',\n'remote_host' => 'farm.example.com',\n'http_service_type' => 'cluster',\n'cluster_web_servers' => array ('@server_web1', 'server_web2'),");
        var farm = Aegir3Contexts.Read(_dir, _home.Store).Servers.Single(s => s.Name == "server_farm");
        Assert.True(farm.IsCluster);
        Assert.Equal(["server_web1", "server_web2"], farm.ClusterMembers);
    }

    [Fact]
    public void A_site_on_a_platform_neither_in_the_folder_nor_recorded_refuses_the_import()
    {
        Write("server_master", Master);
        Write("lost.example.com", "'context_type' => 'site',\n'platform' => '@platform_gone',\n'uri' => 'lost.example.com',");
        Assert.Contains("platform_gone", Refused("lost.example.com").Message);
    }

    [Fact]
    public void A_plain_drush_alias_is_reported_and_skipped()
    {
        Write("server_master", Master);
        Write("dev", "'uri' => 'dev.example.com',\n'root' => '/srv/dev',");
        var found = Aegir3Contexts.Read(_dir, _home.Store);
        Assert.Contains(found.Notes, n => n.Warning && n.Message.Contains("plain drush alias"));
        Assert.Single(found.Servers);
    }

    [Fact]
    public void A_folder_without_alias_files_is_refused()
    {
        var ex = Assert.Throws<AegirException>(() => Aegir3Contexts.Read(_dir, _home.Store));
        Assert.Contains("alias.drushrc.php", ex.Message);
    }

    [Theory]
    [InlineData("zero", "symlink")]
    [InlineData("file", "symlink")]
    [InlineData("fifo", "not a regular file")]
    public void An_alias_that_is_a_link_or_a_fifo_is_refused_unread(string what, string why)
    {
        WriteExamples();
        var path = Path.Combine(_dir, "odd.example.com" + Aegir3Alias.FileSuffix);
        var secret = Path.Combine(Directory.CreateTempSubdirectory("aegir3-secret-").FullName, "x.php");
        File.WriteAllText(secret, "<?php\n$aliases['odd'] = array ('uri' => 'Root-Only-Secret-Value');\n");
        try
        {
            switch (what)
            {
                case "zero": File.CreateSymbolicLink(path, "/dev/zero"); break;
                case "file": File.CreateSymbolicLink(path, secret); break;
                default:
                    using (var mk = System.Diagnostics.Process.Start("mkfifo", path)) mk!.WaitForExit();
                    break;
            }
            var ex = Refused("odd.example.com");
            Assert.Contains(why, ex.Message);
            Assert.DoesNotContain("Root-Only-Secret-Value", ex.Message);
        }
        finally { Directory.Delete(Path.GetDirectoryName(secret)!, recursive: true); }
    }

    [Fact]
    public void A_file_that_fails_to_parse_shows_only_the_start_of_the_offending_token()
    {
        Write("server_master", Master);
        File.WriteAllText(Path.Combine(_dir, "leak" + Aegir3Alias.FileSuffix), "<?php\n$aliases['leak'] = array ('uri' => TopSecretPasswordThatIsLongEnoughToBeCut);\n");
        var ex = Refused("leak");
        Assert.DoesNotContain("TopSecretPasswordThatIsLongEnoughToBeCut", ex.Message);
    }

    [Fact]
    public void Two_files_for_one_site_refuse_the_import_naming_both()
    {
        WriteExamples();
        Write("other", "'context_type' => 'site',\n'platform' => '@platform_d7',\n'db_server' => '@server_localhost',\n'uri' => 'Shop.example.com',");
        var ex = Assert.Throws<AegirException>(() => Aegir3Contexts.Read(_dir, _home.Store));
        Assert.Contains("other" + Aegir3Alias.FileSuffix, ex.Message);
        Assert.Contains("shop.example.com" + Aegir3Alias.FileSuffix, ex.Message);
    }

    [Fact]
    public void A_platform_in_a_system_folder_is_refused_before_anything_is_recorded()
    {
        Write("server_master", Master);
        Write("platform_etc", "'context_type' => 'platform',\n'web_server' => '@server_master',\n'root' => '/etc/drupal',");
        Assert.Contains("system folder /etc", Refused("platform_etc").Message);
    }

    [Fact]
    public void A_site_on_another_web_server_than_its_platforms_is_warned_of()
    {
        WriteExamples();
        Write("b.example.com", "'context_type' => 'site',\n'platform' => '@platform_d7',\n'server' => '@server_webremote',\n'db_server' => '@server_localhost',\n'uri' => 'b.example.com',");
        var found = Aegir3Contexts.Read(_dir, _home.Store);
        Assert.Contains(found.Notes, n => n.Warning && n.File.EndsWith("b.example.com" + Aegir3Alias.FileSuffix) && n.Message.Contains("@server_webremote") && n.Message.Contains("@server_master"));
        Assert.DoesNotContain(found.Notes, n => n.File.EndsWith("/shop.example.com" + Aegir3Alias.FileSuffix) && n.Message.Contains("web server"));
    }

    [Theory]
    [InlineData("file")]
    [InlineData("folder")]
    [InlineData("fifo")]
    public void A_drushrc_php_through_a_link_or_not_a_file_is_an_error_of_that_site(string what)
    {
        var root = Path.Combine(_dir, "p");
        Directory.CreateDirectory(Path.Combine(root, "sites", "victim.test"));
        File.WriteAllText(Path.Combine(root, "sites", "victim.test", "drushrc.php"), SiteDrushrc);
        var site = Path.Combine(root, "sites", "aab.test");
        if (what == "folder") Directory.CreateSymbolicLink(site, Path.Combine(root, "sites", "victim.test"));
        else
        {
            Directory.CreateDirectory(site);
            if (what == "file") File.CreateSymbolicLink(Path.Combine(site, "drushrc.php"), Path.Combine(root, "sites", "victim.test", "drushrc.php"));
            else using (var mk = System.Diagnostics.Process.Start("mkfifo", Path.Combine(site, "drushrc.php"))) mk!.WaitForExit();
        }
        var ex = Assert.Throws<AegirException>(() => Aegir3Drushrc.Read(new LocalTransport(), root, "aab.test"));
        Assert.Contains("drushrc.php", ex.Message);
        Assert.Contains("Put back the drushrc.php", ex.Message);
    }

    [Fact]
    public void A_drushrc_php_hard_linked_to_another_sites_is_refused_and_left_as_it_is()
    {
        var root = Path.Combine(_dir, "p");
        foreach (var site in new[] { "victim.test", "aab.test" }) Directory.CreateDirectory(Path.Combine(root, "sites", site));
        var victim = Path.Combine(root, "sites", "victim.test", "drushrc.php");
        File.WriteAllText(victim, SiteDrushrc);
        File.SetUnixFileMode(victim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        using (var ln = System.Diagnostics.Process.Start("ln", ["--", victim, Path.Combine(root, "sites", "aab.test", "drushrc.php")])) ln!.WaitForExit();
        var local = new LocalTransport();
        var ex = Assert.Throws<AegirException>(() => Aegir3Drushrc.Read(local, root, "aab.test"));
        Assert.Contains("2 hard links", ex.Message);
        Assert.Contains("aab.test/drushrc.php", ex.Message);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(victim));
        Assert.Equal((2, Aegir3Drushrc.Identity(local, victim)!.Value.Id), Aegir3Drushrc.Identity(local, Path.Combine(root, "sites", "aab.test", "drushrc.php")));
    }

    static FakeTransport Drushrc(string text)
    {
        var t = new FakeTransport();
        t.Nodes["/p/sites/a.example.com/drushrc.php"] = new FakeTransport.Node(PathKind.File, System.Text.Encoding.UTF8.GetBytes(text));
        return t;
    }

    const string SiteDrushrc = """
        <?php 

        $options['db_type'] = 'mysql';
        $options['db_port'] = '3306';
        $options['db_host'] = 'localhost';
        $options['db_user'] = 'aexamplecom';
        $options['db_passwd'] = 'It\'s-Secret';
        $options['db_name'] = 'aexamplecom';
        $options['profile'] = 'standard';
        $options['packages'] = array ( 'modules' => array ( 'node' => array ( 'status' => 1 ) ) );

        # Aegir additions.
        $_SERVER['db_type'] = $options['db_type'];
        $_SERVER['db_port'] = $options['db_port'];
        $_SERVER['db_host'] = $options['db_host'];
        $_SERVER['db_user'] = $options['db_user'];
        $_SERVER['db_passwd'] = $options['db_passwd'];
        $_SERVER['db_name'] = $options['db_name'];

        # Local non-aegir-generated additions.
        @include_once('/p/sites/a.example.com/local.drushrc.php');
        """;

    [Fact]
    public void Reads_a_sites_database_from_its_drushrc_php()
    {
        var db = Aegir3Drushrc.Read(Drushrc(SiteDrushrc), "/p", "a.example.com")!;
        Assert.Equal(("aexamplecom", "localhost", 3306, "mysql", "aexamplecom", "It's-Secret"), (db.Database, db.Host, db.Port, db.Driver, db.User, db.Password));
        var site = new Aegir3Site("a.example.com", "platform_p", "server_master", [], null, null, null, false, "f").ToRecord(db);
        Assert.Equal(("aexamplecom", true, SiteStatus.Disabled), (site.DbName, site.HasDbPassword, site.Status));
        Assert.Null(Aegir3Drushrc.Read(new FakeTransport(), "/p", "a.example.com"));
    }

    [Fact]
    public void Tells_of_a_local_drushrc_php_it_does_not_read()
    {
        var t = Drushrc(SiteDrushrc);
        t.Nodes["/p/sites/a.example.com/local.drushrc.php"] = new FakeTransport.Node(PathKind.File, "<?php\n"u8.ToArray());
        var notes = new List<string>();
        Assert.NotNull(Aegir3Drushrc.Read(t, "/p", "a.example.com", notes.Add));
        Assert.Contains("local.drushrc.php is not read", Assert.Single(notes));
    }

    [Theory]
    [InlineData("$_SERVER['db_passwd'] = $options['db_user'];", "assigns $_SERVER['db_passwd']")]
    [InlineData("$databases['default'] = 'x';", "assigns $databases['default']")]
    [InlineData("include('/etc/passwd');", "includes /etc/passwd")]
    [InlineData("$options['db_name'] = getenv('DB');", "function call")]
    public void Refuses_a_drushrc_php_with_anything_but_aegirs_own_lines(string line, string why)
    {
        var ex = Assert.Throws<AegirException>(() => Aegir3Drushrc.Read(Drushrc(SiteDrushrc + "\n" + line + "\n"), "/p", "a.example.com"));
        Assert.Contains("/p/sites/a.example.com/drushrc.php, line 22", ex.Message);
        Assert.Contains(why, ex.Message);
        Assert.DoesNotContain("It's-Secret", ex.Message);
    }
}
