# PostgreSQL beside MariaDB, on real private instances: a database and a role per site, let in from the web server
# only (pg_hba.conf), cloaked credentials with db_type pgsql, verify, delete; sites on either on one web server; and
# an undo PostgreSQL, stopped, does not let finish, kept with the site's record until it answers again.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'PostgreSQL' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $web = Start-AegirLocalServer -HttpServiceType nginx
        $port = $web.Http.GetInt('port')
        $pg = Start-AegirLocalServer pgbox -DbServiceType postgresql
        $hba = Invoke-PgSql -Server pgbox -Sql "SELECT current_setting('hba_file')"

        # A PHP application that writes and reads its database through the credentials the vhost hands it.
        $app = Join-Path $work 'platforms/app'
        $null = New-Item -ItemType Directory -Force $app
        Set-Content "$app/index.php" @'
<?php
$e = static fn(string $k) => $_SERVER[$k] ?? getenv($k);
$dsn = $e('db_type') === 'pgsql' ? "pgsql:host={$e('db_host')};port={$e('db_port')};dbname={$e('db_name')}" : "mysql:host={$e('db_host')};port={$e('db_port')};dbname={$e('db_name')}";
$db = new PDO($dsn, $e('db_user'), $e('db_passwd'), [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$db->exec('CREATE TABLE IF NOT EXISTS visits (at VARCHAR(40))');
$db->prepare('INSERT INTO visits VALUES (?)')->execute([date('c')]);
echo 'site=', $e('aegir_site'), ' type=', $e('db_type'), ' db=', $e('db_name'), ' visits=', $db->query('SELECT COUNT(*) FROM visits')->fetchColumn(), "\n";
'@
        $null = New-AegirPlatform app $app
        $drupal = Join-Path $work 'platforms/drupal'
        New-DrupalShapedCodebase $drupal
        Copy-Item "$app/index.php" "$drupal/index.php" -Force   # a front page that speaks either database
        $null = New-AegirPlatform drupal $drupal
        $seven = Join-Path $work 'platforms/seven'
        New-DrupalShapedCodebase $seven -Seven
        Copy-Item "$app/index.php" "$seven/index.php" -Force
        $null = New-AegirPlatform seven $seven
    }
    AfterAll {
        Stop-AegirLocalServer pgbox -RemoveData -Confirm:$false
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    It 'starts a private PostgreSQL whose superuser is reached only through its socket, and verifies it' {
        $pg.Db.Type | Should -Be 'postgresql'
        (Get-AegirTask -Target pgbox -Type verify -First 1).Status | Should -Be 'Succeeded'
        & psql -X -h 127.0.0.1 -p $pg.Db.Get('port') -U postgres -d postgres -c 'SELECT 1' -w 2>&1 | Out-Null
        $LASTEXITCODE | Should -Not -Be 0 -Because 'the superuser has no way in over TCP'
        Invoke-PgSql -Server pgbox -Sql 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user' | Should -Be 't'
    }

    It 'hosts a php site on it that reads and writes its database through the cloaked credentials' {
        $site = New-AegirSite pg.test -Platform app -DbServer pgbox
        $site.Status | Should -Be 'Installed'
        $db = (Get-AegirSite pg.test).DbName
        (Invoke-Site -Port $port -HostName pg.test).Body | Should -Match "site=pg.test type=pgsql db=$db visits=2"
        Invoke-PgSql -Server pgbox -Database $db -Sql 'SELECT COUNT(*) FROM visits' | Should -Be 2
        Invoke-PgSql -Server pgbox -Sql "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '$db'" | Should -Be $db
        # The credentials reach PHP through the site's own pool, never through the web server.
        Get-Content -Raw (Join-Path $env:AEGIR_HOME 'config/server_master/nginx/vhost.d/pg.test.conf') | Should -Not -Match 'db_'
        $pool = Get-Content -Raw (Join-Path (Get-AegirServer master).Http.Get('php_fpm_pool_dir') "aegir-$((Get-AegirSite pg.test).UnixUser).conf")
        $pool | Should -Match 'env\[db_type\] = "pgsql"'
        $pool | Should -Match "env\[db_port\] = `"$($pg.Db.Get('port'))`""
    }

    It 'lets the site''s role in from the web server only, to its own database only' {
        $db = (Get-AegirSite pg.test).DbName
        $rules = Get-Content $hba
        $rules | Should -Contain "host`t`"$db`"`t`"$db`"`t127.0.0.1/32`tscram-sha-256"
        $rules | Should -Contain "host`tall`t`"$db`"`tall`treject"
        $first = ($rules | Select-String -Pattern '^(local|host)' | Select-Object -First 1).Line
        $first | Should -Match "`"$db`"" -Because 'the site lines come first, before any general rule'
        $password = Get-SitePassword pg.test
        Invoke-PgSql -Server pgbox -Database $db -User $db -Password $password -Sql 'SELECT current_user' | Should -Be $db
        { Invoke-PgSql -Server pgbox -Database postgres -User $db -Password $password -Sql 'SELECT 1' } | Should -Throw -Because 'its role may connect to its own database only'
        (Get-AegirSiteCredential pg.test).Driver | Should -Be 'pgsql'
    }

    It 'never holds the role''s clear password anywhere PostgreSQL keeps it' {
        $db = (Get-AegirSite pg.test).DbName
        Invoke-PgSql -Server pgbox -Sql "SELECT rolpassword LIKE 'SCRAM-SHA-256`$4096:%' FROM pg_authid WHERE rolname = '$db'" | Should -Be 't'
        Get-Content -Raw (Join-Path $env:AEGIR_HOME 'local/server_pgbox/postgresql/postgresql.log') | Should -Not -Match ([regex]::Escape((Get-SitePassword pg.test)))
    }

    It 'verifies a site whose rules were lost, putting its pg_hba.conf lines back' {
        $db = (Get-AegirSite pg.test).DbName
        (Get-Content $hba) | Where-Object { $_ -notmatch "`"$db`"" } | Set-Content $hba
        Invoke-PgSql -Server pgbox -Sql 'SELECT pg_reload_conf()' | Out-Null
        (Invoke-AegirVerify pg.test).Status | Should -Be 'Succeeded'
        Get-Content $hba | Should -Contain "host`t`"$db`"`t`"$db`"`t127.0.0.1/32`tscram-sha-256"
        (Invoke-Site -Port $port -HostName pg.test).Body | Should -Match 'type=pgsql'
    }

    It 'writes a Drupal-shaped site''s settings with the pgsql driver and installs it through drush' {
        $site = New-AegirSite d.test -Platform drupal -DbServer pgbox
        $site.Status | Should -Be 'Installed'
        $settings = Get-Content -Raw "$drupal/sites/d.test/settings.php"
        $settings | Should -Match "'driver' => 'pgsql'"
        $settings | Should -Not -Match 'collation'
        Invoke-PgSql -Server pgbox -Database (Get-AegirSite d.test).DbName -Sql "SELECT name FROM config" | Should -Be 'core.extension'
    }

    It 'installs a Drupal 7 site on it with Drupal 7''s own installer, and runs its cron at its cron URL' {
        $site = New-AegirSite d7.test -Platform seven -DbServer pgbox
        $site.Status | Should -Be 'Installed'
        $db = (Get-AegirSite d7.test).DbName
        Get-Content -Raw "$seven/sites/d7.test/settings.php" | Should -Match "'driver' => 'pgsql'"
        Invoke-PgSql -Server pgbox -Database $db -Sql 'SELECT name FROM users WHERE uid = 1' | Should -Be 'admin'
        Invoke-PgSql -Server pgbox -Database $db -Sql "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'system'" | Should -Be $db
        (Invoke-Site -Port $port -HostName d7.test).Body | Should -Match "site=d7.test type=pgsql db=$db"
        Invoke-AegirSiteCommand d7.test -Cron | Should -Match 'cron URL \(200\)'
        Invoke-PgSql -Server pgbox -Database $db -Sql "SELECT COUNT(*) FROM variable WHERE name = 'cron_last'" | Should -Be 1
    }

    It 'hosts a site on MariaDB and one on PostgreSQL on the same web server' {
        $null = New-AegirSite my.test -Platform app
        (Invoke-Site -Port $port -HostName my.test).Body | Should -Match 'site=my.test type=mysql'
        (Invoke-Site -Port $port -HostName pg.test).Body | Should -Match 'site=pg.test type=pgsql'
        Invoke-Sql -Sql 'SELECT COUNT(*) FROM visits' -Database (Get-AegirSite my.test).DbName | Should -BeGreaterThan 0
    }

    It 'dumps a site''s database and imports it into another, owned by that site''s role' {
        $from = (Get-AegirSite pg.test).DbName
        $null = New-AegirSite pg2.test -Platform app -DbServer pgbox
        $to = (Get-AegirSite pg2.test).DbName
        Invoke-PgSql -Server pgbox -Database $to -Sql 'DROP TABLE visits' | Out-Null
        $service = [Aegir.Core.Services.PostgreSql.PostgreSqlService]::new((Get-AegirServer pgbox), [Aegir.Core.Operations.OperationEnvironment]::new([Aegir.Core.Operations.Engine]::new([Aegir.Core.Contexts.ContextStore]::new($env:AEGIR_HOME))))
        $dump = [IO.MemoryStream]::new()
        # Made as pg.test's own role, from the web server (no admin enters the site's database).
        $source = [Aegir.Core.Services.Http.SiteDatabase]::new('pgsql', '127.0.0.1', (Get-AegirServer pgbox).Db.GetInt('port'), $from, $from, (Get-SitePassword pg.test))
        $service.Dump((Get-AegirServer master), $source, $dump)
        $dump.Position = 0
        $site = [Aegir.Core.Services.Http.SiteDatabase]::new('pgsql', '127.0.0.1', (Get-AegirServer pgbox).Db.GetInt('port'), $to, $to, (Get-SitePassword pg2.test))
        $service.Import((Get-AegirServer master), $site, $dump)
        Invoke-PgSql -Server pgbox -Database $to -Sql "SELECT tableowner FROM pg_tables WHERE tablename = 'visits'" | Should -Be $to
        (Invoke-Site -Port $port -HostName pg2.test).Body | Should -Match 'site=pg2.test type=pgsql'
    }

    It 'runs SQL in a site''s database as its own role, with psql' {
        Invoke-AegirSiteCommand pg.test -Sql 'SELECT current_user, current_database()' | Select-Object -Last 2 | Select-Object -First 1 | Should -Be "$((Get-AegirSite pg.test).DbName)`t$((Get-AegirSite pg.test).DbName)"
    }

    It 'removes a site with its database, its role and its pg_hba.conf lines' {
        $db = (Get-AegirSite pg2.test).DbName
        (Remove-AegirSite pg2.test -Force).Status | Should -Be 'Succeeded'
        Invoke-PgSql -Server pgbox -Sql "SELECT COUNT(*) FROM pg_database WHERE datname = '$db'" | Should -Be 0
        Invoke-PgSql -Server pgbox -Sql "SELECT COUNT(*) FROM pg_roles WHERE rolname = '$db'" | Should -Be 0
        Get-Content $hba | Where-Object { $_ -match "`"$db`"" } | Should -BeNullOrEmpty
        (Invoke-Site -Port $port -HostName pg.test).Body | Should -Match 'site=pg.test'
    }

    It 'undoes a failed install on PostgreSQL: no database, no role, no rules left' {
        $before = Invoke-PgSql -Server pgbox -Sql "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database"
        $rolesBefore = Invoke-PgSql -Server pgbox -Sql "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles"
        $hbaBefore = Get-Content -Raw $hba
        New-AegirSite fail.test -Platform drupal -DbServer pgbox -ErrorAction SilentlyContinue
        Get-AegirSite fail.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Invoke-PgSql -Server pgbox -Sql "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database" | Should -Be $before
        Invoke-PgSql -Server pgbox -Sql "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles" | Should -Be $rolesBefore
        Get-Content -Raw $hba | Should -Be $hbaBefore
    }

    It 'keeps a new site''s record while PostgreSQL is down under its install, and finishes the undo once PostgreSQL answers' {
        $databases = @(Invoke-PgSql -Server pgbox -Sql 'SELECT datname FROM pg_database')
        $hbaBefore = Get-Content -Raw $hba
        # The drush stand-in waits a second for slow* sites before it reaches the database: PostgreSQL stops meanwhile.
        $child = Start-AegirChild 'New-AegirSite slowpg.test -Platform drupal -DbServer pgbox | Out-Null' -Warmup 'New-AegirSite slowpg.test -Platform drupal -DbServer pgbox -Plan | Out-Null'
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (-not ($made = @(Invoke-PgSql -Server pgbox -Sql 'SELECT datname FROM pg_database') | Where-Object { $_ -notin $databases }) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
        $made | Should -Not -BeNullOrEmpty
        kill -QUIT (Get-Content (Join-Path $env:AEGIR_HOME 'local/server_pgbox/postgresql/data/postmaster.pid') -TotalCount 1)
        $child.WaitForExit()

        $task = Get-AegirTask -Target slowpg.test -Type install -First 1
        $task.Status | Should -Be 'Failed'
        $task.Error | Should -BeLike "*could not be undone yet, because their server did not answer: drop database $made and user $made on '@server_pgbox'*"
        (Get-AegirSite slowpg.test).PendingUndo | Should -BeLike "task $($task.Id) (install on '@slowpg.test') waits to drop database $made*"
        { Enable-AegirSite slowpg.test -ErrorAction Stop } | Should -Throw -ErrorId 'UndoPending*'

        $null = Start-AegirLocalServer pgbox -DbServiceType postgresql -WarningAction SilentlyContinue
        Get-AegirSite slowpg.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Invoke-PgSql -Server pgbox -Sql "SELECT COUNT(*) FROM pg_database WHERE datname = '$made'" | Should -Be 0
        Invoke-PgSql -Server pgbox -Sql "SELECT COUNT(*) FROM pg_roles WHERE rolname = '$made'" | Should -Be 0
        Get-Content -Raw $hba | Should -Be $hbaBefore
        (Get-AegirTask -Id $task.Id).Error | Should -BeLike '*finished its undo*'
    }
}
