# An upgrade as Aegir users do it, on real nginx, PHP-FPM and MariaDB: sites of a PHP application move in one pipeline
# from its release 1 to its release 2, two at a time, and the application's update command changes each one's schema;
# one whose update fails goes back to release 1 with its old database, and the pipeline says so.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Upgrading sites to a new release in one pipeline' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        Install-TestPackage zstd
        $port = $server.Http.GetInt('port')
        $connect = '$db = new mysqli(getenv("db_host"), getenv("db_user"), getenv("db_passwd"), getenv("db_name"), (int)getenv("db_port"));'
        # Release 1 keeps entries; release 2 reads their schema_version column, which its update command adds.
        Write-Tree "$work/platforms/ledger1" @{
            '.aegir.yml'      = "name: Ledger`nversion: 1.0.0`ninstall: [php, bin/install.php]`ninstalled_tables: [entries]`n"
            'index.php'       = "<?php $connect echo 'ledger 1 of ', getenv('aegir_site'), ': ', `$db->query('SELECT body FROM entries LIMIT 1')->fetch_row()[0];"
            'bin/install.php' = "<?php $connect `$db->query('CREATE TABLE entries (body TEXT)'); `$db->query(`"INSERT INTO entries VALUES ('first entry')`");"
        }
        Write-Tree "$work/platforms/ledger2" @{
            '.aegir.yml'      = "name: Ledger`nversion: 2.0.0`ninstall: [php, bin/install.php]`nupdate: [php, bin/update.php, '{uri}']`ninstalled_tables: [entries]`n"
            'index.php'       = "<?php $connect `$row = `$db->query('SELECT body, schema_version FROM entries LIMIT 1')->fetch_row(); echo 'ledger 2 of ', getenv('aegir_site'), ': ', `$row[0], ' schema ', `$row[1];"
            'bin/install.php' = "<?php $connect `$db->query('CREATE TABLE entries (body TEXT, schema_version INT DEFAULT 2)'); `$db->query(`"INSERT INTO entries (body) VALUES ('first entry')`");"
            # A site whose entries hold the marker refuses its update, as a real update stops on data it cannot convert.
            'bin/update.php'  = "<?php $connect echo 'updating ', `$argv[1], ' as uid ', posix_geteuid(), PHP_EOL;
if (`$db->query(`"SELECT COUNT(*) FROM entries WHERE body = 'cannot convert'`")->fetch_row()[0] > 0) { fwrite(STDERR, 'an entry cannot be converted' . PHP_EOL); exit(3); }
`$db->query('ALTER TABLE entries ADD COLUMN schema_version INT DEFAULT 2'); echo 'schema at 2', PHP_EOL;"
        }
        $null = New-AegirPlatform ledger1 "$work/platforms/ledger1"
        $null = New-AegirPlatform ledger2 "$work/platforms/ledger2"
        $sites = 'ua.upgrade.test', 'ub.upgrade.test', 'uc.upgrade.test'
        foreach ($uri in $sites) { $null = New-AegirSite $uri -Platform ledger1 }
        function Get-Db([string] $Uri) { (Get-AegirSite $Uri).DbName }
        Invoke-Sql -Database (Get-Db uc.upgrade.test) -Sql "INSERT INTO entries VALUES ('cannot convert')"
        $before = @{}; foreach ($uri in $sites) { $before[$uri] = Get-Db $uri }
    }
    AfterAll {
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    It 'moves them two at a time, runs the update on each, and rolls back the one whose update fails' {
        $tasks = Get-AegirSite -Platform ledger1 | Move-AegirSite -Platform ledger2 -ThrottleLimit 2 -Force -InformationVariable info -ErrorVariable failed -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $byTarget = @{}; foreach ($t in $tasks) { $byTarget[$t.Target] = $t }

        foreach ($uri in 'ua.upgrade.test', 'ub.upgrade.test') {
            $byTarget[$uri].Status | Should -Be 'Succeeded' -Because ($byTarget[$uri].Log.Message -join "`n")
            (Get-AegirSite $uri).PlatformName | Should -Be 'platform_ledger2'
            (Invoke-Site -Port $port -HostName $uri).Body | Should -Be "ledger 2 of ${uri}: first entry schema 2"
            Invoke-Sql -Sql "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$(Get-Db $uri)' AND TABLE_NAME = 'entries' AND COLUMN_NAME = 'schema_version'" | Should -Be 1
            Get-SiteDatabases | Should -Not -Contain $before[$uri] -Because 'the old database goes once the move is through'
            $log = $byTarget[$uri].Log.Message -join "`n"
            $log | Should -Match "updating $([regex]::Escape($uri)) as uid [1-9][0-9]*" -Because 'the update runs as the site''s account, never root, its output in the task log'
            $log | Should -Match 'schema at 2'
        }

        # The failed update: the site is back on release 1 with the very database it had, untouched; nothing of it on release 2.
        $c = $byTarget['uc.upgrade.test']
        $c.Status | Should -Be 'Failed'
        $c.ErrorId | Should -Be 'UpdateFailed'
        ($c.Log.Message -join "`n") | Should -Match 'an entry cannot be converted'
        (Get-AegirSite uc.upgrade.test).PlatformName | Should -Be 'platform_ledger1'
        Get-Db uc.upgrade.test | Should -Be $before['uc.upgrade.test']
        (Invoke-Site -Port $port -HostName uc.upgrade.test).Body | Should -Be 'ledger 1 of uc.upgrade.test: first entry'
        Invoke-Sql -Sql "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$($before['uc.upgrade.test'])' AND TABLE_NAME = 'entries'" | Should -Be 1
        @(Get-SiteDatabases).Count | Should -Be 3 -Because 'the two moved sites have their new databases, the rolled back one its old one, and its new one is gone'
        "$work/platforms/ledger2/files/uc.upgrade.test" | Should -Not -Exist
        "$work/platforms/ledger1/files/uc.upgrade.test" | Should -Exist
        $failed.Count | Should -Be 1

        # Two at a time: some two of the moves ran at once, and never three.
        $spans = $tasks | ForEach-Object { [pscustomobject]@{ Start = $_.Started; End = $_.Finished } }
        $overlaps = foreach ($a in $spans) { @($spans | Where-Object { $_.Start -le $a.Start -and $_.End -gt $a.Start }).Count }
        ($overlaps | Measure-Object -Maximum).Maximum | Should -Be 2

        $summary = ($info | Where-Object Tags -Contains 'AegirMoveSummary').MessageData
        $summary.Moved | Sort-Object | Should -Be 'ua.upgrade.test', 'ub.upgrade.test'
        $summary.RolledBack | Should -Be 'uc.upgrade.test'
        $summary.Failed | Should -BeNullOrEmpty
        "$summary" | Should -BeLike '2 moved, 0 failed, 1 rolled back*'
        # And a line for whoever watches, shown by default as Write-Host's are.
        "$(($info | Where-Object Tags -Contains 'PSHOST').MessageData)" | Should -BeLike 'Moves: 2 moved, 0 failed, 1 rolled back*'
    }
}
