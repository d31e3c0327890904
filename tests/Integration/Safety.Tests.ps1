# Honest and safe on real servers: a step is done only when what it made works, and nothing a site's owner
# or a hostile setting plants reaches outside the site.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Honest and safe hosting' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        $port = $server.Http.GetInt('port')
        $root = Join-Path $work 'platforms/app'
        Write-DbPage $root
        $null = New-AegirPlatform app $root
        $null = Invoke-AegirVerify app
        $vhosts = Join-Path $env:AEGIR_HOME 'config/server_master/nginx/vhost.d'
    }
    AfterAll {
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    Describe 'Start-AegirLocalServer' {
        It 'lets root into its MariaDB only through the socket: not over TCP, with or without a password' {
            $dbPort = $server.Db.GetInt('port')
            foreach ($hostName in '127.0.0.1', '::1') {
                $out = & mariadb --no-defaults -h $hostName -P $dbPort -u root -e 'SELECT 1' 2>&1
                $LASTEXITCODE | Should -Not -Be 0 -Because "root over TCP from $hostName must be refused"
                ($out -join ' ') | Should -Match "not allowed|Access denied|Can't connect"
            }
            Invoke-Sql -Sql "SELECT CONCAT(User, '@', Host) FROM mysql.user WHERE User IN ('root', '')" | Should -Be 'root@localhost'
        }
    }

    Describe 'New-AegirPlatform' {
        It 'refuses system folders, links to them and the module''s own home as roots' {
            $null = New-Item -ItemType SymbolicLink -Path "$work/to-etc" -Target /etc
            foreach ($bad in '/etc', '/proc/self/root', "$work/to-etc", $env:AEGIR_HOME) {
                { New-AegirPlatform bad $bad -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -Because "$bad must be refused"
            }
            Get-AegirPlatform bad -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
    }

    Describe 'Invoke-AegirVerify' {
        It 'never touches a root that has become a link to a system folder' {
            $code = Join-Path $work 'platforms/moved'
            $null = New-Item -ItemType Directory -Force $code
            Set-Content "$code/index.php" '<?php echo 1;'
            $null = New-AegirPlatform moved $code
            Remove-Item -Recurse -Force $code
            $null = New-Item -ItemType SymbolicLink -Path $code -Target /etc
            $canary = "/etc/aegir-canary-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
            Set-Content $canary 'group- and world-writable on purpose'
            chmod 666 $canary
            try {
                $task = Invoke-AegirVerify moved -ErrorAction SilentlyContinue
                $task.Status | Should -Be 'Failed'
                $task.Error | Should -Match 'system folder /etc'
                (stat -c '%a' $canary) | Should -Be '666' -Because 'verify must not have run its permission change over /etc'
            }
            finally { Remove-Item $canary }
            Remove-Item $code
            $null = Remove-AegirPlatform moved -Force
        }
    }

    Describe 'Template overrides' {
        It 'are refused, by name, when others could write them, and never give one site another''s name' {
            $folder = Join-Path $env:AEGIR_HOME 'templates'
            $override = Join-Path $folder 'nginx-vhost.conf.sbn'
            $null = New-Item -ItemType Directory -Force $folder
            Set-Content $override 'server { listen {{ listen }}; server_name {{ uri }} b.test; location / { return 200 "{{ db.password }}"; } }'
            chmod 777 $folder; chmod 666 $override; chown nobody $override
            try {
                $errs = $null
                New-AegirSite a.test -Platform app -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
                $errs[0].Exception.Message | Should -Match "template override $([regex]::Escape($override)) is not used"
                Get-AegirSite a.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

                chown root $override; chmod 644 $override; chmod 755 $folder   # trusted now, and still hostile
                New-AegirSite a.test -Platform app -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
                $errs[0].Exception.Message | Should -Match 'would answer for b\.test, which are not its names'
                Get-AegirSite a.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                Test-Path "$vhosts/a.test.conf" | Should -BeFalse
                Invoke-Sql -Sql "SHOW DATABASES LIKE 'atest%'" | Should -BeNullOrEmpty
            }
            finally { Remove-Item -Recurse -Force $folder }
            (New-AegirSite a.test -Platform app).Status | Should -Be 'Installed'
            (Invoke-Site -Port $port -HostName b.test).Status | Should -Be 404
        }
    }

    Describe 'New-AegirSite' {
        It 'believes WordPress, not its installer''s exit code: a database it cannot reach fails the install, and nothing is left' {
            Install-TestPackage wordpress
            $wp = Join-Path $work 'platforms/wordpress'
            cp -rL /usr/share/wordpress $wp
            $null = New-AegirPlatform wordpress $wp
            $null = Invoke-AegirVerify wordpress
            # WordPress's database drop-in sends it to a port where nothing listens, as if MariaDB went away just before
            # the installer ran (the installer runs as the script user with an environment of its own, so no shim on
            # the caller's PATH reaches it).
            Set-Content "$wp/wp-content/db.php" "<?php require_once ABSPATH . WPINC . '/class-wpdb.php'; `$wpdb = new wpdb(DB_USER, DB_PASSWORD, DB_NAME, '127.0.0.1:1');"
            try { New-AegirSite wp.test -Platform wordpress -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue }
            finally { Remove-Item "$wp/wp-content/db.php" }
            $errs[0].Exception.Message | Should -Match 'WordPress did not say the site is installed'
            $errs[0].Exception.Message | Should -Match 'Error establishing a database connection'
            Get-AegirSite wp.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Invoke-Sql -Sql "SHOW DATABASES LIKE 'wptest%'" | Should -BeNullOrEmpty
            (Invoke-Site -Port $port -HostName wp.test).Status | Should -Be 404
            (New-AegirSite wp.test -Platform wordpress -Title 'For real').Status | Should -Be 'Installed'
            (Invoke-Site -Port $port -HostName wp.test).Body | Should -Match '<title>For real'
        }

        It 'gives two sites whose names share their first 16 letters, installed at once, a database each' {
            $one = Start-AegirChild 'New-AegirSite averylongsitename-one.test -Platform app | Out-Null'
            $two = Start-AegirChild 'New-AegirSite averylongsitename-two.test -Platform app | Out-Null'
            $one.WaitForExit(); $two.WaitForExit()
            $sites = Get-AegirSite averylongsitename-one.test, averylongsitename-two.test
            $sites.Status | Should -Be @('Installed', 'Installed')
            ($sites.DbName | Sort-Object) | Should -Be @('averylongsitenam', 'averylongsitenam_2')
            foreach ($site in $sites) { (Invoke-Site -Port $port -HostName $site.Uri).Body | Should -Be "ok $($site.DbName)" }
        }

        It 'fails and undoes when the web server is not running, instead of claiming the site is installed' {
            $pidFile = $server.Http.Get('pid_file')
            kill -QUIT (Get-Content $pidFile)
            $deadline = [DateTime]::UtcNow.AddSeconds(15)
            while ((Test-Path "/proc/$(Get-Content $pidFile -ErrorAction SilentlyContinue)") -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            try {
                { New-AegirSite down.test -Platform app -ErrorAction Stop } | Should -Throw '*is not running*'
                Get-AegirSite down.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                Test-Path "$vhosts/down.test.conf" | Should -BeFalse
                Get-ChildItem -Recurse "$env:AEGIR_HOME/logs" -Filter 'down.test.*' | Should -BeNullOrEmpty -Because 'the config test made its logs, and the undo took them away'
                Invoke-Sql -Sql "SHOW DATABASES LIKE 'downtest%'" | Should -BeNullOrEmpty
                Invoke-Sql -Sql "SELECT User FROM mysql.user WHERE User LIKE 'downtest%'" | Should -BeNullOrEmpty
            }
            finally { $null = Start-AegirLocalServer -HttpServiceType nginx }
            (New-AegirSite down.test -Platform app).Status | Should -Be 'Installed'
            (Invoke-Site -Port $port -HostName down.test).Body | Should -Match '^ok downtest'
        }
    }

    Describe 'Invoke-AegirVerify' {
        BeforeAll { $null = New-AegirSite truth.test -Platform app }

        It 'repairs a database user that was dropped, and the site answers again' {
            $db = (Get-AegirSite truth.test).DbName
            Invoke-Sql -Sql "DROP USER '$db'@'127.0.0.1', '$db'@'localhost'"
            (Invoke-Site -Port $port -HostName truth.test).Status | Should -Be 500
            (Invoke-AegirVerify truth.test).Status | Should -Be 'Succeeded'
            (Invoke-Site -Port $port -HostName truth.test).Body | Should -Be "ok $db"
            Invoke-Sql -Sql "SELECT Host FROM mysql.user WHERE User = '$db' ORDER BY Host" | Should -Be @('127.0.0.1', 'localhost')
        }

        It 'fails with the fix, and changes nothing, when the site''s database is gone' {
            $db = (Get-AegirSite truth.test).DbName
            Invoke-Sql -Sql "DROP DATABASE $db"
            $before = Get-Content -Raw "$vhosts/truth.test.conf"
            $task = Invoke-AegirVerify truth.test -ErrorVariable errs -ErrorAction SilentlyContinue
            $task.Status | Should -Be 'Failed'
            $errs[0].Exception.Message | Should -Match "database $db of truth.test is gone.*Restore it from a backup"
            Get-Content -Raw "$vhosts/truth.test.conf" | Should -Be $before
            (Get-AegirSite truth.test).Status | Should -Be 'Installed'
            Invoke-Sql -Sql "CREATE DATABASE $db"
        }

        It 'fails, keeping its repairs, when the site still does not answer as a working site' {
            Remove-Item "$vhosts/truth.test.conf"
            $fpm = Join-Path $env:AEGIR_HOME 'local/server_master/php/php-fpm.pid'
            kill -QUIT (Get-Content $fpm)   # PHP is down: nginx answers 502 whatever verify repairs
            $deadline = [DateTime]::UtcNow.AddSeconds(15)
            while ((Test-Path "/proc/$(Get-Content $fpm -ErrorAction SilentlyContinue)") -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            try {
                $task = Invoke-AegirVerify truth.test -ErrorVariable errs -ErrorAction SilentlyContinue
                $task.Status | Should -Be 'Failed'
                $errs[0].Exception.Message | Should -Match 'truth.test does not work: PHP-FPM is not running on .@server_master.*it answers HTTP 502'
                Test-Path "$vhosts/truth.test.conf" | Should -BeTrue -Because 'the vhost it wrote again stays'
            }
            finally { $null = Start-AegirLocalServer -HttpServiceType nginx }
            (Invoke-AegirVerify truth.test).Status | Should -Be 'Succeeded'
            (Invoke-Site -Port $port -HostName truth.test).Body | Should -Be "ok $((Get-AegirSite truth.test).DbName)"
        }
    }

    Describe 'Remove-AegirSite' {
        It 'that cannot move the site''s folder away leaves the site exactly as it was, and says so truthfully' {
            $d = Join-Path $work 'platforms/drupalish'
            New-DrupalShapedCodebase $d
            $null = New-AegirPlatform drupalish $d
            $null = Invoke-AegirVerify drupalish
            $site = New-AegirSite stuck.test -Platform drupalish
            $db = (Get-AegirSite stuck.test).DbName
            chattr +i "$d/sites/stuck.test"
            try {
                $task = Remove-AegirSite stuck.test -Force -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
                $task.Status | Should -Be 'Failed'
                ($task.Log.Message -match 'the target is as it was before the task') | Should -Not -BeNullOrEmpty
                (Get-AegirSite stuck.test).Status | Should -Be 'Installed'
                Invoke-Sql -Sql "SHOW DATABASES LIKE '$db'" | Should -Be $db
                (Invoke-Site -Port $port -HostName stuck.test).Body | Should -Be "ok $db"
            }
            finally { chattr -i "$d/sites/stuck.test" }
            (Remove-AegirSite stuck.test -Force).Status | Should -Be 'Succeeded'
            Invoke-Sql -Sql "SHOW DATABASES LIKE '$db'" | Should -BeNullOrEmpty
        }

        It 'that can delete everything but a file it cannot remove fails past the point of no return, saying what is left' {
            $site = New-AegirSite stuck2.test -Platform drupalish
            $d = Join-Path $work 'platforms/drupalish'
            $db = (Get-AegirSite stuck2.test).DbName
            Set-Content "$d/sites/stuck2.test/files/pinned.txt" 'cannot be deleted'
            chattr +i "$d/sites/stuck2.test/files/pinned.txt"
            try {
                $task = Remove-AegirSite stuck2.test -Force -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
                $task.Status | Should -Be 'Failed'
                $task.Error | Should -Match 'past the point of no return'
                $task.Error | Should -Match 'delete .*stuck2.test.deleting'
                ($task.Log.Message -match 'the target is as it was before the task') | Should -BeNullOrEmpty
                Get-AegirSite stuck2.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                Invoke-Sql -Sql "SHOW DATABASES LIKE '$db'" | Should -BeNullOrEmpty
                (Invoke-Site -Port $port -HostName stuck2.test).Status | Should -Be 404
            }
            finally { Get-ChildItem -Recurse -Force "$d/sites" -Filter pinned.txt | ForEach-Object { chattr -i $_.FullName } }
        }
    }

    Describe 'A PHP-FPM socket that is no socket' {
        BeforeAll {
            # The shared socket is what sites' PHP goes to where they share one pool.
            $null = Set-AegirServer master -HttpSetting @{ php_pools = 'shared' }
            $null = New-AegirSite sock.test -Platform app
            $record = (Get-AegirServer master).Path
            $socket = $server.Http.Get('php_fpm_socket')
            function Set-SocketByHand([string] $Path) { (Get-Content -Raw $record) -replace 'php_fpm_socket: .*', "php_fpm_socket: $Path" | Set-Content -NoNewline $record }
        }
        AfterEach { Set-SocketByHand $socket }
        AfterAll { $null = Set-AegirServer master -HttpSetting @{ php_pools = 'per-site' } }

        It 'is refused when it is given, and the record keeps the working one' {
            foreach ($bad in '/etc/passwd', '/etc', $vhosts) {
                { Set-AegirServer master -HttpSetting @{ php_fpm_socket = $bad } -ErrorAction Stop } | Should -Throw "*not a socket*" -Because "$bad is no socket"
            }
            (Get-AegirServer master).Http.Get('php_fpm_socket') | Should -Be $socket
        }

        It 'fails a verify of the site and a new site before their vhosts change, leaving the site answering and no record' {
            Set-SocketByHand /etc/passwd   # as if the record had been edited by hand
            $before = Get-Content -Raw "$vhosts/sock.test.conf"
            $task = Invoke-AegirVerify sock.test -ErrorVariable errs -ErrorAction SilentlyContinue
            $task.Status | Should -Be 'Failed'
            $errs[0].Exception.Message | Should -Match 'PHP-FPM socket of .@server_master. is /etc/passwd, which is a regular file, not a socket'
            Get-Content -Raw "$vhosts/sock.test.conf" | Should -Be $before
            (Invoke-Site -Port $port -HostName sock.test).Body | Should -Match '^ok socktest'

            New-AegirSite sock2.test -Platform app -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $errs[0].Exception.Message | Should -Match 'not a socket'
            Get-AegirSite sock2.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Invoke-Sql -Sql "SHOW DATABASES LIKE 'sock2test%'" | Should -BeNullOrEmpty
            (Invoke-AegirVerify master -ErrorAction SilentlyContinue).Error | Should -Match 'not a socket'
        }

        It 'put back by a verify that makes a site that answered answer 502, and a new site that fails at the reload leaves nothing' {
            # A socket no PHP-FPM listens on: the config passes its test, and the pages answer 502 once it is loaded.
            $dead = Join-Path $work 'no-fpm.sock'
            $unix = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::Unix, [System.Net.Sockets.SocketType]::Stream, [System.Net.Sockets.ProtocolType]::Unspecified)
            $unix.Bind([System.Net.Sockets.UnixDomainSocketEndPoint]::new($dead))   # bound, never listening (its file goes with it)
            try { Set-AegirServer master -HttpSetting @{ php_fpm_socket = $dead } }
            catch { $unix.Dispose(); throw }
            $before = Get-Content -Raw "$vhosts/sock.test.conf"
            $task = Invoke-AegirVerify sock.test -ErrorVariable errs -ErrorAction SilentlyContinue
            $task.Status | Should -Be 'Failed'
            $errs[0].Exception.Message | Should -Match 'sock.test does not work: it answers HTTP 502'
            ($task.Log.Message -match '^Undid: Writing the nginx vhost of sock.test') | Should -Not -BeNullOrEmpty
            Get-Content -Raw "$vhosts/sock.test.conf" | Should -Be $before
            (Invoke-Site -Port $port -HostName sock.test).Body | Should -Match '^ok socktest' -Because 'the working config is back, and loaded'

            $made = New-AegirSite sock3.test -Platform app -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warned -WarningAction SilentlyContinue
            ($errs.Exception.Message -join "`n") | Should -Match 'sock3.test: it answers HTTP 502'
            ($warned -join "`n") | Should -Match 'sock3.test was made in this batch but does not work .* it is removed again'
            Get-AegirSite sock3.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Invoke-Sql -Sql "SHOW DATABASES LIKE 'sock3test%'" | Should -BeNullOrEmpty
            Test-Path "$vhosts/sock3.test.conf" | Should -BeFalse
            (Invoke-Site -Port $port -HostName sock3.test).Status | Should -Be 404
            (Invoke-Site -Port $port -HostName sock.test).Body | Should -Match '^ok socktest'
            $unix.Dispose()
        }
    }

    Describe 'Symlinks a site''s owner plants' {
        BeforeAll {
            $outside = Join-Path $work 'outside'
            $null = New-Item -ItemType Directory -Force $outside
            Set-Content "$outside/precious.txt" 'not the module''s to touch'
            chmod 777 $outside; chmod 666 "$outside/precious.txt"
            function Get-Outside { (Get-ChildItem -Recurse -Force $outside | ForEach-Object { "$($_.FullName) $(stat -c '%a %U:%G' $_.FullName)" }) + (stat -c '%a %U:%G' $outside) -join "`n" }
            $pristine = Get-Outside
        }

        It 'stop an install at a link where a folder belongs, with a clear error, touching nothing outside' {
            $wp = Join-Path $work 'platforms/wordpress'
            Remove-Item -Recurse -Force "$wp/wp-content/uploads" -ErrorAction SilentlyContinue
            $null = New-Item -ItemType SymbolicLink -Path "$wp/wp-content/uploads" -Target $outside
            try {
                New-AegirSite linked.test -Platform wordpress -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
                $errs[0].Exception.Message | Should -Match 'wp-content/uploads is a symlink where a folder belongs, and links are never followed'
                Get-AegirSite linked.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                Get-Outside | Should -Be $pristine
            }
            finally { Remove-Item "$wp/wp-content/uploads" }
        }

        It 'are never followed by verify, by its permission change over the codebase, or by a removal' {
            $d = Join-Path $work 'platforms/drupalish'
            $null = New-AegirSite owned.test -Platform drupalish
            Remove-Item -Recurse -Force "$d/sites/owned.test/files"
            $null = New-Item -ItemType SymbolicLink -Path "$d/sites/owned.test/files" -Target $outside
            $null = New-Item -ItemType SymbolicLink -Path "$d/modules-elsewhere" -Target $outside

            $task = Invoke-AegirVerify owned.test -ErrorVariable errs -ErrorAction SilentlyContinue
            $task.Status | Should -Be 'Failed'
            $errs[0].Exception.Message | Should -Match 'files is a symlink where a folder belongs'
            (Invoke-AegirVerify drupalish).Status | Should -Be 'Succeeded'
            Get-Outside | Should -Be $pristine

            Remove-Item "$d/sites/owned.test/settings.php" -Force
            $null = New-Item -ItemType SymbolicLink -Path "$d/sites/owned.test/settings.php" -Target "$outside/precious.txt"
            Remove-Item "$d/sites/owned.test/files"
            (Invoke-AegirVerify owned.test -ErrorAction SilentlyContinue).Error | Should -Match 'settings.php is a symlink'
            Get-Outside | Should -Be $pristine

            Remove-Item "$d/sites/owned.test/settings.php"
            Remove-Item -Recurse -Force "$d/sites/owned.test"
            $null = New-Item -ItemType SymbolicLink -Path "$d/sites/owned.test" -Target $outside
            # Its backup first says it holds none of the files a link stands for.
            $removed = Remove-AegirSite owned.test -Force -WarningVariable warned -WarningAction SilentlyContinue
            $removed.Status | Should -Be 'Warning'
            "$warned" | Should -Match 'sites/owned.test on .* is a link, not a folder: it is not followed'
            Test-Path "$d/sites/owned.test" | Should -BeFalse
            Get-Outside | Should -Be $pristine
            Remove-Item "$d/modules-elsewhere"
        }
    }
}
