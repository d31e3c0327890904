# An Aegir 3 server's contexts taken in from its alias files (written here as Aegir writes them, from the seed's
# examples): a database server with its admin in master_db, two Drupal 7 platforms, sites with their databases in
# their own drushrc.php, aliases, a redirection and a disabled site; Aegir's front end left out.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Import-AegirContext' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $master = Start-AegirLocalServer master -HttpServiceType nginx
        $port = $master.Http.GetInt('port')
        $dbPort = $master.Db.GetInt('port')
        # The old server's database admin, as Aegir's master_db names it (its password url-encoded there).
        Invoke-Sql -Sql "CREATE USER 'iadmin'@'127.0.0.1' IDENTIFIED BY 'I-Admin/Pw-7'; GRANT ALL ON *.* TO 'iadmin'@'127.0.0.1' WITH GRANT OPTION;"

        function Write-Alias([string] $Dir, [string] $Name, [string] $Body) {
            $null = New-Item -ItemType Directory -Force $Dir
            Set-Content "$Dir/$Name.alias.drushrc.php" "<?php `n`$aliases['$Name'] = array (`n$Body`n);`n"
        }

        # Two Drupal 7 platforms; each front page shows what its site's database holds, read with the credentials
        # the vhost hands PHP.
        $page = @'
<?php
$db = new mysqli($_SERVER['db_host'], $_SERVER['db_user'], $_SERVER['db_passwd'], $_SERVER['db_name'], (int)$_SERVER['db_port']);
echo $_SERVER['db_name'], ': ', $db->query('SELECT body FROM note')->fetch_row()[0];
'@
        foreach ($p in 'ia', 'ib') {
            New-DrupalShapedCodebase "$work/platforms/$p" -Seven
            Set-Content "$work/platforms/$p/index.php" $page
        }
        # Aegir's sites as it left them: settings.php reads the database from the vhost, drushrc.php names it.
        $sites = @(
            @{ Uri = 'alpha.i.test'; Platform = 'ia'; Db = 'ialpha'; Pw = 'Alpha-Pw-1'; Data = 'alpha data' }
            @{ Uri = 'beta.i.test'; Platform = 'ib'; Db = 'ibeta'; Pw = "Beta'Pw-2"; Data = 'beta data' }
            @{ Uri = 'gamma.i.test'; Platform = 'ib'; Db = 'igamma'; Pw = 'Gamma-Pw-3'; Data = 'gamma data' }
        )
        foreach ($s in $sites) {
            $sql = $s.Pw.Replace("'", "''")
            Invoke-Sql -Sql "CREATE DATABASE $($s.Db); CREATE USER '$($s.Db)'@'127.0.0.1' IDENTIFIED BY '$sql'; GRANT ALL ON $($s.Db).* TO '$($s.Db)'@'127.0.0.1';"
            Invoke-Sql -Database $s.Db -Sql "CREATE TABLE system (name VARCHAR(255) NOT NULL); INSERT INTO system VALUES ('node'); CREATE TABLE note (body VARCHAR(64)); INSERT INTO note VALUES ('$($s.Data)');"
            $folder = "$work/platforms/$($s.Platform)/sites/$($s.Uri)"
            $null = New-Item -ItemType Directory -Force "$folder/files"
            Set-Content "$folder/settings.php" @'
<?php
if (isset($_SERVER['db_name'])) {
  $databases['default']['default'] = array(
    'driver' => $_SERVER['db_type'],
    'database' => $_SERVER['db_name'],
    'username' => $_SERVER['db_user'],
    'password' => $_SERVER['db_passwd'],
    'host' => $_SERVER['db_host'],
    'port' => (string) $_SERVER['db_port'],
  );
}
'@
            $php = $s.Pw.Replace("'", "\'")
            Set-Content "$folder/drushrc.php" @"
<?php 

`$options['db_type'] = 'mysql';
`$options['db_port'] = '3306';
`$options['db_host'] = 'localhost';
`$options['db_user'] = '$($s.Db)';
`$options['db_passwd'] = '$php';
`$options['db_name'] = '$($s.Db)';
`$options['profile'] = 'standard';

# Aegir additions.
`$_SERVER['db_type'] = `$options['db_type'];
`$_SERVER['db_port'] = `$options['db_port'];
`$_SERVER['db_host'] = `$options['db_host'];
`$_SERVER['db_user'] = `$options['db_user'];
`$_SERVER['db_passwd'] = `$options['db_passwd'];
`$_SERVER['db_name'] = `$options['db_name'];

# Local non-aegir-generated additions.
@include_once('$folder/local.drushrc.php');
"@
        }

        $drush = "$work/drush"
        Write-Alias $drush server_master @"
  'context_type' => 'server',
  'server' => '@server_master',
  'remote_host' => 'aegir.i.test',
  'aegir_root' => '/var/aegir',
  'script_user' => 'aegir',
  'ip_addresses' => array (),
  'backup_path' => '/var/aegir/backups',
  'http_service_type' => 'nginx',
  'http_port' => '80',
  'http_restart_cmd' => 'sudo /etc/init.d/nginx reload',
  'web_group' => 'www-data',
"@
        Write-Alias $drush server_localhost @"
  'context_type' => 'server',
  'server' => '@server_master',
  'remote_host' => 'localhost',
  'db_service_type' => 'mysql',
  'master_db' => 'mysql://iadmin:I-Admin%2FPw-7@127.0.0.1',
  'db_port' => '$dbPort',
  'db_grant_all_hosts' => false,
  'utf8mb4_is_supported' => true,
"@
        foreach ($p in 'ia', 'ib') {
            Write-Alias $drush "platform_$p" @"
  'context_type' => 'platform',
  'server' => '@server_master',
  'web_server' => '@server_master',
  'root' => '$work/platforms/$p',
  'makefile' => '',
"@
        }
        Write-Alias $drush platform_hostmaster @"
  'context_type' => 'platform',
  'web_server' => '@server_master',
  'root' => '/var/aegir/hostmaster-7.x-3.190',
"@
        Write-Alias $drush hostmaster @"
  'context_type' => 'site',
  'platform' => '@platform_hostmaster',
  'db_server' => '@server_localhost',
  'uri' => 'aegir.i.test',
  'profile' => 'hostmaster',
"@
        Write-Alias $drush alpha.i.test @"
  'context_type' => 'site',
  'platform' => '@platform_ia',
  'server' => '@server_master',
  'db_server' => '@server_localhost',
  'uri' => 'alpha.i.test',
  'root' => '$work/platforms/ia',
  'site_path' => '$work/platforms/ia/sites/alpha.i.test',
  'site_enabled' => true,
  'language' => 'en',
  'aliases' => array ( 0 => 'www.alpha.i.test', ),
  'redirection' => false,
  'profile' => 'standard',
  'boa_extra' => 'not-for-the-log',
"@
        Write-Alias $drush beta.i.test @"
  'context_type' => 'site',
  'platform' => '@platform_ib',
  'db_server' => '@server_localhost',
  'uri' => 'beta.i.test',
  'site_enabled' => true,
  'aliases' => array ( 0 => 'old.beta.i.test', ),
  'redirection' => 'beta.i.test',
  'profile' => 'minimal',
"@
        Write-Alias $drush gamma.i.test @"
  'context_type' => 'site',
  'platform' => '@platform_ib',
  'db_server' => '@server_localhost',
  'uri' => 'gamma.i.test',
  'site_enabled' => false,
"@
        function Get-Names { @(Get-ChildItem "$env:AEGIR_HOME/contexts" -Filter *.yml | ForEach-Object BaseName | Sort-Object) }
        $before = Get-Names
    }
    AfterAll {
        Stop-AegirLocalServer master -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    It 'lists what it would make under -WhatIf, and refuses a folder with a malformed alias file, recording nothing either way' {
        $null = Import-AegirContext $drush -WhatIf 3>$null
        Get-Names | Should -Be $before
        Test-Path "$work/platforms/ia/sites/alpha.i.test/settings.php.before-import" | Should -BeFalse

        $bad = "$work/drush-bad"
        Copy-Item -Recurse $drush $bad
        Set-Content "$bad/evil.i.test.alias.drushrc.php" "<?php`n`$aliases['evil.i.test'] = array (`n  'context_type' => 'site',`n  'uri' => 'evil' . shell_exec('id'),`n);`n"
        { Import-AegirContext $bad -ErrorAction Stop 3>$null } | Should -Throw '*evil.i.test.alias.drushrc.php, line 4*joined*Nothing was recorded*'
        Get-Names | Should -Be $before
    }

    It 'takes in the servers, platforms and sites, verified, each site answering with its own data under its names' {
        $made = Import-AegirContext $drush -WarningVariable warnings 3>$null
        ($made | ForEach-Object { "$($_.GetType().Name) $($_.Name)" }) | Should -Be @(
            'AegirServer server_localhost', 'AegirPlatform platform_ia', 'AegirPlatform platform_ib',
            'AegirSite alpha.i.test', 'AegirSite beta.i.test', 'AegirSite gamma.i.test')
        $said = $warnings -join "`n"
        $said | Should -Match "alpha\.i\.test\.alias\.drushrc\.php: unknown key 'boa_extra'"
        $said | Should -Match 'hostmaster\.alias\.drushrc\.php: .*front end'
        $said | Should -Match '@server_master is recorded here already'
        $said | Should -Match "'http_restart_cmd' is not carried"
        $said | Should -Not -Match 'not-for-the-log'

        $db = Get-AegirServer localhost
        $db.Db.Type | Should -Be 'mysql'
        $db.Db.Get('admin_user') | Should -Be 'iadmin'
        (Get-Content -Raw $db.Path) | Should -Match 'admin_password: I-Admin/Pw-7'
        (stat -c '%a' $db.Path) | Should -Be '600'
        (Get-AegirPlatform ia).Kind | Should -Be 'drupal7'

        $alpha = Get-AegirSite alpha.i.test
        $alpha.DbName, $alpha.DbServerName, $alpha.Status | Should -Be 'ialpha', 'server_localhost', 'Installed'
        $alpha.Aliases | Should -Be 'www.alpha.i.test'
        Get-SitePassword alpha.i.test | Should -Be 'Alpha-Pw-1' -Because 'the site keeps the account and password Aegir gave it'
        (Invoke-Site -Port $port -HostName alpha.i.test).Body | Should -Be 'ialpha: alpha data'
        (Invoke-Site -Port $port -HostName www.alpha.i.test).Body | Should -Be 'ialpha: alpha data'
        Get-Content -Raw "$work/platforms/ia/sites/alpha.i.test/settings.php" | Should -Not -Match 'Alpha-Pw-1'
        (stat -c '%a' "$work/platforms/ia/sites/alpha.i.test/drushrc.php") | Should -Be '400' -Because 'Aegir''s record of the site holds its password'

        $beta = Get-AegirSite beta.i.test
        $beta.Redirection, $beta.Profile | Should -Be 'beta.i.test', 'minimal'
        (Invoke-Site -Port $port -HostName beta.i.test).Body | Should -Be 'ibeta: beta data'
        $moved = Invoke-Site -Port $port -HostName old.beta.i.test
        $moved.Status | Should -Be 301
        $moved.Location | Should -BeLike 'http://beta.i.test*'

        (Get-AegirSite gamma.i.test).Status | Should -Be 'Disabled'
        (Invoke-Site -Port $port -HostName gamma.i.test).Status | Should -Be 503
        Invoke-Sql -Database igamma -Sql 'SELECT body FROM note' | Should -Be 'gamma data'

        Get-AegirSite aegir.i.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-AegirPlatform hostmaster -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        # The task records as stored and their logs as shown: no password of the old server's, in any spelling.
        $logs = (@(Get-ChildItem "$env:AEGIR_HOME/tasks" -Recurse -File | Get-Content -Raw) + (Get-AegirTask).Log.Message) -join "`n"
        $logs | Should -Match 'ialpha'
        foreach ($secret in 'I-Admin/Pw-7', 'Alpha-Pw-1', "Beta'Pw-2", 'Gamma-Pw-3') { $logs | Should -Not -Match ([regex]::Escape($secret)) }

        # Again: what is recorded is left as it is, nothing more is made.
        $again = Import-AegirContext $drush -WarningVariable second 3>$null
        $again | Should -BeNullOrEmpty
        ($second -join "`n") | Should -Match '@alpha\.i\.test is recorded here already'
    }

    It 'only records a server on another machine and its platform with -NoVerify, reaching neither' {
        $far = "$work/drush-far"
        Write-Alias $far server_farweb @"
  'context_type' => 'server',
  'remote_host' => 'farweb.invalid',
  'script_user' => 'aegir',
  'aegir_root' => '/srv/aegir',
  'http_service_type' => 'apache_ssl',
  'http_port' => 8081,
  'http_ssl_port' => 8443,
  'db_service_type' => 'mysql',
  'master_db' => 'mysql://root:Far-Secret%40x@db.farweb.invalid:3307',
"@
        Write-Alias $far platform_far @"
  'context_type' => 'platform',
  'web_server' => '@server_farweb',
  'root' => '/srv/aegir/platforms/far',
"@
        $made = Import-AegirContext $far -NoVerify -Verbose 4>&1 3>$null
        $made | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Out-String | Should -Not -Match 'Far-Secret'
        $server = Get-AegirServer farweb
        $server.RemoteHost, $server.ScriptUser, $server.AegirRoot | Should -Be 'farweb.invalid', 'aegir', '/srv/aegir'
        $server.Http.Type, $server.Http.GetInt('port'), $server.Http.GetInt('https_port') | Should -Be 'apache', 8081, 8443
        $server.Db.Get('host'), $server.Db.GetInt('port'), $server.Db.Get('admin_user') | Should -Be 'db.farweb.invalid', 3307, 'root'
        $server.Db.Settings['admin_password'] | Should -Be '********'
        (Get-Content -Raw $server.Path) | Should -Match 'admin_password: Far-Secret@x'
        $platform = Get-AegirPlatform far
        $platform.Root, $platform.WebServerName, $platform.Kind | Should -Be '/srv/aegir/platforms/far', 'server_farweb', $null
    }
}
