# The sites' schedules on real nginx, PHP-FPM and MariaDB: crons that write to their site's database, a cron that
# fails, a disabled site, a WordPress site's statistics, scheduled backups with retention and a window, and a client's
# disk quota measured by the statistics.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Schedules' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        Install-TestPackage wordpress
        # An application whose cron writes a row into its site's own database, and fails for broken* sites.
        $app = Join-Path $work 'platforms/ticker'
        $null = New-Item -ItemType Directory -Force "$app/bin"
        Set-Content "$app/.aegir.yml" @'
install: [php, bin/install.php, "--db-password-file={db_passwd_file}"]
cron: [php, bin/cron.php, "{uri}"]
installed_tables: [cron_runs]
'@
        Set-Content "$app/index.php" '<?php echo "ok";'
        Set-Content "$app/bin/lib.php" @'
<?php
function ticker_db(?string $password = null): PDO {
    $e = static fn(string $k) => $_SERVER[$k] ?? getenv($k) ?: '';
    return new PDO(sprintf('mysql:host=%s;port=%s;dbname=%s', $e('db_host'), $e('db_port'), $e('db_name')), $e('db_user'), $password ?? $e('db_passwd'), [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
}
'@
        Set-Content "$app/bin/install.php" @'
<?php
require __DIR__ . '/lib.php';
$o = getopt('', ['db-password-file:']);
ticker_db(trim(file_get_contents($o['db-password-file'])))->exec('CREATE TABLE cron_runs (id INTEGER AUTO_INCREMENT PRIMARY KEY, at DOUBLE NOT NULL)');
echo "Installed.\n";
'@
        Set-Content "$app/bin/cron.php" @'
<?php
require __DIR__ . '/lib.php';
if (str_starts_with($argv[1], 'broken')) { fwrite(STDERR, "the cron of this site is broken (it printed its password: " . getenv('db_passwd') . ")\n"); exit(3); }
ticker_db()->prepare('INSERT INTO cron_runs (at) VALUES (?)')->execute([microtime(true)]);
echo "ticked\n";
'@
        $null = New-AegirPlatform ticker $app
        foreach ($uri in 'tick1.test', 'tick2.test', 'off.test', 'broken.test') { $null = New-AegirSite $uri -Platform ticker }
        $null = Disable-AegirSite off.test
        $null = New-WordPressPlatform $work wp
        $null = New-AegirSite blog.test -Platform wp -Title 'Counted'
        function Get-Runs([string] $Uri) { @(Invoke-Sql -Database (Get-AegirSite $Uri).DbName -Sql 'SELECT at FROM cron_runs ORDER BY id' | ForEach-Object { [double]$_ }) }
    }
    AfterAll {
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    Describe 'Invoke-AegirQueue' {
        It 'runs every enabled site''s cron within its interval, skips a disabled one, and shows a failing one as unhealthy' {
            'tick1.test', 'tick2.test', 'off.test', 'broken.test' | Set-AegirSite -CronInterval 5s
            $worker = Start-AegirChild 'Invoke-AegirQueue -Continuous -Queue Cron | Out-Null'
            $started = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000
            Start-Sleep -Seconds 16
            kill -TERM $worker.Id
            $worker.WaitForExit(30000) | Should -BeTrue
            foreach ($uri in 'tick1.test', 'tick2.test') {
                $runs = Get-Runs $uri
                $runs.Count | Should -BeGreaterOrEqual 2 -Because "$uri's cron runs every 5 s for 16 s"
                $runs[0] - $started | Should -BeLessThan 11 -Because 'a site never run before runs at its own moment of its first interval (the worker takes a few seconds to start)'
                # That moment is the site's own, not the worker's start: the first rounds of many sites are spread over the interval.
                $first = [DateTimeOffset]::FromUnixTimeMilliseconds([long]($runs[0] * 1000))
                $slot = [Aegir.Core.Contexts.Interval]::LastSlot("cron:$uri", [TimeSpan]::FromSeconds(5), $first)
                ($first - $slot).TotalSeconds | Should -BeLessThan 2 -Because "$uri's first cron came at its own moment ($slot), not when the worker started"
                for ($i = 1; $i -lt $runs.Count; $i++) { $runs[$i] - $runs[$i - 1] | Should -BeLessThan 7.5 -Because "each of $uri's crons came within its interval" }
            }
            Get-Runs off.test | Should -BeNullOrEmpty
            $unhealthy = @(Get-AegirSite -Unhealthy)
            $unhealthy.Name | Should -Be 'broken.test'
            ($unhealthy[0].Health.Problems -join "`n") | Should -Match 'failed: exit code 3'
            ($unhealthy[0].Health.Problems -join "`n") | Should -Match 'the cron of this site is broken'
            ($unhealthy[0].Health.Problems -join "`n") | Should -Match 'its password: \*{8}'
            # The table says why; a healthy site asked for by name shows its last cron.
            ($unhealthy | Format-Table | Out-String -Width 300) | Should -Match 'broken\.test\s+Installed\s+@platform_\S+\s+its last cron, at .* failed'
            $tick = Get-AegirSite tick1.test
            $tick.LastCron | Should -BeOfType ([DateTimeOffset])
            $tick.Health.Healthy | Should -BeTrue
            ($tick | Format-Table Uri, Status, Platform | Out-String) | Should -Match 'tick1\.test\s+Installed\s+platform_'
            Get-ChildItem -Recurse -File "$env:AEGIR_HOME/state", "$env:AEGIR_HOME/tasks" | Select-String -SimpleMatch (Get-SitePassword broken.test) | Should -BeNullOrEmpty -Because 'the password a cron printed goes into no state or task record'
        }

        It 'runs the cron of a Drupal site whose platform has no drush at its cron URL, with the key the site keeps' {
            $root = Join-Path $work 'platforms/nodrush'
            New-DrupalShapedCodebase $root
            # The front page takes /cron/<key> only with the key it expects, and counts the hits (Drupal's own does likewise).
            Set-Content "$root/index.php" @'
<?php
$db = new mysqli($_SERVER['db_host'], $_SERVER['db_user'], $_SERVER['db_passwd'], $_SERVER['db_name'], (int)$_SERVER['db_port']);
if (preg_match('#^/cron/([^/?]+)#', $_SERVER['REQUEST_URI'], $m)) {
    if ($m[1] !== $db->query('SELECT k FROM expected_key')->fetch_row()[0]) { http_response_code(403); exit; }
    $db->query('INSERT INTO cron_hits VALUES (NOW())');
    http_response_code(204);
    exit;
}
echo 'ok ', $_SERVER['db_name'];
'@
            $null = New-AegirPlatform nodrush $root
            foreach ($site in @{ Uri = 'keyed.test'; Expected = 'Key-0f-Site1' }, @{ Uri = 'wrongkey.test'; Expected = 'another-key' }) {
                $null = New-AegirSite $site.Uri -Platform nodrush
                Invoke-Sql -Database (Get-AegirSite $site.Uri).DbName -Sql @"
CREATE TABLE key_value (collection VARCHAR(128), name VARCHAR(128), value LONGBLOB);
INSERT INTO key_value VALUES ('state', 'system.cron_key', 's:12:\"Key-0f-Site1\";');
CREATE TABLE cron_hits (at DATETIME);
CREATE TABLE expected_key (k VARCHAR(64));
INSERT INTO expected_key VALUES ('$($site.Expected)');
"@
            }
            Remove-Item "$root/vendor/bin/drush"

            $null = Invoke-AegirQueue -Queue Cron -WarningAction SilentlyContinue
            Invoke-Sql -Database (Get-AegirSite keyed.test).DbName -Sql 'SELECT COUNT(*) FROM cron_hits' | Should -Be 1
            @(Get-AegirSite -Unhealthy).Name | Should -Not -Contain 'keyed.test'
            $bad = Get-AegirSite -Unhealthy | Where-Object Name -EQ wrongkey.test
            ($bad.Health.Problems -join "`n") | Should -Match 'its cron URL answered 403'
            ($bad.Health.Problems -join "`n") | Should -Not -Match 'Key-0f-Site1'
        }

        It 'queues a scheduled backup once per interval, after pruning by the site''s retention, and only in its window' {
            # Two backups taken two days ago, a minute apart (their descriptions say when they were taken).
            $noon = [DateTimeOffset]::new([DateTime]::UtcNow.Date.AddDays(-2).AddHours(12), [TimeSpan]::Zero)
            foreach ($b in @{ Name = 'first'; At = $noon }, @{ Name = 'second'; At = $noon.AddMinutes(1) }) {
                $sidecar = (Backup-AegirSite blog.test -Description $b.Name).Path + '.json'
                $json = Get-Content -Raw $sidecar | ConvertFrom-Json
                $json.manifest.created = $b.At.ToString('o')
                $json | ConvertTo-Json -Depth 10 | Set-Content $sidecar
            }
            (Get-AegirBackup blog.test).Description | Should -Be @('second', 'first')
            Set-AegirSite blog.test -BackupInterval 1d -BackupRetention '0d:1d'
            $later = (Get-Date).AddHours(2)
            $null = Invoke-AegirQueue -Queue Tasks, Backup -BackupWindow ('{0:HH:mm}-{1:HH:mm}' -f $later, $later.AddHours(1))
            @(Get-AegirBackup blog.test).Count | Should -Be 2 -Because 'the window is not now'

            $done = Invoke-AegirQueue -Queue Tasks, Backup
            $done.Type | Should -Be 'backup'
            $done.Status | Should -Be 'Succeeded'
            $backups = @(Get-AegirBackup blog.test)
            $backups.Description | Should -Be @('scheduled backup', 'second') -Because 'retention kept the newest of the day, then the scheduled one was taken'
            Invoke-AegirQueue -Queue Tasks, Backup | Should -BeNullOrEmpty -Because 'one backup per interval'
        }
    }

    Describe 'Get-AegirSiteStatistic' {
        It 'counts a WordPress site''s posts, users and comments, with its database and files size, and keeps a history' {
            Add-WordPressPost (Get-AegirSite blog.test).DbName 'Counted one' 'counted-one'
            Add-WordPressPost (Get-AegirSite blog.test).DbName 'Counted two' 'counted-two'
            Set-Content (Join-Path $work 'platforms/wp/wp-content/uploads/sites/blog.test/a.txt') ('x' * 5000)
            $null = Invoke-AegirQueue -Queue Statistics
            $stat = Get-AegirSiteStatistic blog.test
            # WordPress's own first post and comment, and the two posts added.
            $stat.Users, $stat.Posts, $stat.Comments | Should -Be @(1, 3, 1)
            $stat.ActiveUsers | Should -BeNullOrEmpty
            $stat.DatabaseBytes | Should -BeGreaterThan 100000
            $stat.FilesBytes | Should -BeGreaterOrEqual 5000
            Add-WordPressPost (Get-AegirSite blog.test).DbName 'Counted three' 'counted-three'
            (Get-AegirSiteStatistic blog.test -Collect).Posts | Should -Be 4
            (Get-AegirSiteStatistic blog.test -History).Posts | Should -Be @(4, 3)
            (Get-AegirSiteStatistic tick1.test).Users | Should -BeNullOrEmpty -Because 'a plain PHP application keeps no users Aegir knows of'
        }
    }

    Describe 'A client''s disk quota' {
        It 'makes a site with real files over its client''s quota unhealthy after a statistics run, and the run warns' {
            # Every statistics run finds blog.test due: the run once runs what is due now.
            Set-AegirSite blog.test -StatisticsInterval 5s
            Start-Sleep -Seconds 6
            $null = Invoke-AegirQueue -Queue Statistics
            $first = Get-AegirSiteStatistic blog.test
            $used = $first.DatabaseBytes + $first.FilesBytes
            # A quota 1 MiB above what the site takes up now: under it, the site is well.
            $quota = [math]::Ceiling(($used + 1MB) / 1KB) * 1KB
            $null = New-AegirClient quota -DiskQuota "$($quota / 1KB)KB"
            Set-AegirSite blog.test -Client quota
            try {
                (Get-AegirClient quota).Usage.UsedBytes | Should -Be $used
                (Get-AegirClient quota).Usage.OverQuota | Should -BeFalse
                @(Get-AegirSite -Unhealthy).Name | Should -Not -Contain 'blog.test'

                # 2 MiB of real upload, counted by the next run: over the quota.
                $upload = Join-Path $work 'platforms/wp/wp-content/uploads/sites/blog.test/big.bin'
                [IO.File]::WriteAllBytes($upload, [byte[]]::new(2MB))
                Start-Sleep -Seconds 6
                $null = Invoke-AegirQueue -Queue Statistics -WarningVariable warned 3>$null
                $stat = Get-AegirSiteStatistic blog.test
                $stat.Time | Should -BeGreaterThan $first.Time
                $stat.FilesBytes | Should -BeGreaterOrEqual ($first.FilesBytes + 2MB)
                ($warned -join "`n") | Should -Match "blog\.test is unhealthy: its client '@client_quota' is over its disk quota"

                $usage = (Get-AegirClient quota).Usage
                $usage.UsedBytes | Should -Be ($stat.DatabaseBytes + $stat.FilesBytes)
                $usage.OverQuota | Should -BeTrue
                $sick = @(Get-AegirSite -Unhealthy | Where-Object Name -eq 'blog.test')
                $sick.Count | Should -Be 1
                $why = $sick[0].Health.Problems -join "`n"
                $why | Should -Match "client '@client_quota' is over its disk quota: its sites take up \S+ of $([Aegir.Core.Contexts.QuotaValues]::Format($quota))"
                # The fix it names is a size -DiskQuota takes, above the use.
                $why -match 'Set-AegirClient quota -DiskQuota (\d+[KMG]B)\)' | Should -BeTrue -Because $why
                [Aegir.Core.Contexts.QuotaValues]::DiskSize('DiskQuota', $Matches[1]) | Should -BeGreaterThan $usage.UsedBytes
                (Get-AegirClient quota | Out-String -Width 200) | Should -Match '@client_quota.*1 .*\(over\)'

                # The file gone and measured again, the site is well.
                Remove-Item $upload
                Start-Sleep -Seconds 6
                $null = Invoke-AegirQueue -Queue Statistics -WarningVariable warned 3>$null
                ($warned -join "`n") | Should -Not -Match 'disk quota'
                @(Get-AegirSite -Unhealthy).Name | Should -Not -Contain 'blog.test'
            }
            finally {
                $group = (Get-AegirClient quota).UnixGroup
                Set-AegirSite blog.test -Client '' -StatisticsInterval 1d
                Remove-AegirClient quota -Force
                # The client's UNIX group, made on this machine for its site: this test's to remove.
                if (getent group $group) { groupdel $group }
            }
        }
    }
}
