# Two more PHP applications from Debian's packages, each made a platform and described by a manifest as an admin
# writes one from the docs: Roundcube (a database per site, a web root below its code, nginx and PostgreSQL) and
# DokuWiki (no database at all, its pages in files the web server writes, Apache); each through its whole life:
# install, real pages, verify, backup and restore, copy, disable and enable, a move to a second platform of the same
# application, rename and removal. Then each on the other web server and database.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Roundcube and DokuWiki from their Debian packages' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        # Roundcube's package would set up a database of its own through dbconfig; its platforms need none of that.
        'roundcube-core roundcube/dbconfig-install boolean false' | debconf-set-selections
        Install-TestPackage roundcube-core, roundcube-pgsql, dokuwiki
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $nginx = Start-AegirLocalServer -HttpServiceType nginx -DbServiceType postgresql
        $apache = Start-AegirLocalServer apachebox -HttpServiceType apache
        $port = $nginx.Http.GetInt('port')
        $apachePort = $apache.Http.GetInt('port')

        # Roundcube as Debian installs it in /var/lib/roundcube (public_html its web root), links resolved; its bin
        # scripts from /usr/share/roundcube, told to find the code beside them; Debian's config (the system's one
        # database and key) replaced by one that hands over to each site's own.
        function New-RoundcubePlatform([string] $Name, [string] $Server) {
            $root = Join-Path $work "platforms/$Name"
            $null = New-Item -ItemType Directory -Force (Split-Path $root)
            & cp -rL /var/lib/roundcube $root 2>$null   # one of the elastic skin's links leads nowhere until configured
            & cp -r /usr/share/roundcube/bin "$root/bin"
            foreach ($script in Get-ChildItem "$root/bin/*.sh") {
                (Get-Content -Raw $script).Replace("define('INSTALL_PATH', '/var/lib/roundcube/');", "define('INSTALL_PATH', realpath(__DIR__ . '/..') . '/');") | Set-Content -NoNewline $script
            }
            Remove-Item -Force "$root/config/config.inc.php", "$root/config/debian-db.php", "$root/config/debian-db-roundcube.php"
            Write-Tree $root @{
                '.aegir.yml' = @'
name: Roundcube
version_command: [sed, -n, "s/^define('RCMAIL_VERSION', '\\(.*\\)');$/\\1/p", program/include/iniset.php]
web_root: public_html
site_folders:
  - temp/{uri}
  - logs/{uri}
settings:
  path: config/sites/{uri}.inc.php
  template: aegir/site.inc.php.sbn
install: [php, aegir/initdb.php]
installed_tables: [users, session, system]
cron: [php, bin/gc.sh]
check:
  expect: Roundcube Webmail
  errors: [DATABASE ERROR]
'@
                # Every site's Roundcube reads its own settings, named by the site the web server says.
                'config/config.inc.php' = @'
<?php
$config = [];
$aegirSite = $_SERVER['aegir_site'] ?? getenv('aegir_site');
if (!is_string($aegirSite) || !preg_match('/^[a-z0-9.-]+$/', $aegirSite) || !is_file(__DIR__ . "/sites/$aegirSite.inc.php")) {
    http_response_code(404);
    exit("No such site.\n");
}
require __DIR__ . "/sites/$aegirSite.inc.php";
'@
                'aegir/site.inc.php.sbn' = @'
<?php
// Written by Aegir for {{ uri }}; the database password comes from the environment.
$aegir = static fn(string $key) => $_SERVER[$key] ?? getenv($key) ?: '';
$config['db_dsnw'] = sprintf('%s://%s:%s@%s:%s/%s', $aegir('db_type'), rawurlencode($aegir('db_user')), rawurlencode($aegir('db_passwd')), $aegir('db_host'), $aegir('db_port'), $aegir('db_name'));
$config['imap_host'] = 'localhost:143';
$config['smtp_host'] = 'localhost:587';
$config['product_name'] = 'Roundcube Webmail';
$config['des_key'] = '{{ secret | string.slice 0 24 }}';
$config['temp_dir'] = '{{ root }}/{{ site_folders[0] }}/';
$config['log_dir'] = '{{ root }}/{{ site_folders[1] }}/';
$config['skin'] = 'elastic';
$config['plugins'] = [];
$config['enable_spellcheck'] = false;
'@
                # Roundcube's own bin/initdb.sh, which Debian does not ship.
                'aegir/initdb.php' = @'
<?php
define('INSTALL_PATH', dirname(__DIR__) . '/');
require INSTALL_PATH . 'program/include/clisetup.php';
rcmail_utils::db_init(INSTALL_PATH . 'SQL');
'@
            }
            $null = New-AegirPlatform $Name $root -WebServer $Server
            $root
        }

        # DokuWiki from /usr/share/dokuwiki with its defaults from /etc/dokuwiki, links resolved, without the system
        # wiki's users, rules and settings; each site a wiki of its own through DokuWiki's farm support (preload.php).
        function New-DokuWikiPlatform([string] $Name, [string] $Server) {
            $root = Join-Path $work "platforms/$Name"
            $null = New-Item -ItemType Directory -Force (Split-Path $root)
            & cp -rL /usr/share/dokuwiki $root
            & cp -rL /etc/dokuwiki "$root/conf"
            Remove-Item -Force "$root/conf/acl.auth.php", "$root/conf/users.auth.php", "$root/conf/local.php", "$root/conf/apache.conf", "$root/conf/lighttpd.conf", "$root/.htaccess", "$root/inc/preload.php"
            Write-Tree $root @{
                '.aegir.yml' = @'
name: DokuWiki
version_command: [cut, -d, " ", -f, "1", VERSION]
database: none
front_controller: doku.php
site_folders:
  - data/{uri}
  - conf/{uri}
settings:
  path: sites/{uri}.php
  template: aegir/settings.php.sbn
deny: [/data/, /conf/, /bin/, /inc/, /sites/, /aegir/, /install.php]
install: [php, aegir/install.php, "{admin_email}", "{admin_password_file}", "{title}"]
cron: [php, bin/indexer.php, --quiet]
login_path: /doku.php?do=login
check:
  expect: DokuWiki
  errors: [DokuWiki Setup Error]
'@
                'inc/preload.php' = @'
<?php
// Each site is a wiki of its own: its configuration in conf/<site>/, its pages where Aegir's settings say.
if (!defined('DOKU_INC')) define('DOKU_INC', dirname(__DIR__) . '/');
$aegirSite = $_SERVER['aegir_site'] ?? getenv('aegir_site');
if (!is_string($aegirSite) || !preg_match('/^[a-z0-9.-]+$/', $aegirSite) || !is_file(DOKU_INC . "sites/$aegirSite.php")) {
    header('HTTP/1.1 404 Not Found');
    exit("No such wiki.\n");
}
define('DOKU_CONF', DOKU_INC . "conf/$aegirSite/");
include DOKU_INC . 'inc/farm.php';
$config_cascade['main']['protected'][] = DOKU_INC . "sites/$aegirSite.php";
'@
                'aegir/settings.php.sbn' = @'
<?php
// Written by Aegir for {{ uri }}.
$conf['savedir'] = '{{ root }}/{{ files_path }}';
$conf['baseurl'] = '{{ url }}';
$conf['useacl'] = 1;
$conf['authtype'] = 'authplain';
$conf['superuser'] = '@admin';
// The web server and the script user (cron) share the wiki's files, as its folders are the web group's.
$conf['fmode'] = 0660;
$conf['dmode'] = 02770;
'@
                # A new wiki: the folders DokuWiki keeps its pages in, its admin and a first page.
                'aegir/install.php' = @'
<?php
[, $email, $passwordFile, $title] = $argv;
$site = getenv('aegir_site');
$root = dirname(__DIR__);
foreach (['pages', 'attic', 'media', 'media_attic', 'media_meta', 'meta', 'cache', 'index', 'locks', 'tmp', 'log'] as $dir) {
    if (!is_dir("$root/data/$site/$dir") && !mkdir("$root/data/$site/$dir")) exit(1);
}
$hash = password_hash(trim(file_get_contents($passwordFile)), PASSWORD_BCRYPT);
file_put_contents("$root/conf/$site/users.auth.php", "admin:$hash:Admin:$email:admin,user\n") or exit(1);
file_put_contents("$root/conf/$site/acl.auth.php", "*\t@ALL\t1\n*\t@user\t8\n") or exit(1);
file_put_contents("$root/conf/$site/local.php", "<?php\n\$conf['title'] = " . var_export($title, true) . ";\n") or exit(1);
file_put_contents("$root/data/$site/pages/start.txt", "====== $title ======\n\nWelcome to the wiki of $site.\n") or exit(1);
'@
            }
            $null = New-AegirPlatform $Name $root -WebServer $Server
            $root
        }

        # A browser of one site: its cookies kept, redirects not followed, every request to 127.0.0.1 with its Host.
        function New-Browser([int] $Port, [string] $HostName) {
            $handler = [System.Net.Http.HttpClientHandler]@{ AllowAutoRedirect = $false; CookieContainer = [System.Net.CookieContainer]::new() }
            [pscustomobject]@{ Client = [System.Net.Http.HttpClient]::new($handler); Port = $Port; HostName = $HostName }
        }
        function Send-Page($Browser, [string] $Path, [System.Collections.Specialized.OrderedDictionary] $Form) {
            $method = if ($Form) { [System.Net.Http.HttpMethod]::Post } else { [System.Net.Http.HttpMethod]::Get }
            $request = [System.Net.Http.HttpRequestMessage]::new($method, "http://127.0.0.1:$($Browser.Port)$Path")
            $request.Headers.Host = "$($Browser.HostName):$($Browser.Port)"
            if ($Form) {
                $pairs = [System.Collections.Generic.List[System.Collections.Generic.KeyValuePair[string, string]]]::new()
                foreach ($key in $Form.Keys) { $pairs.Add([System.Collections.Generic.KeyValuePair[string, string]]::new($key, [string]$Form[$key])) }
                $request.Content = [System.Net.Http.FormUrlEncodedContent]::new($pairs)
            }
            $response = $Browser.Client.SendAsync($request).GetAwaiter().GetResult()
            [pscustomobject]@{ Status = [int]$response.StatusCode; Body = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult() }
        }
        function Get-Field([string] $Body, [string] $Name) { if ($Body -match "name=`"$([regex]::Escape($Name))`" value=`"([^`"]*)`"") { $Matches[1] } }

        # Logs the wiki's admin in and saves a page; what the page then shows.
        function Save-WikiPage([int] $Port, [string] $HostName, [securestring] $Password, [string] $Text) {
            $browser = New-Browser $Port $HostName
            $login = Send-Page $browser '/doku.php?id=start&do=login'
            $null = Send-Page $browser '/doku.php' ([ordered]@{ u = 'admin'; p = [System.Net.NetworkCredential]::new('', $Password).Password; sectok = (Get-Field $login.Body 'sectok'); do = 'login'; id = 'start' })
            $edit = Send-Page $browser '/doku.php?id=notes&do=edit'
            $edit.Body | Should -Match 'Logged in as' -Because "the admin of $HostName logs in with the password New-AegirSite gave"
            $null = Send-Page $browser '/doku.php?id=notes' ([ordered]@{ sectok = (Get-Field $edit.Body 'sectok'); id = 'notes'; 'do[save]' = '1'; date = (Get-Field $edit.Body 'date'); prefix = '.'; suffix = ''; changecheck = ''; target = 'section'; wikitext = $Text; summary = 'from the tests' })
            (Send-Page (New-Browser $Port $HostName) '/doku.php?id=notes').Body
        }
    }
    AfterAll {
        Stop-AegirLocalServer apachebox -RemoveData -Confirm:$false
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    Describe 'Roundcube: a database per site, below its code the web root alone served (nginx, PostgreSQL)' {
        BeforeAll {
            $rc1 = New-RoundcubePlatform rc1 master
            $rc2 = New-RoundcubePlatform rc2 master
            $null = New-DokuWikiPlatform dwnginx master
            function Get-Users([string] $Uri) { Invoke-AegirSiteCommand $Uri -Sql 'SELECT username FROM users ORDER BY username' }
        }

        It 'is verified as Roundcube, with the version its command prints' {
            $platform = Get-AegirPlatform rc1
            ($platform.Kind, $platform.Version) | Should -Be @('php', ((dpkg-query -W -f '${Version}' roundcube-core) -replace '^\d+:', '' -replace '\+dfsg.*$', ''))
            (Get-AegirPackage -Platform rc1 | Where-Object Type -EQ core).Name | Should -Be 'Roundcube'
        }

        It 'installs a site with its own tables in PostgreSQL, and serves its login page from the web root alone' {
            $made = New-AegirSite mail1.test -Platform rc1
            $made.Status | Should -Be 'Installed'
            ($made.Task.Log.Message -join "`n") | Should -Match 'Running the Roundcube installer'
            $db = (Get-AegirSite mail1.test).DbName
            Invoke-PgSql -Server master -Database $db -Sql "SELECT tablename FROM pg_tables WHERE schemaname = 'public'" | Should -Contain 'session'
            $page = Invoke-Site -Port $port -HostName mail1.test
            $page.Status | Should -Be 200
            $page.Body | Should -Match '<title>Roundcube Webmail :: Welcome to Roundcube Webmail</title>'
            $page.Body | Should -Match 'id="rcmloginuser"'
            # Its session went into its own database: the page is the application's, reading and writing it.
            [int](Invoke-PgSql -Server master -Database $db -Sql 'SELECT COUNT(*) FROM session') | Should -BeGreaterThan 0
            # Above the web root nothing is a file: the front controller answers, or 404; never the file.
            foreach ($file in @{ '/config/config.inc.php' = 'aegirSite'; '/config/sites/mail1.test.inc.php' = 'db_dsnw'; '/program/include/iniset.php' = 'RCMAIL_VERSION'; '/SQL/postgres.initial.sql' = 'CREATE TABLE'; '/bin/gc.sh' = 'INSTALL_PATH'; '/.aegir.yml' = 'web_root'; '/composer.json' = '"require"' }.GetEnumerator()) {
                (Invoke-Site -Port $port -HostName mail1.test -Path $file.Key).Body | Should -Not -Match $file.Value -Because "$($file.Key) lies above the web root, or is never served"
            }
        }

        It 'takes a login through its database and logs what failed in the site''s own folder' {
            $browser = New-Browser $port 'mail1.test'
            $login = Send-Page $browser '/'
            $answer = Send-Page $browser '/?_task=login' ([ordered]@{ _token = (Get-Field $login.Body '_token'); _task = 'login'; _action = 'login'; _timezone = 'UTC'; _url = ''; _user = 'bob'; _pass = 'not-his' })
            $answer.Body | Should -Match 'Connection to storage server failed'   # no mail server here: Roundcube got as far as asking one
            Get-Content "$rc1/logs/mail1.test/errors.log" | Should -Match 'IMAP Error: Login failed for bob'
            (Invoke-Site -Port $port -HostName mail1.test -Path '/logs/mail1.test/errors.log').Body | Should -Not -Match 'IMAP Error'
        }

        It 'runs its cron, and verifies the site' {
            { Invoke-AegirSiteCommand mail1.test -Cron -ErrorAction Stop } | Should -Not -Throw
            (Invoke-AegirVerify mail1.test).Status | Should -Be 'Succeeded'
        }

        It 'backs up and restores the site with its database' {
            $null = Invoke-AegirSiteCommand mail1.test -Sql "INSERT INTO users (username, mail_host, created) VALUES ('kept', 'localhost', now())"
            $backup = Backup-AegirSite mail1.test
            $backup.DbType | Should -Be 'pgsql'
            $null = Invoke-AegirSiteCommand mail1.test -Sql 'DELETE FROM users'
            (Restore-AegirSite -Path $backup.Path -Force).Status | Should -Be 'Succeeded'
            Get-Users mail1.test | Should -Contain 'kept'
            (Invoke-Site -Port $port -HostName mail1.test).Body | Should -Match 'rcmloginuser'
        }

        It 'copies a site with its own database, and disables and enables the copy' {
            (Copy-AegirSite mail1.test mail2.test).Status | Should -Be 'Succeeded'
            Get-Users mail2.test | Should -Contain 'kept'
            (Get-AegirSite mail2.test).DbName | Should -Not -Be (Get-AegirSite mail1.test).DbName
            $null = Disable-AegirSite mail2.test
            (Invoke-Site -Port $port -HostName mail2.test).Status | Should -Be 503
            $null = Enable-AegirSite mail2.test
            (Invoke-Site -Port $port -HostName mail2.test).Body | Should -Match 'rcmloginuser'
        }

        It 'moves a site to a second Roundcube platform, and refuses a DokuWiki platform before anything changes' {
            (Move-AegirSite mail1.test -Platform rc2).Status | Should -Be 'Succeeded'
            (Get-AegirSite mail1.test).PlatformName | Should -Be 'platform_rc2'
            Get-Users mail1.test | Should -Contain 'kept'
            (Invoke-Site -Port $port -HostName mail1.test).Body | Should -Match 'rcmloginuser'
            Test-Path "$rc2/config/sites/mail1.test.inc.php", "$rc1/config/sites/mail1.test.inc.php", "$rc1/temp/mail1.test" | Should -Be @($true, $false, $false)
            $backups = @(Get-AegirBackup mail1.test).Count
            Move-AegirSite mail1.test -Platform dwnginx -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].Exception.Message | Should -Match 'it is a Roundcube site and @platform_dwnginx is a DokuWiki platform'
            @(Get-AegirBackup mail1.test).Count | Should -Be $backups -Because 'the move is refused before its backup, or anything else'
            (Get-AegirSite mail1.test).PlatformName | Should -Be 'platform_rc2'
        }

        It 'renames a site, and removes it with its database and folders' {
            $db = (Get-AegirSite mail2.test).DbName
            (Rename-AegirSite mail2.test webmail.test).Status | Should -Be 'Succeeded'
            (Invoke-Site -Port $port -HostName webmail.test).Body | Should -Match 'rcmloginuser'
            (Invoke-Site -Port $port -HostName mail2.test).Status | Should -Be 404
            $renamed = (Get-AegirSite webmail.test).DbName
            Remove-AegirSite webmail.test -Confirm:$false
            Invoke-PgSql -Server master -Sql "SELECT datname FROM pg_database WHERE datname IN ('$db', '$renamed')" | Should -BeNullOrEmpty
            Test-Path "$rc1/temp/webmail.test", "$rc1/logs/webmail.test", "$rc1/config/sites/webmail.test.inc.php" | Should -Not -Contain $true
        }
    }

    Describe 'DokuWiki: no database, its pages in files the web server writes (Apache)' {
        BeforeAll {
            $dw1 = New-DokuWikiPlatform dw1 apachebox
            $dw2 = New-DokuWikiPlatform dw2 apachebox
            $databases = Invoke-Sql -Server apachebox -Sql 'SHOW DATABASES'
        }

        It 'installs a wiki without a database: its installer makes its folders and its admin, whose login New-AegirSite hands back' {
            $made = New-AegirSite wiki1.test -Platform dw1 -Title 'Wiki One' -AdminEmail 'admin@wiki1.test'
            $made.Status | Should -Be 'Installed'
            ($made.AdminUser, $made.LoginUrl) | Should -Be @('admin', "http://wiki1.test:$apachePort/doku.php?do=login")
            $script:password = $made.AdminPassword
            (Get-AegirSite wiki1.test).DbServerName | Should -BeNullOrEmpty
            Invoke-Sql -Server apachebox -Sql 'SHOW DATABASES' | Should -Be $databases
            Get-Content -Raw (Join-Path $env:AEGIR_HOME 'config/server_apachebox/apache/vhost.d/wiki1.test.conf') | Should -Not -Match 'db_'
            $page = Invoke-Site -Port $apachePort -HostName wiki1.test -Path '/doku.php?id=start'
            $page.Body | Should -Match '<title>start \[Wiki One\]</title>'
            $page.Body | Should -Match 'Welcome to the wiki of wiki1.test'
        }

        It 'logs its admin in and saves a page as the site''s own account' {
            Save-WikiPage $apachePort wiki1.test $password 'First note' | Should -Match 'First note'
            (Get-Item "$dw1/data/wiki1.test/pages/notes.txt").User | Should -Be (Get-AegirSite wiki1.test).UnixUser
        }

        It 'never serves the wiki''s pages, users or settings as files' {
            foreach ($path in '/data/wiki1.test/pages/notes.txt', '/conf/wiki1.test/users.auth.php', '/sites/wiki1.test.php', '/inc/preload.php', '/install.php', '/aegir/install.php', '/bin/indexer.php') {
                (Invoke-Site -Port $apachePort -HostName wiki1.test -Path $path).Status | Should -BeIn @(403, 404) -Because "$path is denied"
            }
        }

        It 'runs its cron (the indexer) as the site''s own account, without a database, leaving what it made the web server''s to read' {
            $null = Invoke-AegirSiteCommand wiki1.test -Cron -ErrorAction Stop
            $made = Get-ChildItem "$dw1/data/wiki1.test/index" -File | Where-Object { $_.User -eq (Get-AegirSite wiki1.test).UnixUser }
            $made | Should -Not -BeNullOrEmpty
            $made | ForEach-Object { (stat -c '%a %G' $_.FullName) | Should -Be '660 www-data' }
        }

        It 'refuses what only a database has: SQL, a credential, a database server' {
            Invoke-AegirSiteCommand wiki1.test -Sql 'SELECT 1' -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'SiteHasNoDatabase,*'
            Get-AegirSiteCredential wiki1.test -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'SiteHasNoDatabase,*'
            New-AegirSite wiki9.test -Platform dw1 -DbServer apachebox -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].Exception.Message | Should -Match 'keeps no database'
            Get-AegirSite wiki9.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'backs up its files alone and restores them, and the wiki still saves its pages' {
            $backup = Backup-AegirSite wiki1.test
            ($backup.DbType, $backup.DatabaseSize) | Should -Be @('none', 0)
            Set-Content "$dw1/data/wiki1.test/pages/notes.txt" 'Changed by hand'
            (Restore-AegirSite -Path $backup.Path -Force).Status | Should -Be 'Succeeded'
            (Invoke-Site -Port $apachePort -HostName wiki1.test -Path '/doku.php?id=notes').Body | Should -Match 'First note'
            Save-WikiPage $apachePort wiki1.test $password 'Saved after the restore' | Should -Match 'Saved after the restore'
        }

        It 'gives the web server back, on verify, what a command left it unable to change' {
            chmod 644 "$dw1/data/wiki1.test/pages/notes.txt"
            chown aegir "$dw1/data/wiki1.test/pages/notes.txt"
            (Invoke-AegirVerify wiki1.test).Status | Should -Be 'Succeeded'
            stat -c '%a' "$dw1/data/wiki1.test/pages/notes.txt" | Should -Be '664'
            Save-WikiPage $apachePort wiki1.test $password 'Saved after the verify' | Should -Match 'Saved after the verify'
        }

        It 'copies a wiki, and disables and enables the copy' {
            (Copy-AegirSite wiki1.test wiki2.test).Status | Should -Be 'Succeeded'
            (Get-AegirSite wiki2.test).DbServerName | Should -BeNullOrEmpty
            (Invoke-Site -Port $apachePort -HostName wiki2.test -Path '/doku.php?id=notes').Body | Should -Match 'Saved after the verify'
            $null = Disable-AegirSite wiki2.test
            (Invoke-Site -Port $apachePort -HostName wiki2.test).Status | Should -Be 503
            $null = Enable-AegirSite wiki2.test
            (Invoke-Site -Port $apachePort -HostName wiki2.test -Path '/doku.php?id=notes').Body | Should -Match 'Saved after the verify'
        }

        It 'moves a wiki to a second DokuWiki platform, where it still saves its pages' {
            (Move-AegirSite wiki1.test -Platform dw2).Status | Should -Be 'Succeeded'
            Test-Path "$dw2/data/wiki1.test/pages/notes.txt", "$dw1/data/wiki1.test", "$dw1/conf/wiki1.test" | Should -Be @($true, $false, $false)
            Save-WikiPage $apachePort wiki1.test $password 'Saved on dw2' | Should -Match 'Saved on dw2'
        }

        It 'renames a wiki and removes it, leaving no folder and no database behind' {
            (Rename-AegirSite wiki2.test wiki3.test).Status | Should -Be 'Succeeded'
            (Invoke-Site -Port $apachePort -HostName wiki3.test -Path '/doku.php?id=notes').Body | Should -Match 'Saved after the verify'
            Remove-AegirSite wiki3.test -Confirm:$false
            Remove-AegirSite wiki1.test -Confirm:$false
            Test-Path "$dw1/data/wiki2.test", "$dw1/data/wiki3.test", "$dw1/conf/wiki3.test", "$dw1/sites/wiki3.test.php", "$dw2/data/wiki1.test" | Should -Not -Contain $true
            Invoke-Sql -Server apachebox -Sql 'SHOW DATABASES' | Should -Be $databases
        }
    }

    Describe 'Each on the other web server and database' {
        It 'hosts Roundcube on Apache with MariaDB, its web root alone served' {
            $root = New-RoundcubePlatform rcapache apachebox
            (New-AegirSite mail3.test -Platform rcapache).Status | Should -Be 'Installed'
            Invoke-Sql -Server apachebox -Sql 'SHOW TABLES' -Database (Get-AegirSite mail3.test).DbName | Should -Contain 'session'
            (Invoke-Site -Port $apachePort -HostName mail3.test).Body | Should -Match 'rcmloginuser'
            (Invoke-Site -Port $apachePort -HostName mail3.test -Path '/config/sites/mail3.test.inc.php').Body | Should -Not -Match 'db_dsnw'
            (Invoke-Site -Port $apachePort -HostName mail3.test -Path '/SQL/mysql.initial.sql').Body | Should -Not -Match 'CREATE TABLE'
            Remove-AegirSite mail3.test -Confirm:$false
            Test-Path "$root/temp/mail3.test" | Should -BeFalse
        }

        It 'hosts DokuWiki on nginx without a database, and it saves its pages after a restore' {
            $made = New-AegirSite wiki4.test -Platform dwnginx -Title 'Wiki Four'
            Get-Content -Raw (Join-Path $env:AEGIR_HOME 'config/server_master/nginx/vhost.d/wiki4.test.conf') | Should -Not -Match 'db_'
            Save-WikiPage $port wiki4.test $made.AdminPassword 'Four' | Should -Match 'Four'
            $null = Restore-AegirSite -Path (Backup-AegirSite wiki4.test).Path -Force
            Save-WikiPage $port wiki4.test $made.AdminPassword 'Four again' | Should -Match 'Four again'
            (Invoke-Site -Port $port -HostName wiki4.test -Path '/conf/wiki4.test/users.auth.php').Status | Should -BeIn @(403, 404)
            Remove-AegirSite wiki4.test -Confirm:$false
        }
    }
}
