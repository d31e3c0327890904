# Migrate on real nginx, PHP-FPM and MariaDB: a WordPress site moves between two WordPress platforms while another
# keeps answering, then to a second database server; a move that cannot finish leaves it answering from where it was.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Moving WordPress sites' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        Install-TestPackage wordpress, zstd
        $port = $server.Http.GetInt('port')
        foreach ($name in 'wpa', 'wpb', 'wpc') { $null = New-WordPressPlatform $work $name }
        $null = New-AegirSite moving.test -Platform wpa -Title 'Moving'
        $null = New-AegirSite steady.test -Platform wpa -Title 'Steady'

        function Get-Db([string] $Uri) { (Get-AegirSite $Uri).DbName }
        function Get-Uploads([string] $Platform, [string] $Uri) { Join-Path $work "platforms/$Platform/wp-content/uploads/sites/$Uri" }
        Add-WordPressPost (Get-Db moving.test) 'Moved post' 'moved-post' 'Travels with the site'
        Set-Content (Join-Path (Get-Uploads wpa moving.test) 'photo.txt') 'uploaded on wpa'
    }
    AfterAll {
        Stop-AegirLocalServer db2 -RemoveData -Confirm:$false -ErrorAction SilentlyContinue
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    Describe 'Move-AegirSite' {
        It 'moves a site to another platform with its data while another site keeps answering' {
            $oldDb = Get-Db moving.test
            # Its database as an older WordPress left it: the move's update must bring it to the code's db_version.
            Invoke-Sql -Database $oldDb -Sql "UPDATE wp_options SET option_value = '51917' WHERE option_name = 'db_version'"
            $codeDbVersion = [regex]::Match((Get-Content -Raw "$work/platforms/wpb/wp-includes/version.php"), '\$wp_db_version = (\d+);').Groups[1].Value
            # Another runspace asks steady.test for its page all through the move.
            $watch = [powershell]::Create()
            $null = $watch.AddScript({
                param($port)
                $client = [System.Net.Http.HttpClient]::new()
                $bad = [System.Collections.Generic.List[string]]::new(); $asked = 0
                while ($true) {
                    # A new connection each time, as a new visitor (a reload closes idle kept-alive ones). nginx's graceful
                    # reload also closes a connection its old worker accepted but had no request on yet: a browser sends
                    # such a GET again on a new connection, and so does this visitor, once. Any answer but 200 counts.
                    foreach ($try in 1, 2) {
                        $request = [System.Net.Http.HttpRequestMessage]::new('GET', "http://127.0.0.1:$port/")
                        $request.Headers.Host = "steady.test:$port"
                        $request.Headers.ConnectionClose = $true
                        try { $code = [int]$client.Send($request).StatusCode; if ($code -ne 200) { $bad.Add("$(Get-Date -Format HH:mm:ss.fff) $code") }; break }
                        catch { if ($try -eq 2) { $bad.Add("$(Get-Date -Format HH:mm:ss.fff) $($_.Exception.GetBaseException().Message)") } }
                    }
                    $asked++
                    if (Test-Path "$env:AEGIR_HOME/stop-watch") { return @($asked, ($bad -join '; ')) }
                    Start-Sleep -Milliseconds 50
                }
            }).AddArgument($port)
            $running = $watch.BeginInvoke()
            $task = Move-AegirSite moving.test -Platform wpb -Force
            New-Item "$env:AEGIR_HOME/stop-watch" | Out-Null
            $asked, $bad = $watch.EndInvoke($running)
            $watch.Dispose()

            $task.Status | Should -Be 'Succeeded' -Because ($task.Log.Message -join "`n")
            # No WP-CLI on the platform: WordPress's own upgrade page brought the database to the code's db_version.
            ($task.Log.Message -join "`n") | Should -Match 'moving\.test/wp-admin/upgrade\.php\?step=1 answers HTTP 200'
            Invoke-Sql -Database (Get-Db moving.test) -Sql "SELECT option_value FROM wp_options WHERE option_name = 'db_version'" | Should -Be $codeDbVersion
            $asked | Should -BeGreaterThan 3
            $bad | Should -BeNullOrEmpty -Because "every answer of steady.test during the move should be 200 (the move's log: $($task.Log | ForEach-Object { "$($_.Time.ToString('HH:mm:ss.fff')) $($_.Message)" } | Select-Object -Last 25 | Join-String -Separator ' | '))"
            (Get-AegirSite moving.test).PlatformName | Should -Be 'platform_wpb'
            $page = Invoke-Site -Port $port -HostName moving.test
            $page.Status | Should -Be 200
            $page.Body | Should -Match 'Moved post'
            Get-Content (Join-Path (Get-Uploads wpb moving.test) 'photo.txt') | Should -Be 'uploaded on wpa'
            Get-Uploads wpa moving.test | Should -Not -Exist
            Get-SiteDatabases | Should -Not -Contain $oldDb
            Get-SiteDbUsers | Should -Not -Contain $oldDb
            (Get-AegirBackup moving.test).Description | Should -Contain 'before moving to @platform_wpb'
        }

        It 'moves a site''s database to another database server' {
            $null = Start-AegirLocalServer db2 -HttpServiceType apache
            $oldDb = Get-Db moving.test
            $task = Move-AegirSite moving.test -DbServer db2 -Force
            $task.Status | Should -Be 'Succeeded' -Because ($task.Log.Message -join "`n")
            $site = Get-AegirSite moving.test
            $site.DbServerName | Should -Be 'server_db2'
            Invoke-Sql -Server db2 -Database $site.DbName -Sql "SELECT post_title FROM wp_posts WHERE post_name = 'moved-post'" | Should -Be 'Moved post'
            Get-SiteDatabases | Should -Not -Contain $oldDb
            (Invoke-Site -Port $port -HostName moving.test).Body | Should -Match 'Moved post'
            (Get-AegirBackup moving.test -First 1).Description | Should -Be 'before moving its database to @server_db2'
        }

        It 'leaves the site answering from where it was, with nothing behind, when the target folder cannot be written' {
            $site = Get-AegirSite moving.test
            $sites = Join-Path $work 'platforms/wpc/wp-content/uploads/sites'
            $null = New-Item -ItemType Directory -Force $sites
            chattr +i $sites
            try {
                { Move-AegirSite moving.test -Platform wpc -Force -ErrorAction Stop } | Should -Throw
            }
            finally { chattr -i $sites }
            $after = Get-AegirSite moving.test
            $after.PlatformName, $after.DbServerName, $after.DbName | Should -Be @($site.PlatformName, $site.DbServerName, $site.DbName)
            (Invoke-Site -Port $port -HostName moving.test).Body | Should -Match 'Moved post'
            Get-ChildItem -Force $sites | Should -BeNullOrEmpty
            @(Invoke-Sql -Server db2 -Sql "SHOW DATABASES LIKE 'movingtest%'") | Should -Be @($site.DbName)
            (Get-AegirTask -Target moving.test -Type migrate -First 1).Log.Message -join "`n" | Should -Match 'as it was before'
        }

        It 'leaves the site as it was when <Fault>' -ForEach @(
            @{ Fault = 'the pre-migration backup cannot be written'; Arrange = { chattr +i (Join-Path $env:AEGIR_HOME 'backups') }; Cleanup = { chattr -i (Join-Path $env:AEGIR_HOME 'backups') } }
            @{ Fault = 'the target database server is down'; Arrange = { Stop-AegirLocalServer db3 -Confirm:$false }; Cleanup = { } ; Db = 'db3' }
            @{ Fault = 'the web server''s config test fails'; Arrange = {
                    $override = Join-Path $env:AEGIR_HOME 'templates/nginx-vhost.conf.sbn'
                    $null = New-Item -ItemType Directory -Force (Split-Path $override)
                    Set-Content $override "server { listen {{ listen }}; server_name {{ uri }}; this_is_not_a_directive; }" }
               Cleanup = { Remove-Item (Join-Path $env:AEGIR_HOME 'templates/nginx-vhost.conf.sbn') } }
        ) {
            if ($Db) { $null = Start-AegirLocalServer $Db -HttpServiceType apache }
            $site = Get-AegirSite moving.test
            $databases = Get-SiteDatabases
            $backups = @(Get-AegirBackup moving.test).Count
            & $Arrange
            try {
                $moving = @{ Force = $true; ErrorAction = 'Stop' }
                if ($Db) { $moving.DbServer = $Db } else { $moving.Platform = 'wpc' }
                { Move-AegirSite moving.test @moving } | Should -Throw
            }
            finally { & $Cleanup }
            $after = Get-AegirSite moving.test
            $after.PlatformName, $after.DbServerName, $after.DbName | Should -Be @($site.PlatformName, $site.DbServerName, $site.DbName)
            (Invoke-Site -Port $port -HostName moving.test).Body | Should -Match 'Moved post'
            Get-SiteDatabases | Should -Be $databases
            @(Get-AegirBackup moving.test).Count | Should -Be $backups
            Get-ChildItem -Force (Join-Path $work 'platforms/wpc/wp-content/uploads/sites') -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            if ($Db) { Stop-AegirLocalServer $Db -RemoveData -Confirm:$false -ErrorAction SilentlyContinue }
        }

        It 'leaves the site as it was after a kill in the middle of the load and the next task''s repair' {
            $site = Get-AegirSite moving.test
            $databases = Get-SiteDatabases
            $child = Start-AegirChild "Move-AegirSite moving.test -Platform wpc -Force | Out-Null" -Warmup "Move-AegirSite moving.test -Platform wpc -Plan | Out-Null"
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            do {
                Start-Sleep -Milliseconds 10
                $task = Get-AegirTask -Target moving.test -Type migrate -First 1
            } until ($child.HasExited -or [DateTime]::UtcNow -gt $deadline -or ($task.Status -eq 'Running' -and ($task.Log.Message -like 'Loading *')))
            $child.HasExited | Should -BeFalse -Because 'the kill must come mid-task'
            $child.Kill()
            $child.WaitForExit()
            (Get-AegirTask -Id $task.Id).Status | Should -Be 'Running'
            # The next task on the site repairs the dead one, then verifies.
            (Invoke-AegirVerify moving.test -WarningAction SilentlyContinue).Status | Should -BeIn @('Succeeded', 'Warning')
            $dead = Get-AegirTask -Id $task.Id
            $dead.Status, $dead.ErrorId | Should -Be @('Failed', 'TaskProcessGone')
            $after = Get-AegirSite moving.test
            $after.PlatformName, $after.DbName | Should -Be @($site.PlatformName, $site.DbName)
            (Invoke-Site -Port $port -HostName moving.test).Body | Should -Match 'Moved post'
            Get-SiteDatabases | Should -Be $databases
            Get-ChildItem -Force (Join-Path $work 'platforms/wpc/wp-content/uploads/sites') -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Get-ChildItem -Force (Join-Path $env:AEGIR_HOME 'backups') -Filter '.*' | Should -BeNullOrEmpty
        }

        It 'is undone by restoring its pre-migration backup with -Platform, which takes the site back to the platform it left' {
            $before = Get-AegirBackup moving.test | Where-Object Description -EQ 'before moving to @platform_wpb'
            $task = $before | Restore-AegirSite -Platform wpa -Force
            $task.Status | Should -Be 'Succeeded' -Because ($task.Log.Message -join "`n")
            (Get-AegirSite moving.test).PlatformName | Should -Be 'platform_wpa'
            Get-Content (Join-Path (Get-Uploads wpa moving.test) 'photo.txt') | Should -Be 'uploaded on wpa'
            Get-Uploads wpb moving.test | Should -Not -Exist
            (Invoke-Site -Port $port -HostName moving.test).Body | Should -Match 'Moved post'
        }

        It 'moves sites piped from Get-AegirSite one by one' {
            $tasks = Get-AegirSite -Platform wpa | Move-AegirSite -Platform wpc -Force
            $tasks.Status | Should -Be @('Succeeded', 'Succeeded')
            (Get-AegirSite moving.test).PlatformName | Should -Be 'platform_wpc'
            (Get-AegirSite steady.test).PlatformName | Should -Be 'platform_wpc'
            (Invoke-Site -Port $port -HostName steady.test).Status | Should -Be 200
        }
    }
    Describe 'Copy-AegirSite' {
        It 'makes an independent copy from a fresh backup, without aliases, whose changes never touch the original' {
            Set-AegirSite steady.test -Alias www.steady.test -Redirection steady.test
            Add-WordPressPost (Get-Db steady.test) 'Written before the copy' 'before-copy'
            $task = Copy-AegirSite steady.test steady-copy.test
            $task.Status | Should -Be 'Succeeded' -Because ($task.Log.Message -join "`n")
            $copy = Get-AegirSite steady-copy.test
            $copy.Aliases | Should -BeNullOrEmpty
            $copy.Redirection | Should -BeNullOrEmpty
            $copy.DbName | Should -Not -Be (Get-Db steady.test)
            $page = Invoke-Site -Port $port -HostName steady-copy.test
            $page.Status | Should -Be 200
            $page.Body | Should -Match 'Written before the copy'
            Invoke-Sql -Database $copy.DbName -Sql "SELECT option_value FROM wp_options WHERE option_name = 'home'" | Should -Be "http://steady-copy.test:$port"
            # A change in the copy stays there.
            Invoke-Sql -Database $copy.DbName -Sql "UPDATE wp_posts SET post_title = 'Only in the copy' WHERE post_name = 'before-copy'"
            (Invoke-Site -Port $port -HostName steady.test).Body | Should -Match 'Written before the copy'
            (Invoke-Site -Port $port -HostName steady.test).Body | Should -Not -Match 'Only in the copy'
            (Get-AegirBackup steady.test -First 1).Description | Should -Be 'to copy to steady-copy.test'
        }
    }

    Describe 'Rename-AegirSite' {
        It 'refuses a new uri that a site has, or a move to where the site is, with an error and no task' {
            $before = @(Get-AegirTask -Target steady.test).Count
            $out = Rename-AegirSite steady.test steady-copy.test -Force -ErrorVariable errs -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ContextExists,*'
            $out = Move-AegirSite steady.test -Platform (Get-AegirSite steady.test).PlatformName -Force -ErrorVariable errs -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $errs[0].Exception.Message | Should -Match 'is on @platform_\S+ with its database on @server_master already'
            @(Get-AegirTask -Target steady.test).Count | Should -Be $before
        }

        It 'gives a site a new uri, its www alias and redirection following, its other aliases kept, and the old name answers no more' {
            Set-AegirSite steady.test -AddAlias blog.tour.test
            $oldDb = Get-Db steady.test
            $task = Rename-AegirSite steady.test calm.test -Force
            $task.Status | Should -Be 'Succeeded' -Because ($task.Log.Message -join "`n")
            Get-AegirSite steady.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $site = Get-AegirSite calm.test
            $site.Aliases | Should -Be @('www.calm.test', 'blog.tour.test')
            (Invoke-Site -Port $port -HostName blog.tour.test).Location | Should -Match '^http://calm\.test[:/]'
            $site.Redirection | Should -Be 'calm.test'
            (Invoke-Site -Port $port -HostName calm.test).Body | Should -Match 'Written before the copy'
            (Invoke-Site -Port $port -HostName www.calm.test).Location | Should -Match '^http://calm\.test[:/]'
            (Invoke-Site -Port $port -HostName steady.test).Status | Should -Be 404
            Get-SiteDatabases | Should -Not -Contain $oldDb
            Get-Uploads wpc steady.test | Should -Not -Exist
        }
    }

    Describe 'Move-AegirSite between Drupal platforms' {
        BeforeAll {
            # Three Drupal-shaped platforms whose module "shop" has updates up to 8003, 8001 and 8004.
            foreach ($p in @{ Name = 'da'; Newest = 8003 }, @{ Name = 'db'; Newest = 8001 }, @{ Name = 'dc'; Newest = 8004 }) {
                $root = Join-Path $work "platforms/$($p.Name)"
                New-DrupalShapedCodebase $root
                $null = New-Item -ItemType Directory -Force "$root/modules/custom/shop"
                Set-Content "$root/modules/custom/shop/shop.info.yml" "name: Shop`ntype: module`ncore_version_requirement: ^10"
                Set-Content "$root/modules/custom/shop/shop.install" ((8001..$p.Newest | ForEach-Object { "function shop_update_$_() { }" }) -join "`n" | ForEach-Object { "<?php`n$_" })
                $null = New-AegirPlatform $p.Name $root
            }
            $null = New-AegirSite shop.test -Platform da
            Invoke-Sql -Database (Get-Db shop.test) -Sql "CREATE TABLE key_value (collection VARCHAR(128) NOT NULL, name VARCHAR(128) NOT NULL, value LONGBLOB NOT NULL); INSERT INTO key_value VALUES ('system.schema', 'shop', 'i:8003;'), ('system.schema', 'system', 'i:8000;');"
        }

        It 'refuses, before anything changes, a move onto code older than the site''s schema' {
            $site = Get-AegirSite shop.test
            $databases = Get-SiteDatabases
            $backups = @(Get-AegirBackup shop.test).Count
            { Move-AegirSite shop.test -Platform db -Force -ErrorAction Stop } | Should -Throw -ErrorId 'SchemaBackwards*' -ExpectedMessage '*shop (the site''s database is at 8003, @platform_db''s code at 8001)*'
            (Get-AegirSite shop.test).PlatformName | Should -Be $site.PlatformName
            Get-SiteDatabases | Should -Be $databases
            @(Get-AegirBackup shop.test).Count | Should -Be $backups
            Join-Path $work 'platforms/db/sites/shop.test' | Should -Not -Exist
        }

        It 'moves it onto code with those updates or newer' {
            $task = Move-AegirSite shop.test -Platform dc -Force
            $task.Status | Should -Be 'Succeeded' -Because ($task.Log.Message -join "`n")
            ($task.Log.Message -join "`n") | Should -Match 'Running drush updatedb for shop\.test as (?!root).+: \S+/platforms/dc/vendor/bin/drush --uri=shop\.test updatedb -y[\s\S]*No pending updates \(--uri=shop\.test\)' -Because 'the database updates run with the platform''s own drush, as the site''s account'
            (Get-AegirSite shop.test).PlatformName | Should -Be 'platform_dc'
            Invoke-Sql -Database (Get-Db shop.test) -Sql "SELECT value FROM key_value WHERE name = 'shop'" | Should -Be 'i:8003;'
            (Invoke-Site -Port $port -HostName shop.test).Status | Should -Be 200
            Join-Path $work 'platforms/da/sites/shop.test' | Should -Not -Exist
        }
    }

    Describe 'Import-AegirSite' {
        BeforeAll {
            # A Drupal site made by hand on platform dc: its own database, user and settings.php, no context.
            $hand = Join-Path $work 'platforms/dc/sites/hand.test'
            $null = New-Item -ItemType Directory -Force $hand
            Invoke-Sql -Sql "CREATE DATABASE handdb; CREATE USER 'handdb'@'127.0.0.1' IDENTIFIED BY 'Hand-Made-Secret-1'; GRANT ALL ON handdb.* TO 'handdb'@'127.0.0.1';"
            Invoke-Sql -Database handdb -Sql "CREATE TABLE config (collection VARCHAR(255) NOT NULL DEFAULT '', name VARCHAR(255) NOT NULL, data LONGBLOB); INSERT INTO config VALUES ('', 'core.extension', '');"
            $dbPort = (Get-AegirServer master).Db.GetInt('port')
            Set-Content "$hand/settings.php" @"
<?php
`$databases['default']['default'] = [
  'database' => 'handdb',
  'username' => 'handdb',
  'password' => 'Hand-Made-Secret-1',
  'host' => '127.0.0.1',
  'port' => '$dbPort',
  'driver' => 'mysql',
];
"@
            # And one whose database is gone.
            $null = New-Item -ItemType Directory -Force (Join-Path $work 'platforms/dc/sites/lost.test')
            Set-Content (Join-Path $work 'platforms/dc/sites/lost.test/settings.php') "<?php `$databases['default']['default'] = ['database' => 'lostdb', 'host' => '127.0.0.1', 'port' => '$dbPort', 'driver' => 'mysql'];"
        }

        It 'finds the sites a platform holds without a context, and says what it would do' {
            $plan = Import-AegirSite dc -Plan -ErrorVariable planErrors -ErrorAction SilentlyContinue
            $planErrors.Exception.Message | Should -Match 'lostdb'
            ($plan.Description -join "`n") | Should -Match 'record the site hand\.test on @platform_dc, database `handdb` on @server_master'
            Get-AegirSite hand.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'records a site from its own settings and verifies it; one whose database is gone is refused with nothing left' {
            $tasks = Import-AegirSite dc -ErrorVariable errs -ErrorAction SilentlyContinue
            $tasks.Target | Should -Be @('hand.test', 'lost.test')
            $tasks[0].Status | Should -Be 'Succeeded' -Because ($tasks[0].Log.Message -join "`n")
            $tasks[1].Status, $tasks[1].ErrorId | Should -Be @('Failed', 'SiteDatabaseGone')
            $site = Get-AegirSite hand.test
            $site.Status, $site.PlatformName, $site.DbName, $site.DbServerName | Should -Be @('Installed', 'platform_dc', 'handdb', 'server_master')
            (Invoke-Site -Port $port -HostName hand.test).Body | Should -Be 'ok handdb'
            # Its own account kept its password: the settings it had still reach the database.
            Get-SitePassword hand.test | Should -Be 'Hand-Made-Secret-1'
            (Get-Item "$hand/settings.php.before-import").UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead')
            Get-Content -Raw "$hand/settings.php" | Should -Not -Match 'Hand-Made-Secret-1'
            $errs.Exception.Message | Should -Match 'lostdb'
            Get-AegirSite lost.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Join-Path $work 'platforms/dc/sites/lost.test/settings.php' | Should -Exist
        }

        It 'takes in an Aegir 3 backup made with tar and mariadb-dump, and serves its data and files' {
            # The site's folder as Aegir 3 kept it: settings with the old server's credentials, drushrc.php, an upload, the dump.
            $old = Join-Path $work 'aegir3/site'
            $null = New-Item -ItemType Directory -Force "$old/files", "$old/private/files"
            Set-Content "$old/settings.php" "<?php`n`$databases['default']['default'] = ['database' => 'oldsite', 'username' => 'oldsite', 'password' => 'Old-Server-Secret-9', 'host' => 'db.old.example', 'driver' => 'mysql'];`n`$settings['hash_salt'] = 'Old-Salt_kept-0123456789abcdef';"
            Set-Content "$old/drushrc.php" "<?php`n`$options['db_passwd'] = 'Old-Server-Secret-9';`n`$options['profile'] = 'minimal';"
            Set-Content "$old/files/report.txt" 'uploaded on the old server'
            Invoke-Sql -Sql 'CREATE DATABASE oldsite'
            Invoke-Sql -Database oldsite -Sql "CREATE TABLE config (collection VARCHAR(255) NOT NULL DEFAULT '', name VARCHAR(255) NOT NULL, data LONGBLOB); INSERT INTO config VALUES ('', 'core.extension', ''); CREATE TABLE node_field_data (nid INT, title VARCHAR(255)); INSERT INTO node_field_data VALUES (1, 'Written on Aegir 3');"
            Export-Database oldsite "$old/database.sql"
            Invoke-Sql -Sql 'DROP DATABASE oldsite'
            $tarball = Join-Path $work 'aegir3/old.test-20240102.030405.tar.gz'
            tar -C $old -czpf $tarball .

            $task = Import-AegirSite -Path $tarball -Platform dc
            $task.Status | Should -Be 'Succeeded' -Because ($task.Log.Message -join "`n")
            $site = Get-AegirSite old.test
            $site.Status, $site.PlatformName, $site.Profile | Should -Be @('Installed', 'platform_dc', 'minimal')
            Invoke-Sql -Database $site.DbName -Sql 'SELECT title FROM node_field_data' | Should -Be 'Written on Aegir 3'
            (Invoke-Site -Port $port -HostName old.test).Body | Should -Be "ok $($site.DbName)"
            (Invoke-Site -Port $port -HostName old.test -Path '/sites/old.test/files/report.txt').Body.Trim() | Should -Be 'uploaded on the old server'
            $folder = Join-Path $work 'platforms/dc/sites/old.test'
            $settings = Get-Content -Raw "$folder/settings.php"
            $settings | Should -Not -Match 'Old-Server-Secret-9'
            $settings | Should -Match 'Old-Salt_kept-0123456789abcdef'
            "$folder/drushrc.php", "$folder/database.sql" | Should -Not -Exist
            (Get-Item "$folder/files/report.txt").Group | Should -Be (Get-Item "$folder/files").Group
            (Get-AegirBackup old.test).Description | Should -Be 'imported from old.test-20240102.030405.tar.gz'
        }

        It 'refuses a tarball for a site it has, or onto a platform of another kind, and changes nothing' {
            $tarball = Join-Path $work 'aegir3/old.test-20240102.030405.tar.gz'
            $databases = Get-SiteDatabases
            { Import-AegirSite -Path $tarball -Platform dc -ErrorAction Stop } | Should -Throw -ErrorId 'ContextExists*'
            { Import-AegirSite -Path $tarball -Platform wpa -Uri other.test -ErrorAction Stop } | Should -Throw -ErrorId 'BackupMismatch*' -ExpectedMessage '*Drupal*'
            Get-AegirSite other.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Join-Path $work 'platforms/wpa/wp-content/uploads/sites/other.test' | Should -Not -Exist
            Get-SiteDatabases | Should -Be $databases
        }

        It 'brings an imported site up to date from a newer Aegir 3 backup of it (Restore-AegirSite -Path)' {
            $old = Join-Path $work 'aegir3/site'
            Set-Content "$old/files/report.txt" 'updated on the old server'
            Invoke-Sql -Sql 'CREATE DATABASE oldsite'
            Invoke-Sql -Database oldsite -Sql "CREATE TABLE config (collection VARCHAR(255) NOT NULL DEFAULT '', name VARCHAR(255) NOT NULL, data LONGBLOB); INSERT INTO config VALUES ('', 'core.extension', ''); CREATE TABLE node_field_data (nid INT, title VARCHAR(255)); INSERT INTO node_field_data VALUES (1, 'Updated on Aegir 3');"
            Export-Database oldsite "$old/database.sql"
            Invoke-Sql -Sql 'DROP DATABASE oldsite'
            $newer = Join-Path $work 'aegir3/old.test-20240105.000000.tar.gz'
            tar -C $old -czpf $newer .
            $before = (Get-AegirSite old.test).DbName

            $task = Restore-AegirSite -Path $newer -Force
            $task.Status | Should -Be 'Succeeded' -Because ($task.Log.Message -join "`n")
            $site = Get-AegirSite old.test
            Invoke-Sql -Database $site.DbName -Sql 'SELECT title FROM node_field_data' | Should -Be 'Updated on Aegir 3'
            (Invoke-Site -Port $port -HostName old.test -Path '/sites/old.test/files/report.txt').Body.Trim() | Should -Be 'updated on the old server'
            Get-SiteDatabases | Should -Not -Contain $before
            (Get-AegirBackup old.test).Description | Should -Contain 'restored from old.test-20240105.000000.tar.gz'
            (Get-AegirBackup old.test).Description | Should -Contain 'before restoring old.test-20240105.000000.tar.gz'
        }

        It 'takes in a site from a backup this module made on another machine' {
            $backup = Backup-AegirSite old.test
            (Remove-AegirSite old.test -NoBackup -Force).Status | Should -Be 'Succeeded'
            $task = Import-AegirSite -Path $backup.Path -Platform dc
            $task.Status | Should -Be 'Succeeded' -Because ($task.Log.Message -join "`n")
            $site = Get-AegirSite old.test
            Invoke-Sql -Database $site.DbName -Sql 'SELECT title FROM node_field_data' | Should -Be 'Updated on Aegir 3'
            (Invoke-Site -Port $port -HostName old.test -Path '/sites/old.test/files/report.txt').Body.Trim() | Should -Be 'updated on the old server'
        }
    }

}
