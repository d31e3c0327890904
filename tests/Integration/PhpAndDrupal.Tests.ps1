# A plain PHP application on nginx and on Apache (databases on the nginx server), and Drupal-shaped
# codebases (Drupal core cannot be downloaded here): kind, version and packages, and installs through drush.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'PHP and Drupal platforms' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        # Not TestDrive: Pester empties what an inner block made there when the block ends.
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $nginx = Start-AegirLocalServer master -HttpServiceType nginx
        $apache = Start-AegirLocalServer apachebox -HttpServiceType apache -NoDatabase

        # A PHP application that reads the cloaked credentials and uses its database.
        $app = @'
<?php
$db = new mysqli($_SERVER['db_host'], $_SERVER['db_user'], $_SERVER['db_passwd'], $_SERVER['db_name'], (int)$_SERVER['db_port']);
$db->query('CREATE TABLE IF NOT EXISTS visits (id INT AUTO_INCREMENT PRIMARY KEY)');
$db->query('INSERT INTO visits () VALUES ()');
$n = $db->query('SELECT COUNT(*) FROM visits')->fetch_row()[0];
echo "site=", $_SERVER['aegir_site'], " db=", $_SERVER['db_name'], " visits=", $n, "\n";
'@
        foreach ($name in 'phpn', 'phpa') {
            $null = New-Item -ItemType Directory -Force "$work/platforms/$name"
            Set-Content "$work/platforms/$name/index.php" $app
        }
        $null = New-AegirPlatform phpn "$work/platforms/phpn"
        $null = New-AegirPlatform phpa "$work/platforms/phpa" -WebServer apachebox
        $null = Invoke-AegirVerify phpn, phpa -ErrorAction Stop

        function New-Tree([string] $Root, [hashtable] $Files) {
            foreach ($path in $Files.Keys) {
                $full = Join-Path $Root $path
                $null = New-Item -ItemType Directory -Force (Split-Path $full)
                Set-Content $full $Files[$path]
            }
        }
        $d10 = "$work/platforms/d10"
        New-Tree $d10 @{
            'index.php'                                            = '<?php echo "drupal";'
            'core/lib/Drupal.php'                                  = "<?php`nclass Drupal {`n  const VERSION = '10.3.1';`n}"
            'core/modules/node/node.info.yml'                      = "name: Node`ntype: module`nversion: VERSION`n"
            'core/modules/node/tests/modules/node_test/node_test.info.yml' = "name: Node test`ntype: module`n"
            'core/themes/olivero/olivero.info.yml'                 = "name: Olivero`ntype: theme`nversion: VERSION`n"
            'core/profiles/standard/standard.info.yml'             = "name: Standard`ntype: profile`nversion: VERSION`n"
            'modules/contrib/token/token.info.yml'                 = "name: Token`ntype: module`nversion: '8.x-1.15'`n"
            'themes/custom/acme/acme.info.yml'                     = "name: 'Acme theme'`ntype: theme`n"
        }
        $d7 = "$work/platforms/d7"
        New-Tree $d7 @{
            'index.php'                              = '<?php echo "drupal 7";'
            'includes/bootstrap.inc'                 = "<?php`ndefine('VERSION', '7.101');"
            'modules/node/node.info'                 = "name = Node`ncore = 7.x`nversion = `"7.101`""
            'sites/all/modules/views/views.info'     = "name = Views`ncore = 7.x`nversion = `"7.x-3.29`""
            'themes/bartik/bartik.info'              = "name = Bartik`ncore = 7.x"
        }
        $null = New-AegirPlatform d10 $d10 -NoVerify 3>$null
        $null = New-AegirPlatform d7 $d7 -NoVerify 3>$null
    }
    AfterAll {
        Stop-AegirLocalServer apachebox -RemoveData -Confirm:$false
        Stop-AegirLocalServer master -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    Describe 'A PHP application' {
        It 'is recognised as php' {
            (Get-AegirPlatform phpn).Kind | Should -Be 'php'
        }

        It 'runs on nginx with its own database, and holds no password' -ForEach @(
            @{ Uri = 'n.test'; Platform = 'phpn'; Server = 'master' }
            @{ Uri = 'a.test'; Platform = 'phpa'; Server = 'apachebox' }
        ) {
            $site = New-AegirSite $Uri -Platform $Platform
            $site.Status | Should -Be 'Installed'
            $site.AdminPassword | Should -BeNullOrEmpty
            $installed = Get-AegirSite $Uri
            $installed.DbServerName | Should -Be 'server_master'
            $port = (Get-AegirServer $Server).Http.GetInt('port')
            # The install's own check of the page was the first visit.
            (Invoke-Site -Port $port -HostName $Uri).Body | Should -Match "site=$([regex]::Escape($Uri)) db=$($installed.DbName) visits=2"
            (Invoke-Site -Port $port -HostName $Uri).Body | Should -Match 'visits=3'
            Invoke-Sql -Sql 'SELECT COUNT(*) FROM visits' -Database $installed.DbName | Should -Be 3
            Get-ChildItem -Recurse -File "$work/platforms/$Platform" | Select-String -SimpleMatch (Get-SitePassword $Uri) | Should -BeNullOrEmpty
        }

        It 'installs a pipeline of sites with one reload of the web server at the end' {
            $reloadsBefore = @(Get-AegirTask -Target master -Type reload).Count
            # A runspace of its own collects the progress records (the test runner's shows and silences them).
            $ps = [powershell]::Create('NewRunspace')
            $made = $ps.AddScript("Import-Module '$env:AEGIR_TEST_MODULE'; 'b1.test', 'b2.test', 'b3.test' | New-AegirSite -Platform phpn").Invoke()
            $made.Status | Should -Be @('Installed', 'Installed', 'Installed')
            # Progress: the pipeline as the parent (item n), each task's steps (step n of N) as its children.
            $progress = @($ps.Streams.Progress)
            $parent = $progress | Where-Object ActivityId -EQ 1
            $parent.StatusDescription | Should -Contain 'item 2: b2.test'
            $parent.StatusDescription | Should -Contain 'item 3: b3.test'
            ($parent.StatusDescription -join "`n") | Should -Match 'reloading 1 web server\(s\) once for the 3 item\(s\)'
            $children = $progress | Where-Object { $_.ActivityId -eq 2 -and $_.Activity -eq 'install @b3.test' }
            $children.ParentActivityId | Select-Object -Unique | Should -Be 1
            ($children.StatusDescription -join "`n") | Should -Match 'step 1 of \d+: record the site b3.test.*\n(.*\n)*step 2 of \d+: create database'
            ($progress | Where-Object { $_.Activity -eq 'reload @server_master' }).StatusDescription -join "`n" | Should -Match 'checked site 3 of 3: b\d\.test'
            $ps.Dispose()
            @(Get-AegirTask -Target master -Type reload).Count | Should -Be ($reloadsBefore + 1)
            foreach ($uri in 'b1.test', 'b2.test', 'b3.test') {
                (Get-AegirTask -Target $uri -Type install -First 1).Log.Message | Should -Contain "The config passed its test; '@server_master' reloads once at the end of this batch (a reload task)."
                (Invoke-Site -Port $nginx.Http.GetInt('port') -HostName $uri).Body | Should -Match "site=$uri"
            }
        }

        It 'serves the Apache site from Apache' {
            $vhost = Join-Path $env:AEGIR_HOME 'config/server_apachebox/apache/vhost.d/a.test.conf'
            Get-Content -Raw $vhost | Should -Match '<VirtualHost 127.0.0.1:'
            (Get-Item $vhost).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
            (Invoke-Site -Port $apache.Http.GetInt('port') -HostName n.test).Status | Should -Be 404   # not a.test's page
        }

        It 'disables and enables on Apache' {
            $port = $apache.Http.GetInt('port')
            $null = Disable-AegirSite a.test
            (Invoke-Site -Port $port -HostName a.test).Status | Should -Be 503
            $null = Enable-AegirSite a.test   # its check of the page is a visit too
            (Invoke-Site -Port $port -HostName a.test).Body | Should -Match 'visits=5'
        }
    }

    Describe 'Install-AegirSite' {
        It 'refuses a platform that was never verified, and leaves nothing' {
            $null = New-AegirSite x.test -Platform d7 -NoInstall
            Install-AegirSite x.test -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].Exception.Message | Should -Match 'has not been verified'
            (Get-AegirSite x.test).Status | Should -Be 'NotInstalled'
            Invoke-Sql -Sql "SHOW DATABASES LIKE 'xtest%'" | Should -BeNullOrEmpty
            $null = Remove-AegirSite x.test -Force
        }
    }

    Describe 'A Drupal-shaped platform' {
        It 'is recognised with its version' {
            (Invoke-AegirVerify d10).Status | Should -Be 'Succeeded'
            (Invoke-AegirVerify d7).Status | Should -Be 'Succeeded'
            $p = Get-AegirPlatform d10, d7
            $p.Kind | Should -Be @('drupal', 'drupal7')
            $p.Version | Should -Be @('10.3.1', '7.101')
        }

        It 'lists its packages with versions, core ones with core''s' {
            $packages = Get-AegirPackage -Platform d10
            $byName = @{}; $packages | ForEach-Object { $byName[$_.Name] = $_ }
            $byName['drupal'].Version | Should -Be '10.3.1'
            $byName['node'].Version | Should -Be '10.3.1'
            $byName['node'].Type | Should -Be 'module'
            $byName['token'].Version | Should -Be '8.x-1.15'
            $byName['olivero'].Type | Should -Be 'theme'
            $byName['standard'].Type | Should -Be 'profile'
            $byName['acme'].Title | Should -Be 'Acme theme'
            $byName.ContainsKey('node_test') | Should -BeFalse
            $seven = Get-AegirPackage -Platform d7
            ($seven | Where-Object Name -EQ views).Version | Should -Be '7.x-3.29'
            ($seven | Where-Object Name -EQ node).Version | Should -Be '7.101'
        }

        It 'fails an install without drush clearly, and leaves nothing behind' {
            New-AegirSite nodrush.test -Platform d10 -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $errs[0].Exception.Message | Should -Match 'no drush in .*vendor/bin'
            $errs[0].Exception.Message | Should -Match 'composer require drush/drush'
            Get-AegirSite nodrush.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Invoke-Sql -Sql "SHOW DATABASES LIKE 'nodrush%'" | Should -BeNullOrEmpty
            Test-Path "$d10/sites/nodrush.test" | Should -BeFalse
        }

        It 'installs through drush site:install, with the database in the environment and no password in arguments or files' {
            # A drush stand-in: records how it was called (into a folder of the script user's: it runs as that user, with
            # nothing of the caller's environment), and installs what core.extension needs.
            $drush = "$d10/vendor/bin/drush"
            $null = New-Item -ItemType Directory -Force (Split-Path $drush), "$work/drushlog"
            chmod 1777 "$work/drushlog"
            Set-Content $drush (@'
#!/bin/sh
if [ "$1" = status ]; then echo Successful; exit 0; fi
printf '%s\n' "$@" > "@LOG@.args"
env | sort > "@LOG@.env"
printf '[client]\nuser=%s\npassword=%s\nhost=%s\nport=%s\n' "$db_user" "$db_passwd" "$db_host" "$db_port" > "@LOG@.cnf"
chmod 600 "@LOG@.cnf"
mariadb --defaults-extra-file="@LOG@.cnf" "$db_name" -e "CREATE TABLE config (collection VARCHAR(255) NOT NULL DEFAULT '', name VARCHAR(255) NOT NULL, data LONGBLOB); INSERT INTO config VALUES ('', 'core.extension', 'a:2:{s:6:\"module\";a:2:{s:4:\"node\";i:0;s:5:\"token\";i:0;}s:5:\"theme\";a:1:{s:7:\"olivero\";i:0;}}');" || exit 1
rm -f "@LOG@.cnf"
echo " [success] Installation complete.  User name: admin  User password: Gen3ratedByDrush"
'@).Replace('@LOG@', "$work/drushlog/drush")
            chmod 755 $drush
            $env:AEGIR_IT_CANARY = 'from the caller'
            try { $site = New-AegirSite d.test -Platform d10 -Profile standard }
            finally { Remove-Item Env:AEGIR_IT_CANARY }
            $site.Status | Should -Be 'Installed'
            $site.AdminPassword | ConvertFrom-SecureString -AsPlainText | Should -Be 'Gen3ratedByDrush'
            $password = Get-SitePassword d.test
            $args = Get-Content "$work/drushlog/drush.args"
            $args[0..1] | Should -Be @('site:install', 'standard')
            $args | Should -Contain '--sites-subdir=d.test'
            ($args -join ' ') | Should -Not -Match ([regex]::Escape($password))
            $seenEnv = Get-Content "$work/drushlog/drush.env"
            $seenEnv | Should -Contain "db_name=$((Get-AegirSite d.test).DbName)"
            $seenEnv | Where-Object { $_ -like 'AEGIR_IT_CANARY=*' -or $_ -like 'AEGIR_HOME=*' } | Should -BeNullOrEmpty -Because 'the installer sees nothing of the caller''s environment'
            (stat -c '%U' "$work/drushlog/drush.args") | Should -Be (Get-AegirSite d.test).UnixUser -Because 'the installer runs as the site''s own account'
            (Get-AegirSite d.test).UnixUser | Should -Match '^d-test-[0-9a-f]{6}$'
            $settings = "$d10/sites/d.test/settings.php"
            (Get-Item $settings).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, GroupRead')
            (stat -c '%G' $settings) | Should -Be 'www-data'
            Get-Content -Raw $settings | Should -Not -Match ([regex]::Escape($password))
            (stat -c '%a %G' "$d10/sites/d.test/files") | Should -Be '2770 www-data'
            (stat -c '%a' "$d10/sites/d.test/modules") | Should -Be '2775'
            (Get-AegirTask -Target d.test -First 1 | ConvertTo-Json -Depth 5) | Should -Not -Match 'Gen3ratedByDrush'
        }

        It 'reads which packages the site has enabled from its config' {
            $packages = Get-AegirPackage -Site d.test
            ($packages | Where-Object Enabled).Name | Sort-Object | Should -Be @('drupal', 'node', 'olivero', 'token')
        }

        It 'removes the site folder with the site' {
            (Remove-AegirSite d.test -Force).Status | Should -Be 'Succeeded'
            Test-Path "$d10/sites/d.test" | Should -BeFalse
        }
    }

    Describe 'A Drupal 7 site as Drupal 7 keeps it' {
        BeforeAll {
            # A front page that connects as Drupal 7's MySQL driver does: utf8 unless the settings say utf8mb4, then
            # SET NAMES with the settings' collation, which MariaDB refuses when it is of the other character set. As
            # Drupal 7's image_style_deliver, it makes an image style's derivative in the site's files when first asked
            # for one; /conf shows what Drupal 7 reads of its settings ($conf); any other path is Drupal's 404.
            $frontPage = @'
<?php
$databases = array();
$conf = array();
$site = $_SERVER['aegir_site'];
require __DIR__ . '/sites/' . $site . '/settings.php';
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path === '/conf') { echo 'temp=', $conf['file_temporary_path'], ' hosts=', implode(',', $conf['trusted_host_patterns']); exit; }
if (preg_match('{^/sites/' . preg_quote($site) . '/files/styles/([a-z_]+)/public/([a-z0-9_.]+)$}', $path, $m)) {
  $files = __DIR__ . "/sites/$site/files";
  $target = "$files/styles/{$m[1]}/public/{$m[2]}";
  if (!is_file("$files/{$m[2]}")) { http_response_code(404); exit; }
  if ((!is_dir(dirname($target)) && !@mkdir(dirname($target), 0775, TRUE)) || @file_put_contents($target, 'derivative of ' . file_get_contents("$files/{$m[2]}")) === FALSE) {
    http_response_code(500); echo 'Unable to generate the derived image'; exit;
  }
  echo file_get_contents($target); exit;
}
if ($path !== '/') { http_response_code(404); echo 'Page not found'; exit; }
$c = $databases['default']['default'];
$charset = (isset($c['charset']) && $c['charset'] === 'utf8mb4') ? 'utf8mb4' : 'utf8';
$db = new PDO("mysql:host={$c['host']};port={$c['port']};dbname={$c['database']};charset=$charset", $c['username'], $c['password'], [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$db->exec(empty($c['collation']) ? "SET NAMES $charset" : "SET NAMES $charset COLLATE {$c['collation']}");
echo 'drupal 7 on ', $c['database'], ' as ', $db->query('SELECT @@character_set_connection')->fetchColumn(), ': ', $db->query('SELECT name FROM system LIMIT 1')->fetchColumn();
'@
            $sevens = @{}
            foreach ($pair in @(@('seven', 'master'), @('sevenapache', 'apachebox'))) {
                $root = "$work/platforms/$($pair[0])"
                New-DrupalShapedCodebase $root -Seven
                Set-Content "$root/index.php" $frontPage
                $null = New-AegirPlatform $pair[0] $root -WebServer $pair[1]
                $sevens[$pair[0]] = $root
            }
            $seven = $sevens.seven
            $port = $nginx.Http.GetInt('port')
        }

        It 'takes in a site made by Drupal''s installer as root on <Web>: its stock settings.php with commented examples, its tables in utf8mb3, its files folder root''s' -ForEach @(
            @{ Web = 'nginx'; Platform = 'seven'; Uri = 'old7.test'; Db = 'olddseven' }
            @{ Web = 'apache'; Platform = 'sevenapache'; Uri = 'old7a.test'; Db = 'olddsevena' }
        ) {
            $root = $sevens[$Platform]
            $webPort = (Get-AegirServer ($Web -eq 'nginx' ? 'master' : 'apachebox')).Http.GetInt('port')
            Invoke-Sql -Sql "CREATE DATABASE $Db CHARACTER SET utf8mb3; CREATE USER '$Db'@'127.0.0.1' IDENTIFIED BY 'Seven-Pass-7'; GRANT ALL ON $Db.* TO '$Db'@'127.0.0.1';"
            Invoke-Sql -Database $Db -Sql "CREATE TABLE system (name VARCHAR(255) NOT NULL) DEFAULT CHARSET=utf8mb3; INSERT INTO system VALUES ('node');"
            $folder = "$root/sites/$Uri"
            # What Drupal's installer, run as root, leaves in the files folder: its .htaccess and the image styles' folder, root's.
            $null = New-Item -ItemType Directory -Force "$folder/files/styles"
            Set-Content "$folder/files/picture.png" 'a picture'
            Set-Content "$folder/files/.htaccess" 'SetHandler Drupal_Security_Do_Not_Remove_See_SA_2006_006'
            chmod 775 "$folder/files/styles"
            chmod 444 "$folder/files/.htaccess"
            Set-Content "$folder/settings.php" (@'
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
 *   'prefix' => '',
 * );
 */
$databases = array();
$drupal_hash_salt = '';
$databases = array (
  'default' =>
  array (
    'default' =>
    array (
      'database' => 'DBNAME',
      'username' => 'DBNAME',
      'password' => 'Seven-Pass-7',
      'host' => '127.0.0.1',
      'port' => 'DBPORT',
      'driver' => 'mysql',
      'prefix' => '',
    ),
  ),
);
'@).Replace('DBPORT', $nginx.Db.Get('port')).Replace('DBNAME', $Db)
            $task = Import-AegirSite -Platform $Platform -Uri $Uri
            $task.Status | Should -BeIn 'Succeeded', 'Warning' -Because ($task.Log.Message -join "`n")
            (Get-AegirSite $Uri).DbName | Should -Be $Db
            $page = Invoke-Site -Port $webPort -HostName $Uri
            $page.Status | Should -Be 200 -Because $page.Body
            $page.Body | Should -Be "drupal 7 on $Db as utf8mb3: node"
            $settings = Get-Content -Raw "$folder/settings.php"
            $settings | Should -Not -Match 'Seven-Pass-7'
            $settings | Should -Match "'collation' => 'utf8_general_ci'"
            $settings | Should -Not -Match "'charset'"
            # An image style is made when first asked for, by the web server, in the folder root left behind.
            $style = Invoke-Site -Port $webPort -HostName $Uri -Path "/sites/$Uri/files/styles/thumbnail/public/picture.png"
            $style.Status | Should -Be 200 -Because $style.Body
            $style.Body.Trim() | Should -Be 'derivative of a picture'
            (stat -c '%U' "$folder/files/styles/thumbnail/public/picture.png") | Should -Be (Get-AegirSite $Uri).UnixUser -Because 'the site''s PHP runs as its own account'
            (stat -c '%G %A' "$folder/files/styles") | Should -Be 'www-data drwxrwsr-x'
            (stat -c '%a' "$folder/files/.htaccess") | Should -Be '444' -Because 'what Drupal made read-only stays so'
            (Invoke-Site -Port $webPort -HostName $Uri -Path "/sites/$Uri/files/styles/thumbnail/public/picture.png").Body.Trim() | Should -Be 'derivative of a picture'
            (Invoke-Site -Port $webPort -HostName $Uri -Path "/sites/$Uri/files/nothing.png").Status | Should -Be 404
            Set-Content "$folder/files/styles/evil.php" '<?php echo "ran";'
            (Invoke-Site -Port $webPort -HostName $Uri -Path "/sites/$Uri/files/styles/evil.php").Status | Should -BeIn 403, 404
        }

        It 'installs a new site with Drupal 7''s own installer (a Drupal 7 core has no drush), as the site''s own account, in utf8mb4' {
            Test-Path "$seven/vendor/bin/drush" | Should -BeFalse
            $site = New-AegirSite new7.test -Platform seven -Title 'New Seven' -AdminEmail 'owner@new7.test'
            $site.Status | Should -Be 'Installed'
            $password = $site.AdminPassword | ConvertFrom-SecureString -AsPlainText
            $password | Should -Not -BeNullOrEmpty
            $db = (Get-AegirSite new7.test).DbName
            $page = Invoke-Site -Port $port -HostName new7.test
            $page.Status | Should -Be 200 -Because $page.Body
            $page.Body | Should -Be "drupal 7 on $db as utf8mb4: node"
            Get-Content -Raw "$seven/sites/new7.test/settings.php" | Should -Match "'charset' => 'utf8mb4'"
            Invoke-Sql -Database $db -Sql 'SELECT uid, name, mail FROM users' | Should -Be "1`tadmin`towner@new7.test"
            $account = (Get-AegirSite new7.test).UnixUser
            Invoke-Sql -Database $db -Sql "SELECT value FROM variable WHERE name = 'installed_by'" | Should -Be "s:$($account.Length):`"$account`";" -Because 'the installer runs as the site''s own account'
            Invoke-Sql -Database $db -Sql "SELECT value FROM variable WHERE name = 'site_name'" | Should -Be 's:9:"New Seven";'
            $hash = Invoke-Sql -Database $db -Sql 'SELECT pass FROM users WHERE uid = 1'
            & php -r 'exit(password_verify($argv[1], $argv[2]) ? 0 : 1);' -- $password $hash
            $LASTEXITCODE | Should -Be 0 -Because 'the admin password handed back is the one the installer was given'
            (Get-AegirTask -Target new7.test -First 1 | ConvertTo-Json -Depth 5) | Should -Not -Match ([regex]::Escape($password))
        }

        It 'gives Drupal 7 its temporary folder and trusted host names as the variables it reads' {
            (Invoke-Site -Port $port -HostName new7.test -Path '/conf').Body | Should -Be 'temp=sites/new7.test/private/temp hosts=^new7\.test$'
        }

        It 'runs the cron of a Drupal 7 site at its cron URL, with the key the site keeps' {
            $db = (Get-AegirSite new7.test).DbName
            Invoke-Sql -Database $db -Sql "SELECT COUNT(*) FROM variable WHERE name = 'cron_last'" | Should -Be 0
            $out = Invoke-AegirSiteCommand new7.test -Cron
            $out | Should -Match 'cron URL \(200\)'
            Invoke-Sql -Database $db -Sql "SELECT COUNT(*) FROM variable WHERE name = 'cron_last'" | Should -Be 1
        }
    }

    Describe 'Stop-AegirLocalServer' {
        It 'stops the instances and keeps their data for the next start' {
            $port = $apache.Http.GetInt('port')
            Stop-AegirLocalServer apachebox
            { Invoke-Site -Port $port -HostName a.test } | Should -Throw
            $again = Start-AegirLocalServer apachebox -HttpServiceType apache -NoDatabase
            $again.Http.GetInt('port') | Should -Be $port
            (Invoke-Site -Port $port -HostName a.test).Body | Should -Match 'site=a.test'
        }
    }
}
