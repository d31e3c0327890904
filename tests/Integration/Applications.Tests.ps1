# Any PHP application as its manifest (.aegir.yml) describes it: MediaWiki from Debian's package (two wikis on one
# platform, installed by its own installer) and an application the test writes; and what an admin needs in the
# first hour: the site's credential, its commands, plain names down the pipeline.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'PHP applications with a manifest' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        Install-TestPackage mediawiki
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        $port = $server.Http.GetInt('port')

        function Get-Db([string] $Uri) { (Get-AegirSite $Uri).DbName }
    }
    AfterAll {
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    Describe 'MediaWiki from its Debian package' {
        BeforeAll {
            # The package's code, with its links to the system's one wiki (settings, uploads) made the platform's own.
            $mw = Join-Path $work 'platforms/mediawiki'
            $null = New-Item -ItemType Directory -Force (Split-Path $mw)
            & cp -a /usr/share/mediawiki $mw
            foreach ($link in 'LocalSettings.php', 'config', 'extensions', 'images') { Remove-Item -Force "$mw/$link" }
            $null = New-Item -ItemType Directory "$mw/extensions", "$mw/images"
            Write-Tree $mw @{
                '.aegir.yml' = @'
name: MediaWiki
version_command: [sed, -n, "s/^define( 'MW_VERSION', '\\(.*\\)' );$/\\1/p", includes/Defines.php]
site_folders:
  - images/{uri}
deny: [/mw-config/, /maintenance/, /includes/, /languages/, /tests/, /cache/, /aegir/, /sites/, /LocalSettings.php]
settings:
  path: sites/{uri}/LocalSettings.php
  template: aegir/LocalSettings.php.sbn
install:
  - env
  - MW_CONFIG_FILE={tmp}/none.php
  - php
  - maintenance/install.php
  - --dbtype={db_type}
  - --dbserver={db_host}:{db_port}
  - --dbname={db_name}
  - --dbuser={db_user}
  - --dbpassfile={db_passwd_file}
  - --passfile={admin_password_file}
  - --server={url}
  - --scriptpath=
  - --confpath={tmp}
  - --lang=en
  - --skins=Vector
  - "{title}"
  - "{admin_user}"
installed_tables: [page, revision, user]
'@
                # The one LocalSettings.php MediaWiki looks for: it hands over to the settings of the site asked for.
                'LocalSettings.php' = @'
<?php
$aegirSite = $_SERVER['aegir_site'] ?? getenv('aegir_site');
if (!is_string($aegirSite) || !preg_match('/^[a-z0-9.-]+$/', $aegirSite) || !is_file(__DIR__ . "/sites/$aegirSite/LocalSettings.php")) {
    http_response_code(404);
    exit("No such wiki.\n");
}
require __DIR__ . "/sites/$aegirSite/LocalSettings.php";
'@
                'aegir/LocalSettings.php.sbn' = @'
<?php
# Written by Aegir for {{ uri }} from the platform's template; the database password comes from the environment.
if (!defined('MEDIAWIKI')) { exit; }
$aegir = static fn(string $key) => $_SERVER[$key] ?? getenv($key) ?: '';
$wgSitename = 'Wiki {{ uri }}';
$wgMetaNamespace = 'Project';
$wgServer = '{{ url }}';
$wgScriptPath = '';
$wgResourceBasePath = $wgScriptPath;
$wgDBtype = '{{ db_type }}';
$wgDBserver = $aegir('db_host') . ':' . $aegir('db_port');
$wgDBname = $aegir('db_name');
$wgDBuser = $aegir('db_user');
$wgDBpassword = $aegir('db_passwd');
$wgSecretKey = '{{ secret }}';
$wgUpgradeKey = substr('{{ secret }}', 0, 16);
$wgUploadDirectory = "$IP/{{ files_path }}";
$wgUploadPath = "$wgScriptPath/{{ files_path }}";
$wgEnableUploads = true;
$wgMainCacheType = CACHE_NONE;
$wgLanguageCode = 'en';
$wgDefaultSkin = 'vector';
wfLoadSkin('Vector');
'@
            }
            $platform = New-AegirPlatform wiki $mw
        }

        It 'is verified as the php application its manifest names, with the version its command prints' {
            $platform.Kind | Should -Be 'php'
            $platform.Version | Should -Be ((dpkg-query -W -f '${Version}' mediawiki) -replace '^\d+:', '' -replace '-.*$', '')
            (Get-AegirPackage -Platform wiki | Where-Object Type -EQ core).Name | Should -Be 'MediaWiki'
        }

        It 'installs two wikis on one platform with MediaWiki''s own installer, each in its own database' {
            $made = @(
                New-AegirSite wiki-one.test -Platform wiki -Title 'Wiki One'
                New-AegirSite wiki-two.test -Platform wiki -Title 'Wiki Two'
            )
            $made.Status | Should -Be @('Installed', 'Installed')
            $made[0].AdminUser | Should -Be 'admin'
            $made[0].AdminPassword | Should -Not -BeNullOrEmpty
            foreach ($uri in 'wiki-one.test', 'wiki-two.test') {
                $tables = Invoke-Sql -Sql 'SHOW TABLES' -Database (Get-Db $uri)
                $tables | Should -Contain 'page'
                $tables | Should -Contain 'user'
                Invoke-Sql -Sql "SELECT user_name FROM user" -Database (Get-Db $uri) | Should -Contain 'Admin'
            }
            (Get-Db wiki-one.test) | Should -Not -Be (Get-Db wiki-two.test)
        }

        It 'serves each wiki''s own pages over HTTP' {
            foreach ($uri in 'wiki-one.test', 'wiki-two.test') {
                $page = Invoke-Site -Port $port -HostName $uri -Path '/index.php?title=Main_Page'
                $page.Status | Should -Be 200
                $page.Body | Should -Match "<title>Wiki $([regex]::Escape($uri))</title>"
                $page.Body | Should -Match 'MediaWiki has been installed'
            }
        }

        It 'gives each wiki its own settings (with its own secret key and no password) and its own uploads folder' {
            $one = "$mw/sites/wiki-one.test/LocalSettings.php"
            $two = "$mw/sites/wiki-two.test/LocalSettings.php"
            (stat -c '%a %U:%G' $one) | Should -Be "440 $((Get-AegirSite wiki-one.test).UnixUser):www-data"
            Get-Content -Raw $one | Should -Match "wgServer = 'http://wiki-one.test:$port'"
            $key = { param($f) (Select-String -Path $f -Pattern "wgSecretKey = '([0-9a-f]{64})'").Matches[0].Groups[1].Value }
            (& $key $one) | Should -Not -Be (& $key $two)
            Get-Content -Raw $one | Should -Not -Match ([regex]::Escape((Get-SitePassword wiki-one.test)))
            (stat -c '%a %G' "$mw/images/wiki-one.test") | Should -Be '2770 www-data'
        }

        It 'keeps each wiki''s uploads and data apart: a file imported into one is served by that one only' {
            $drop = Join-Path $work 'drop'
            $null = New-Item -ItemType Directory -Force $drop
            [IO.File]::WriteAllBytes("$drop/Aegir_logo.png", [Convert]::FromBase64String('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='))
            chmod 755 $drop; chmod 644 "$drop/Aegir_logo.png"
            $out = Invoke-AegirSiteCommand wiki-one.test -- php maintenance/importImages.php --extensions=png $drop
            ($out -join "`n") | Should -Match 'Aegir_logo.png'
            $stored = Get-ChildItem -Recurse -File "$mw/images/wiki-one.test" -Filter 'Aegir_logo.png' | Where-Object FullName -NotMatch '/(thumb|archive)/'
            $stored | Should -HaveCount 1
            $path = $stored[0].FullName.Substring($mw.Length)
            (Invoke-Site -Port $port -HostName wiki-one.test -Path $path).Status | Should -Be 200
            Get-ChildItem -Recurse -File "$mw/images/wiki-two.test" -Filter 'Aegir_logo.png' | Should -BeNullOrEmpty
            Invoke-Sql -Sql 'SELECT img_name FROM image' -Database (Get-Db wiki-one.test) | Should -Be 'Aegir_logo.png'
            Invoke-Sql -Sql 'SELECT COUNT(*) FROM image' -Database (Get-Db wiki-two.test) | Should -Be 0
            (Invoke-Site -Port $port -HostName wiki-one.test -Path '/index.php?title=File:Aegir_logo.png').Status | Should -Be 200
            (Invoke-Site -Port $port -HostName wiki-two.test -Path '/index.php?title=File:Aegir_logo.png').Status | Should -Be 404
        }

        It 'never serves the web installer, the maintenance scripts, the settings or composer''s files' {
            foreach ($path in '/mw-config/index.php', '/maintenance/install.php', '/sites/wiki-one.test/LocalSettings.php', '/LocalSettings.php',
                '/composer.json', '/vendor/composer/installed.json', '/aegir/LocalSettings.php.sbn', '/.aegir.yml') {
                (Invoke-Site -Port $port -HostName wiki-one.test -Path $path).Status | Should -Be 403 -Because "$path is not for visitors"
            }
        }

        It 'removes a wiki with its settings and uploads, leaving the other' {
            (Remove-AegirSite wiki-two.test -Force).Status | Should -Be 'Succeeded'
            Test-Path "$mw/sites/wiki-two.test", "$mw/images/wiki-two.test" | Should -Be @($false, $false)
            Test-Path "$mw/sites/wiki-one.test/LocalSettings.php" | Should -BeTrue
            (Invoke-Site -Port $port -HostName wiki-one.test -Path '/index.php?title=Main_Page').Status | Should -Be 200
        }
    }

    Describe 'An application the test writes' {
        BeforeAll {
            $notes = Join-Path $work 'platforms/notes'
            Write-Tree $notes @{
                '.aegir.yml' = @'
# Notes: a small PHP application, as its manifest describes it.
name: Notes
version_command: [php, bin/version.php]
front_controller: app.php
site_folders:
  - uploads/{uri}
  - private/{uri}
shared_folders: [cache]
deny: [/setup/, /bin/, /private/, /config/]
settings:
  path: config/{uri}.php
  template: config/site.php.sbn
install: [php, bin/install.php, "--title={title}", "--admin={admin_user}", "--password-file={admin_password_file}", "--db-password-file={db_passwd_file}"]
cron: [php, bin/cron.php, "{uri}"]
installed_tables: [notes, users]
'@
                'bin/version.php' = "<?php echo '2.1.0', PHP_EOL;"
                'bin/lib.php' = @'
<?php
function notes_db(?string $password = null): PDO {
    $e = static fn(string $k) => $_SERVER[$k] ?? getenv($k) ?: '';
    $dsn = $e('db_type') === 'pgsql'
        ? sprintf('pgsql:host=%s;port=%s;dbname=%s', $e('db_host'), $e('db_port'), $e('db_name'))
        : sprintf('mysql:host=%s;port=%s;dbname=%s', $e('db_host'), $e('db_port'), $e('db_name'));
    return new PDO($dsn, $e('db_user'), $password ?? $e('db_passwd'), [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
}
'@
                'bin/install.php' = @'
<?php
require __DIR__ . '/lib.php';
$o = getopt('', ['title:', 'admin:', 'password-file:', 'db-password-file:']);
if ($o['title'] === 'FAIL') { fwrite(STDERR, "The installer refuses this title.\n"); exit(4); }
if ($o['title'] === 'NOTABLES') { echo "Done (without doing anything).\n"; exit(0); }
$db = notes_db(trim(file_get_contents($o['db-password-file'])));
$db->exec('CREATE TABLE users (name VARCHAR(60) PRIMARY KEY, hash VARCHAR(255) NOT NULL)');
$db->exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR(255) NOT NULL)');
$db->prepare('INSERT INTO users VALUES (?, ?)')->execute([$o['admin'], password_hash(trim(file_get_contents($o['password-file'])), PASSWORD_DEFAULT)]);
$db->prepare('INSERT INTO notes VALUES (1, ?)')->execute(['Welcome to ' . $o['title']]);
echo "Installed.\n";
'@
                'bin/cron.php' = @'
<?php
require __DIR__ . '/lib.php';
notes_db()->prepare('UPDATE notes SET body = ? WHERE id = 1')->execute(['Cron ran for ' . $argv[1]]);
echo "cron done\n";
'@
                'bin/count.php' = @'
<?php
require __DIR__ . '/lib.php';
$n = (int)notes_db()->query('SELECT COUNT(*) FROM notes')->fetchColumn();
echo getenv('aegir_site'), ' has ', $n, " notes\n";
fwrite(STDERR, "counted as " . posix_getpwuid(posix_geteuid())['name'] . "\n");
exit($n > 100 ? 0 : (int)($argv[1] ?? 0));
'@
                'app.php' = @'
<?php
require __DIR__ . '/bin/lib.php';
$site = $_SERVER['aegir_site'];
require __DIR__ . "/config/$site.php";
$db = notes_db();
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path === '/add') {
    $next = (int)$db->query('SELECT COALESCE(MAX(id), 0) + 1 FROM notes')->fetchColumn();
    $db->prepare('INSERT INTO notes VALUES (?, ?)')->execute([$next, $_GET['text'] ?? '']);
}
$first = $db->query('SELECT body FROM notes WHERE id = 1')->fetchColumn();
$count = $db->query('SELECT COUNT(*) FROM notes')->fetchColumn();
echo "site=$site first=$first notes=$count secret=", strlen(NOTES_SECRET), " uploads=", NOTES_UPLOADS, "\n";
'@
                'config/site.php.sbn' = @'
<?php
// Notes settings of {{ uri }}, written by Aegir.
const NOTES_URL = '{{ url }}';
const NOTES_SECRET = '{{ secret }}';
const NOTES_UPLOADS = '{{ files_path }}';
const NOTES_PRIVATE = '{{ site_folders[1] }}';
'@
                'setup/index.php' = '<?php echo "the web installer";'
                'composer.json' = '{"name": "acme/notes"}'
                'vendor/composer/installed.json' = '[]'
                '.env' = 'SECRET=1'
            }
            $platform = New-AegirPlatform notes $notes
        }

        It 'is verified with the version its command prints, and its shared folder made' {
            $platform.Kind | Should -Be 'php'
            $platform.Version | Should -Be '2.1.0'
            (stat -c '%a %G' "$notes/cache") | Should -Be '2770 www-data'
        }

        It 'installs with its install command: the title, the admin password and the database password reach it, never as arguments' {
            $started = [DateTime]::Now.AddSeconds(-1)
            $site = New-AegirSite one.test -Platform notes -Title 'One Notes'
            $site.Status | Should -Be 'Installed'
            $site.AdminUser | Should -Be 'admin'
            $hash = Invoke-Sql -Sql "SELECT hash FROM users WHERE name = 'admin'" -Database (Get-Db one.test)
            & php -r 'exit(password_verify($argv[1], $argv[2]) ? 0 : 1);' ($site.AdminPassword | ConvertFrom-SecureString -AsPlainText) $hash
            $LASTEXITCODE | Should -Be 0 -Because 'the admin password handed back is the one the application stored'
            $log = (Get-AegirTask -Target one.test -Type install -First 1).Log.Message -join "`n"
            $log | Should -Match 'Running the install command of Notes: php bin/install.php ''--title=One Notes'' --admin=admin'
            $log | Should -Match '--password-file=/tmp/aegir-run-[0-9a-f]+/admin_password'
            $folder = [regex]::Match($log, '--password-file=(/tmp/aegir-run-[0-9a-f]+)/admin_password').Groups[1].Value
            Test-Path $folder | Should -BeFalse -Because 'the secret files are gone once the command ends'
            $log | Should -Not -Match ([regex]::Escape((Get-SitePassword one.test)))
            # Every command of the task (the installer, the platform's version command) left nothing: this machine's
            # other users of /tmp (another AEGIR_HOME's tests) are told apart by the folder's owner and time.
            Get-ChildItem /tmp -Directory -Filter 'aegir-run-*' | Where-Object { $_.LastWriteTime -ge $started -and (stat -c '%U' $_.FullName) -eq (Get-AegirServer master).ScriptUser } |
                Should -BeNullOrEmpty -Because 'the secret files are gone once the command ends'
        }

        It 'serves its pages through its front controller, with its own settings and folders' {
            $null = New-AegirSite two.test -Platform notes -Title 'Two Notes'
            (Invoke-Site -Port $port -HostName one.test -Path '/add?text=hello').Body | Should -Match 'site=one.test first=Welcome to One Notes notes=2 secret=64 uploads=uploads/one.test'
            (Invoke-Site -Port $port -HostName two.test).Body | Should -Match 'site=two.test first=Welcome to Two Notes notes=1'
            (stat -c '%a %G' "$notes/uploads/one.test") | Should -Be '2770 www-data'
            (stat -c '%a %G' "$notes/private/two.test") | Should -Be '2770 www-data'
            (stat -c '%a %U:%G' "$notes/config/one.test.php") | Should -Be "440 $((Get-AegirSite one.test).UnixUser):www-data"
            Set-Content "$notes/uploads/one.test/readme.txt" 'one''s upload'
            (Invoke-Site -Port $port -HostName one.test -Path '/uploads/one.test/readme.txt').Body | Should -Match 'one''s upload'
        }

        It 'never serves what its manifest denies, composer''s files, dot files or a site''s settings' {
            Set-Content "$notes/private/one.test/secret.txt" 'private'
            foreach ($path in '/setup/', '/setup/index.php', '/bin/install.php', '/private/one.test/secret.txt', '/config/one.test.php',
                '/config/site.php.sbn', '/composer.json', '/vendor/composer/installed.json', '/.env', '/.aegir.yml') {
                (Invoke-Site -Port $port -HostName one.test -Path $path).Status | Should -Be 403 -Because "$path is not for visitors"
            }
        }

        It 'runs an admin''s command with the site''s environment, as the site''s own account, and fails with its exit code' {
            $out = Invoke-AegirSiteCommand one.test -- php bin/count.php 6>$null
            $out | Should -Be 'one.test has 2 notes'
            $info = Invoke-AegirSiteCommand one.test -- php bin/count.php 6>&1 | Where-Object { $_ -is [System.Management.Automation.InformationRecord] }
            "$info" | Should -Be "counted as $((Get-AegirSite one.test).UnixUser)"
            Invoke-AegirSiteCommand one.test -ErrorVariable failed -ErrorAction SilentlyContinue -- php bin/count.php 3 6>$null | Should -Be 'one.test has 2 notes'
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'SiteCommandFailed*'
            $failed[0].Exception.Message | Should -Match 'exited with 3'
            $LASTEXITCODE | Should -Be 3
            Invoke-AegirSiteCommand one.test -ErrorVariable missing -ErrorAction SilentlyContinue -- no-such-program 6>$null
            $missing[0].FullyQualifiedErrorId | Should -BeLike 'SiteCommandFailed*'
        }

        It 'runs SQL in the site''s database as the site''s account, with its database''s own client' {
            Invoke-AegirSiteCommand one.test -Sql 'SELECT COUNT(*) AS n FROM notes' | Should -Be @('n', '2')
            (Invoke-AegirSiteCommand one.test -Sql 'SELECT CURRENT_USER()')[1] | Should -Match "^$(Get-Db one.test)@"
            Invoke-AegirSiteCommand one.test -Sql 'SELECT COUNT(*) FROM mysql.user' -ErrorVariable denied -ErrorAction SilentlyContinue 6>$null
            $denied[0].FullyQualifiedErrorId | Should -BeLike 'SiteCommandFailed*'
        }

        It 'runs as whichever unprivileged script user the server names where sites share one pool, with nothing of the caller''s environment' {
            $user = 'aegir-it-site'
            if (-not (getent passwd $user)) { useradd --system --no-create-home --shell /usr/sbin/nologin $user }
            $null = Set-AegirServer master -ScriptUser $user -HttpSetting @{ php_pools = 'shared' }
            $env:AEGIR_IT_CANARY = 'from the caller'
            try {
                Invoke-AegirSiteCommand one.test -- id -un | Should -Be $user
                $seen = Invoke-AegirSiteCommand one.test -- env
                $seen | Should -Contain "db_name=$(Get-Db one.test)"
                $seen | Should -Contain 'aegir_site=one.test'
                $seen | Where-Object { $_ -like 'AEGIR_IT_CANARY=*' -or $_ -like 'AEGIR_HOME=*' } | Should -BeNullOrEmpty
            }
            finally {
                Remove-Item Env:AEGIR_IT_CANARY
                $null = Set-AegirServer master -ScriptUser aegir -HttpSetting @{ php_pools = 'per-site' }
                userdel $user
            }
        }

        It 'runs a site''s cron as its manifest names it, and says so when a platform has none' {
            Invoke-AegirSiteCommand one.test -Cron | Should -Be 'cron done'
            Invoke-Sql -Sql 'SELECT body FROM notes WHERE id = 1' -Database (Get-Db one.test) | Should -Be 'Cron ran for one.test'
            (Invoke-Site -Port $port -HostName two.test).Body | Should -Match 'first=Welcome to Two Notes'
        }

        It 'hands scripts the site''s database credential, the password only as a SecureString' {
            $cred = Get-AegirSiteCredential one.test
            $cred | Should -BeOfType ([pscredential])
            $cred.UserName | Should -Be (Get-Db one.test)
            $cred.GetNetworkCredential().Password | Should -Be (Get-SitePassword one.test)
            $cred.Driver, $cred.Host, $cred.Port, $cred.Database | Should -Be @('mysql', '127.0.0.1', $server.Db.GetInt('port'), (Get-Db one.test))
            ($cred | Out-String) | Should -Not -Match ([regex]::Escape((Get-SitePassword one.test)))
        }

        It 'lists tasks in a table that fits 80 columns, and as JSON with names and seconds' {
            $lines = (Get-AegirTask -Target one.test | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() }
            $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 -Because "'$_' must fit a terminal" }
            $lines[0] | Should -Match '^Id\s+Type\s+Target\s+Status\s+Seconds'
            $lines | Should -Contain ($lines | Where-Object { $_ -match '\binstall\s+@one\.test\s+Succeeded\s+\d+\.\d' } | Select-Object -First 1)
            $task = Get-AegirTask -Target one.test -Type install -First 1 | ConvertTo-Json -Depth 4 | ConvertFrom-Json
            $task.Status | Should -Be 'Succeeded'
            $task.Duration | Should -BeOfType ([double])
            $task.Duration | Should -BeGreaterThan 0
            $task.Log[0].Level | Should -Be 'Info'
            $task.Parameters.site | Should -Be 'one.test'
            # Every change is Done; the command's private folder, a temporary, is gone (Undone) once the command ended.
            ($task.Journal | Where-Object { -not $_.Temporary }).State | Select-Object -Unique | Should -Be 'Done'
            ($task.Journal | Where-Object Temporary).State | Select-Object -Unique | Should -Be 'Undone'
            # An undo is written as what it does, in words, at the default depth too.
            $plain = Get-AegirTask -Target one.test -Type install -First 1 | ConvertTo-Json -WarningAction SilentlyContinue | ConvertFrom-Json
            @($plain.Journal.Undo | Where-Object { $_ }) | ForEach-Object { $_ | Should -BeOfType ([string]); $_ | Should -Not -Match 'JournalAction|Dictionary`2' }
            @($task.Journal.Undo | Where-Object { $_ })[0] | Should -Match '^(remove|write back|put back|drop|delete|move) '
            $site = Get-AegirSite one.test | ConvertTo-Json | ConvertFrom-Json
            $site.Url | Should -Be "http://one.test:$port/"
        }

        It 'takes plain names down the pipeline' {
            'one.test', 'two.test' | Disable-AegirSite | ForEach-Object Status | Should -Be @('Succeeded', 'Succeeded')
            (Invoke-Site -Port $port -HostName two.test).Status | Should -Be 503
            $null = 'one.test', 'two.test' | Enable-AegirSite
            (Invoke-Site -Port $port -HostName two.test).Body | Should -Match 'site=two.test'
            ('two.test' | Invoke-AegirVerify).Status | Should -Be 'Succeeded'
        }

        It 'undoes an install whose command fails, and says why with an error id of its own' -ForEach @(
            @{ Title = 'FAIL'; Problem = 'exited with 4|refuses this title'; Id = 'InstallerFailed' }
            @{ Title = 'NOTABLES'; Problem = 'notes, users are not there'; Id = 'ApplicationNotInstalled' }
        ) {
            $before = Get-SiteDatabases
            New-AegirSite bad.test -Platform notes -Title $Title -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].Exception.Message | Should -Match $Problem
            $errs[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
            Get-AegirSite bad.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Get-SiteDatabases | Should -Be $before
            Test-Path "$notes/uploads/bad.test", "$notes/private/bad.test", "$notes/config/bad.test.php" | Should -Be @($false, $false, $false)
        }

        It 'removes a site with its folders, settings and database' {
            $db = Get-Db two.test
            (Remove-AegirSite two.test -Force).Status | Should -Be 'Succeeded'
            Test-Path "$notes/uploads/two.test", "$notes/private/two.test", "$notes/config/two.test.php" | Should -Be @($false, $false, $false)
            Get-SiteDatabases | Should -Not -Contain $db
            (Invoke-Site -Port $port -HostName one.test).Body | Should -Match 'site=one.test'
        }
    }

    Describe 'A manifest''s check of the page' {
        BeforeAll {
            # Feeds: / sends visitors to its login page, which shows "Feeds ready" when the application works. Its
            # second platform is broken as a wrong config breaks a real one: HTTP 200 with "Startup failed".
            $manifest = "name: Feeds`nversion: 21.0`ncheck:`n  expect: Feeds ready`n  errors: ['Startup failed']`n"
            $feeds = Join-Path $work 'platforms/feeds'
            $broken = Join-Path $work 'platforms/feeds-broken'
            foreach ($root in $feeds, $broken) {
                Write-Tree $root @{
                    '.aegir.yml' = $manifest
                    'index.php' = @'
<?php
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path === '/') { header('Location: /login.php?return=%2F', true, 302); exit; }
echo 'unknown page';
'@
                    # What the page says comes from a file PHP reads each time (a changed script may be served from opcache a while).
                    'login.php' = "<?php echo '<title>Feeds</title>', file_get_contents(__DIR__ . '/message.txt'), ' for ', `$_SERVER['aegir_site'];"
                    'message.txt' = 'Feeds ready'
                }
            }
            Set-Content "$broken/.aegir.yml" $manifest.Replace('version: 21.0', 'version: 22.0')
            Set-Content "$broken/login.php" "<?php echo '<h1>Startup failed</h1> Tiny Tiny RSS was unable to start properly: Configuration file (config.php) has incorrect version';"
            $null = New-AegirPlatform feeds $feeds
            $null = New-AegirPlatform feeds-broken $broken
        }

        It 'passes a site whose page shows what the check expects, through the redirect to its login' {
            (New-AegirSite rss1.test -Platform feeds).Status | Should -Be 'Installed'
            (Invoke-AegirVerify rss1.test).Status | Should -Be 'Succeeded'
        }

        It 'fails an install whose page answers 200 with an error, and leaves nothing' {
            $before = Get-SiteDatabases
            $made = New-AegirSite rss2.test -Platform feeds-broken -ErrorVariable errs -ErrorAction SilentlyContinue
            $made | Should -BeNullOrEmpty -Because 'a site removed again is not handed back as installed, with an admin password'
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'SiteBroken,*'
            $errs[0].Exception.Message | Should -Match '/login.php\?return=%2F says "Startup failed"'
            Get-AegirSite rss2.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Get-SiteDatabases | Should -Be $before
        }

        It 'puts a site back on its platform with its own database when the move''s check fails' {
            $db = Get-Db rss1.test
            Invoke-Sql -Database $db -Sql 'CREATE TABLE kept (a INT); INSERT INTO kept VALUES (7);'
            # The plan names what differs between the platforms' code, before anything runs.
            (Move-AegirSite rss1.test -Platform feeds-broken -Plan).Description -join "`n" | Should -Match 'other versions: Feeds: 21\.0 on @platform_feeds, 22\.0 on @platform_feedsbroken'
            Move-AegirSite rss1.test -Platform feeds-broken -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].Exception.Message | Should -Match 'Startup failed'
            (Get-AegirSite rss1.test).PlatformName | Should -Be 'platform_feeds'
            Get-Db rss1.test | Should -Be $db
            Invoke-Sql -Database $db -Sql 'SELECT a FROM kept' | Should -Be 7
            (Invoke-Site -Port $port -HostName rss1.test -Path /login.php).Body | Should -Match 'Feeds ready for rss1.test'
            Test-Path "$broken/files/rss1.test" | Should -BeFalse
        }

        It 'fails verify of a site once its page stops showing what it should' {
            [IO.File]::WriteAllText("$feeds/message.txt", 'Feeds')
            $null = Invoke-AegirVerify rss1.test -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            "$errs" | Should -Match 'rss1.test does not work: /login.php\?return=%2F answers HTTP 200 without "Feeds ready"'
            [IO.File]::WriteAllText("$feeds/message.txt", 'Feeds ready')
            (Invoke-AegirVerify rss1.test).Status | Should -Be 'Succeeded'
            (Remove-AegirSite rss1.test -NoBackup -Force).Status | Should -Be 'Succeeded'
        }
    }

    Describe 'A web root below the code root' {
        BeforeAll {
            # As PostfixAdmin, Laravel or Symfony lay out: the code root holds the config and the storage, public/ is served.
            $pa = Join-Path $work 'platforms/pa'
            Write-Tree $pa @{
                '.aegir.yml' = "name: Panel`nversion: 3.3.13`nweb_root: public`nsite_folders:`n  - public/uploads/{uri}`n  - storage/{uri}`nsettings:`n  path: config/{uri}.php`n  template: config/site.php.sbn`n"
                'config/site.php.sbn' = "<?php const PANEL_SECRET = '{{ secret }}';"
                'src/Panel.php' = '<?php function panel() { return "Panel ready"; }'
                'public/index.php' = @'
<?php
require __DIR__ . '/../src/Panel.php';
require __DIR__ . '/../config/' . $_SERVER['aegir_site'] . '.php';
echo panel(), ' for ', $_SERVER['aegir_site'], ' secret=', strlen(PANEL_SECRET);
'@
            }
            $null = New-AegirPlatform pa $pa
        }

        It 'serves the web root only, with the settings and storage above it kept from every request' {
            (New-AegirSite w1.test -Platform pa).Status | Should -Be 'Installed'
            (Invoke-Site -Port $port -HostName w1.test).Body | Should -Match 'Panel ready for w1.test secret=[1-9]'
            Test-Path "$pa/config/w1.test.php", "$pa/storage/w1.test", "$pa/public/uploads/w1.test" | Should -Be @($true, $true, $true)
            (stat -c '%a %G' "$pa/storage/w1.test") | Should -Be '2770 www-data'
            Set-Content "$pa/public/uploads/w1.test/note.txt" 'a note'
            Set-Content "$pa/public/uploads/w1.test/evil.php" '<?php echo "ran";'
            (Invoke-Site -Port $port -HostName w1.test -Path /uploads/w1.test/note.txt).Body | Should -Match 'a note'
            (Invoke-RawSite -Port $port -HostName w1.test -Path /uploads/w1.test/evil.php).Status | Should -Be 403
            # Paths of the code root that are not in the web root reach the front controller at most, never the files.
            $secret = [regex]::Match((Get-Content -Raw "$pa/config/w1.test.php"), "PANEL_SECRET = '([^']+)'").Groups[1].Value
            $secret | Should -Not -BeNullOrEmpty
            foreach ($path in '/config/w1.test.php', '/../config/w1.test.php', '/src/Panel.php', '/storage/w1.test/', '/public/../config/site.php.sbn', '/.aegir.yml') {
                $answer = Invoke-RawSite -Port $port -HostName w1.test -Path $path
                $answer.Body | Should -Not -Match "$([regex]::Escape($secret))|function panel|<\?php|\{\{ secret" -Because "$path is above the web root"
            }
            (Invoke-RawSite -Port $port -HostName w1.test -Path '/.aegir.yml').Status | Should -BeIn 403, 404
            (Remove-AegirSite w1.test -NoBackup -Force).Status | Should -Be 'Succeeded'
            Test-Path "$pa/config/w1.test.php", "$pa/storage/w1.test" | Should -Be @($false, $false)
        }

        It 'is refused at platform verify when it is not a folder of the codebase' {
            $bad = Join-Path $work 'platforms/pa-bad'
            Write-Tree $bad @{ '.aegir.yml' = "name: Panel`nweb_root: web`n"; 'public/index.php' = '<?php' }
            { New-AegirPlatform pa-bad $bad -ErrorAction Stop } | Should -Throw "*'web_root' names web, which is no folder*"
        }
    }

    Describe 'Web server settings and an admin''s own rules' {
        BeforeAll {
            $apache = Start-AegirLocalServer tunedbox -HttpServiceType apache -NoDatabase
            $apachePort = $apache.Http.GetInt('port')
            # An application whose uploads are larger than the web servers take by default (nginx: 1 MB).
            $tuned = @{}
            foreach ($web in 'nginx', 'apache') {
                $tuned[$web] = Join-Path $work "platforms/tuned-$web"
                Write-Tree $tuned[$web] @{
                    '.aegir.yml' = "name: Uploads`nversion: 1.0`nweb:`n  upload_max: 3M`n  timeout: 30`n"
                    'index.php' = "<?php echo 'got ', strlen(file_get_contents('php://input'));"
                }
                $null = New-AegirPlatform "tuned-$web" $tuned[$web] -WebServer ($web -eq 'nginx' ? 'master' : 'tunedbox')
            }
            # Apache's graceful reload lets an old child take a new connection for a moment: asked again until it answers as expected.
            function Wait-Status([scriptblock] $Ask, [int] $Status) {
                $deadline = (Get-Date).AddSeconds(10)
                do { $answer = & $Ask; if ($answer.Status -eq $Status) { return $answer }; Start-Sleep -Milliseconds 200 } while ((Get-Date) -lt $deadline)
                $answer
            }
            function Send-Body([int] $Port, [string] $HostName, [int] $Bytes, [string] $Path = '/') {
                $client = [System.Net.Http.HttpClient]::new()
                try {
                    $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::Post, "http://127.0.0.1:$Port$Path")
                    $request.Headers.Host = "${HostName}:$Port"
                    $request.Content = [System.Net.Http.ByteArrayContent]::new([byte[]]::new($Bytes))
                    $response = $client.SendAsync($request).GetAwaiter().GetResult()
                    [pscustomobject]@{ Status = [int]$response.StatusCode; Body = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult() }
                }
                finally { $client.Dispose() }
            }
        }
        AfterAll { Stop-AegirLocalServer tunedbox -RemoveData -Confirm:$false }

        It 'takes the uploads its manifest allows on <_>, and the site''s own setting over it' -ForEach 'nginx', 'apache' {
            $port = $_ -eq 'nginx' ? $port : $apachePort
            $uri = "up-$_.test"
            (New-AegirSite $uri -Platform "tuned-$_").Status | Should -Be 'Installed'
            (Send-Body $port $uri 2MB).Body | Should -Be "got $(2MB)"
            Set-AegirSite $uri -WebSetting @{ upload_max = '1M' }
            (Get-AegirSite $uri).WebSettings | Should -Be 'upload_max=1M'
            (Wait-Status { Send-Body $port $uri 2MB } 413).Status | Should -Be 413
            # A value that would write more than one setting is refused, and the vhost stays as it was.
            $vhost = Get-Content -Raw (Get-ChildItem -Recurse "$env:AEGIR_HOME/config" -Filter "$uri.conf").FullName
            { Set-AegirSite $uri -WebSetting @{ upload_max = '1M; return 200' } -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*'
            Get-Content -Raw (Get-ChildItem -Recurse "$env:AEGIR_HOME/config" -Filter "$uri.conf").FullName | Should -Be $vhost
            Set-AegirSite $uri -WebSetting @{ upload_max = $null }
            (Get-AegirSite $uri).WebSettings | Should -BeNullOrEmpty
            (Wait-Status { Send-Body $port $uri 2MB } 200).Body | Should -Be "got $(2MB)"
        }

        It 'leaves a site''s nginx rules behind, said in a warning, when it moves to Apache, and a later site of its name does not get them' {
            $rules = New-Item -ItemType Directory -Force "$env:AEGIR_HOME/config/server_master/nginx/site.d/mv.test"
            [IO.File]::WriteAllText("$rules/hello.conf", 'location = /hello { return 302 /from-the-site; }')
            (New-AegirSite mv.test -Platform tuned-nginx).Status | Should -Be 'Installed'
            (Invoke-Site -Port $port -HostName mv.test -Path /hello).Location | Should -Match '/from-the-site$'
            $move = Move-AegirSite mv.test -Platform tuned-apache -Force
            $move.Status | Should -Be 'Warning' -Because ($move.Log.Message -join "`n")
            ($move.Log | Where-Object Level -eq 'Warning').Message | Should -Match "are nginx's.*served by apache.*not carried over"
            Test-Path $rules | Should -BeFalse
            (Remove-AegirSite mv.test -NoBackup -Force).Status | Should -Be 'Succeeded'
            (New-AegirSite mv.test -Platform tuned-nginx).Status | Should -Be 'Installed'
            (Invoke-Site -Port $port -HostName mv.test -Path /hello).Status | Should -Not -Be 302
            (Remove-AegirSite mv.test -NoBackup -Force).Status | Should -Be 'Succeeded'
        }

        It 'includes an admin''s own rules for one site, and for every site of a platform, on <_>' -ForEach 'nginx', 'apache' {
            $port = $_ -eq 'nginx' ? $port : $apachePort
            $uri = "up-$_.test"
            $server = $_ -eq 'nginx' ? 'server_master' : 'server_tunedbox'
            $site = New-Item -ItemType Directory -Force "$env:AEGIR_HOME/config/$server/$_/site.d/$uri"
            $platform = New-Item -ItemType Directory -Force "$env:AEGIR_HOME/config/$server/$_/platform.d/platform_tuned$_"
            if ($_ -eq 'nginx') {
                Set-Content "$site/hello.conf" 'location = /hello { return 302 /from-the-site; }'
                Set-Content "$platform/hello.conf" 'location = /all { return 302 /from-the-platform; }'
            }
            else {
                Set-Content "$site/hello.conf" 'RedirectMatch 302 ^/hello$ /from-the-site'
                Set-Content "$platform/hello.conf" 'RedirectMatch 302 ^/all$ /from-the-platform'
            }
            (Invoke-AegirVerify $uri).Status | Should -Be 'Succeeded'
            (Invoke-Site -Port $port -HostName $uri -Path /hello).Location | Should -Match '/from-the-site$'
            (Invoke-Site -Port $port -HostName $uri -Path /all).Location | Should -Match '/from-the-platform$'
            # The site's rules follow its name, and go with it: a later site of the old name does not inherit them.
            $renamed = "ren-$_.test"
            (Rename-AegirSite $uri $renamed -Force).Status | Should -Be 'Succeeded'
            Test-Path $site | Should -BeFalse
            (Invoke-Site -Port $port -HostName $renamed -Path /hello).Location | Should -Match '/from-the-site$'
            (Remove-AegirSite $renamed -NoBackup -Force).Status | Should -Be 'Succeeded'
            Test-Path "$env:AEGIR_HOME/config/$server/$_/site.d/$renamed" | Should -BeFalse
            Test-Path $platform | Should -BeTrue
            Remove-AegirPlatform "tuned-$_" -Force
            Test-Path $platform | Should -BeFalse
        }
    }

    Describe 'A php platform without a manifest' {
        BeforeAll {
            $plain = Join-Path $work 'platforms/plain'
            Write-DbPage $plain
            Write-Tree $plain @{ 'composer.json' = '{"name": "acme/plain", "version": "0.9.1"}'; 'vendor/autoload.php' = '<?php' }
            $null = New-Item -ItemType Directory -Force "$plain/core/lib"
            Set-Content "$plain/core/lib/Drupal.php" "<?php class Drupal { const VERSION = '10.3.1'; }"
        }

        It 'takes a chosen kind over detection, with the version composer.json states' {
            $p = New-AegirPlatform plain $plain -Kind php
            $p.Kind, $p.Version | Should -Be @('php', '0.9.1')
            (Invoke-AegirVerify plain -PassThru).Kind | Should -Be 'php'
        }

        It 'says no installer ran, warns that -Title went unused, and still denies composer''s files' {
            $site = New-AegirSite plain.test -Platform plain -Title 'Unused' -WarningVariable warned 3>$null
            $site.Status | Should -Be 'Installed'
            "$warned" | Should -Match '-Title was not used'
            (Get-AegirTask -Target plain.test -Type install -First 1).Log.Message | Should -Contain "No installer ran: @platform_plain (php) declares no install command, so the database is left empty for the application (a manifest's 'install' key names one; see about_Aegir)."
            (stat -c '%a %G' "$plain/files/plain.test") | Should -Be '2770 www-data'
            (Invoke-Site -Port $port -HostName plain.test -Path '/composer.json').Status | Should -Be 403
            (Invoke-Site -Port $port -HostName plain.test -Path '/vendor/autoload.php').Status | Should -Be 403
            Invoke-AegirSiteCommand plain.test -Cron -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].Exception.Message | Should -Match "has no cron command.*'cron' key"
        }
    }
}
