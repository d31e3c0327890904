# WordPress sites on a private nginx, PHP-FPM and MariaDB, all real: install two sites, fetch them over
# HTTP, read their databases, disable, enable, remove; then the faults: a broken template, a dead lock.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'WordPress hosting on nginx' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        # Not TestDrive: Pester empties what an inner block made there when the block ends.
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        Install-TestPackage wordpress
        $port = $server.Http.GetInt('port')
        $root = Join-Path $work 'platforms/wordpress'
        $null = New-Item -ItemType Directory -Force (Split-Path $root)
        cp -rL /usr/share/wordpress $root
        $null = New-AegirPlatform wordpress $root
        $verify = Invoke-AegirVerify platform_wordpress
        $one = New-AegirSite one.test -Platform wordpress -Title 'Site One' -Alias www.one.test -Redirection one.test
        $two = New-AegirSite two.test -Platform wordpress -Title 'Site Two'
    }
    AfterAll {
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    Describe 'Start-AegirLocalServer' {
        It 'records the server with its private instances and answers unknown hosts with 404' {
            $server.Http.Type | Should -Be 'nginx'
            $server.Http.Get('listen_address') | Should -Be '127.0.0.1'
            $server.Db.Type | Should -Be 'mysql'
            (Invoke-Site -Port $port -HostName 'nobody.test').Status | Should -Be 404
            (Get-AegirTask -Target master -Type verify -First 1).Status | Should -Be 'Succeeded'
        }
    }

    Describe 'Invoke-AegirVerify' {
        It 'finds a WordPress platform and its version, and writes a wp-config.php with no password' {
            $verify.Status | Should -Be 'Succeeded'
            $platform = Get-AegirPlatform wordpress
            $platform.Kind | Should -Be 'wordpress'
            $platform.Version | Should -Match '^6\.'
            Get-Content -Raw "$root/wp-config.php" | Should -Match "\`$_SERVER\['db_passwd'\]"
            # Every site's PHP runs as its own account and reads it; it holds no secret (each site's come from its own pool).
            (Get-Item "$root/wp-config.php").UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, GroupRead, OtherRead')
            Get-Content -Raw "$root/wp-config.php" | Should -Match "\`$_SERVER\['aegir_salt'\]"
        }

        It 'verifies an installed site and keeps it answering' {
            (Invoke-AegirVerify one.test).Status | Should -Be 'Succeeded'
            (Invoke-Site -Port $port -HostName one.test).Body | Should -Match '<title>Site One'
        }
    }

    Describe 'New-AegirSite' {
        It 'installs each site and hands over its admin password once' {
            foreach ($site in $one, $two) {
                $site | Should -BeOfType ([Aegir.Core.Operations.SiteInstallation])
                $site.Status | Should -Be 'Installed'
                $site.AdminUser | Should -Be 'admin'
                $site.AdminPassword | Should -BeOfType ([securestring])
                $site.Task.Status | Should -Be 'Succeeded'
            }
        }

        It 'serves each site its own title from its own database' {
            (Invoke-Site -Port $port -HostName one.test).Body | Should -Match '<title>Site One'
            (Invoke-Site -Port $port -HostName two.test).Body | Should -Match '<title>Site Two'
            $db1 = (Get-AegirSite one.test).DbName; $db2 = (Get-AegirSite two.test).DbName
            $db1 | Should -Not -Be $db2
            Invoke-Sql -Sql "SELECT option_value FROM wp_options WHERE option_name = 'blogname'" -Database $db1 | Should -Be 'Site One'
            Invoke-Sql -Sql "SELECT option_value FROM wp_options WHERE option_name = 'blogname'" -Database $db2 | Should -Be 'Site Two'
        }

        It 'grants the database user from the web server host only' {
            $db = (Get-AegirSite one.test).DbName
            Invoke-Sql -Sql "SELECT Host FROM mysql.user WHERE User = '$db' ORDER BY Host" | Should -Be @('127.0.0.1', 'localhost')
        }

        It 'redirects an alias to the main uri' {
            $r = Invoke-Site -Port $port -HostName www.one.test
            $r.Status | Should -Be 301
            $r.Location | Should -Be "http://one.test:$port/"
        }

        It 'keeps database passwords out of every file of the platform and the sites' {
            foreach ($uri in 'one.test', 'two.test') {
                $password = Get-SitePassword $uri
                $password.Length | Should -BeGreaterThan 15
                $hits = Get-ChildItem -Recurse -File $root | Select-String -SimpleMatch $password -List
                $hits | Should -BeNullOrEmpty -Because "no file under the platform may hold the password of $uri"
                (Get-AegirTask -Target $uri | ConvertTo-Json -Depth 5) | Should -Not -Match $password
            }
        }

        It 'gives each site its own uploads folder, owned by the web group, where PHP does not run' {
            $uploads = "$root/wp-content/uploads/sites/one.test"
            (Get-Item $uploads).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead, GroupWrite, GroupExecute, SetGroup')
            (stat -c '%G' $uploads) | Should -Be 'www-data'
            Set-Content "$uploads/evil.php" '<?php echo "ran";'
            $r = Invoke-Site -Port $port -HostName one.test -Path '/wp-content/uploads/sites/one.test/evil.php'
            $r.Status | Should -Be 403
            $r.Body | Should -Not -Match 'ran'
        }

        It 'takes write access to the codebase away from the web server' {
            (find $root -path "$root/wp-content/uploads" -prune -o -perm /022 -print) | Should -BeNullOrEmpty
        }
    }

    Describe 'Disable-AegirSite' {
        It 'serves the site disabled page' {
            (Disable-AegirSite one.test).Status | Should -Be 'Succeeded'
            (Get-AegirSite one.test).Status | Should -Be 'Disabled'
            $r = Invoke-Site -Port $port -HostName one.test
            $r.Status | Should -Be 503
            $r.Body | Should -Match 'Site disabled'
            (Invoke-Site -Port $port -HostName two.test).Body | Should -Match '<title>Site Two'
        }
    }

    Describe 'Enable-AegirSite' {
        It 'serves the site again' {
            (Enable-AegirSite one.test -PassThru).Status | Should -Be 'Installed'
            (Invoke-Site -Port $port -HostName one.test).Body | Should -Match '<title>Site One'
        }
    }

    Describe 'Set-AegirSite' {
        It 'puts a new alias of an installed site to work at once' {
            (Invoke-Site -Port $port -HostName blog.one.test).Status | Should -Be 404
            Set-AegirSite one.test -AddAlias blog.one.test
            $r = Invoke-Site -Port $port -HostName blog.one.test
            $r.Status | Should -Be 301
            $r.Location | Should -Be "http://one.test:$port/"
            (Get-AegirTask -Target one.test -Type verify -First 1).Status | Should -Be 'Succeeded'
        }
    }

    Describe 'Get-AegirPackage' {
        It 'lists core, plugins and themes of the platform' {
            $packages = Get-AegirPackage -Platform wordpress
            ($packages | Where-Object Type -EQ core).Version | Should -Match '^6\.'
            ($packages | Where-Object Type -EQ theme).Count | Should -BeGreaterThan 0
            $packages | ForEach-Object { $_.Platform | Should -Be 'platform_wordpress' }
        }

        It 'says which packages a site has enabled, from its database' {
            $theme = Invoke-Sql -Sql "SELECT option_value FROM wp_options WHERE option_name = 'template'" -Database (Get-AegirSite one.test).DbName
            $site = Get-AegirSite one.test | Get-AegirPackage
            ($site | Where-Object Name -EQ $theme).Enabled | Should -BeTrue
            ($site | Where-Object { $_.Type -eq 'theme' -and $_.Name -ne $theme } | Select-Object -First 1).Enabled | Should -BeFalse
        }
    }

    Describe 'The database service' {
        It 'dumps a site''s database to a stream and imports it into another, with no password on a command line or left on disk' {
            $started = [DateTime]::Now.AddSeconds(-1)
            $engine = [Aegir.Core.Operations.Engine]::new([Aegir.Core.Contexts.ContextStore]::new($env:AEGIR_HOME))
            $envt = [Aegir.Core.Operations.OperationEnvironment]::new($engine)
            $db = $envt.Db((Get-AegirServer master))
            $source = (Get-AegirSite one.test).DbName
            $dump = [IO.MemoryStream]::new()
            # Made as the site's own account, from the web server.
            $db.Dump((Get-AegirServer master), [Aegir.Core.Services.Http.SiteDatabase]::new('mysql', '127.0.0.1', $db.Port, $source, $source, (Get-SitePassword one.test)), $dump)
            [Text.Encoding]::UTF8.GetString($dump.ToArray()) | Should -Match 'CREATE TABLE `wp_options`'
            $db.CreateDatabase('copytest')
            $password = 'Copy-Test-' + [guid]::NewGuid().ToString('N')
            $db.CreateUser('copytest', $password, 'copytest', [string[]]@('127.0.0.1', 'localhost'))
            try {
                $dump.Position = 0
                $db.Import((Get-AegirServer master), [Aegir.Core.Services.Http.SiteDatabase]::new('mysql', '127.0.0.1', $db.Port, 'copytest', 'copytest', $password), $dump)
                Invoke-Sql -Sql "SELECT option_value FROM wp_options WHERE option_name = 'blogname'" -Database copytest | Should -Be 'Site One'
                $db.ListDatabases() | Should -Contain 'copytest'
            }
            finally { $db.DropDatabase('copytest'); $db.DropUser('copytest') }
            $db.ListDatabases() | Should -Not -Contain 'copytest'
            # Another AEGIR_HOME's tasks on this machine may leave theirs: this dump's and import's are told apart by time.
            Get-ChildItem /tmp -Filter 'aegir-db-*' -ErrorAction SilentlyContinue | Where-Object LastWriteTime -GE $started | Should -BeNullOrEmpty
        }
    }

    Describe 'Get-AegirTask' {
        It 'shows the install of a site with its log' {
            $task = Get-AegirTask -Target one.test -Type install -First 1
            $task.Status | Should -Be 'Succeeded'
            $task.Log.Message | Should -Contain 'Running the wordpress installer'
            (Get-AegirTask -Id $task.Id).Id | Should -Be $task.Id
        }

        It 'refuses a type that is not a task type, naming the ones there are' {
            { Get-AegirTask -Type instal -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage "Type 'instal' is not valid: it is not a task type. Use one of backup, *, install, *, verify."
            @(Get-AegirTask -Type INSTALL -Target one.test).Count | Should -BeGreaterThan 0
        }
    }

    Describe 'Lock-AegirPlatform' {
        It 'keeps new sites off the platform until it is unlocked' {
            Lock-AegirPlatform wordpress
            { New-AegirSite locked.test -Platform wordpress -ErrorAction Stop } | Should -Throw -ErrorId 'PlatformLocked*'
            Get-AegirSite locked.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
    }

    Describe 'Unlock-AegirPlatform' {
        It 'lets new sites on again' {
            (Unlock-AegirPlatform wordpress -PassThru).Locked | Should -BeFalse
        }
    }

    Describe 'Faults' {
        It 'a template override that breaks nginx fails the install and leaves everything as it was' {
            $override = Join-Path $env:AEGIR_HOME 'templates/nginx-vhost.conf.sbn'
            $null = New-Item -ItemType Directory -Force (Split-Path $override)
            Set-Content $override "server { listen {{ listen }}; server_name {{ uri }}; this_is_not_a_directive; }"
            try {
                $before = Get-ChildItem (Join-Path $env:AEGIR_HOME 'config/server_master/nginx/vhost.d') | ForEach-Object Name
                New-AegirSite broken.test -Platform wordpress -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
                $errs[0].Exception.Message | Should -Match 'config test'
                $task = Get-AegirTask -Target broken.test -Type install -First 1
                $task.Status | Should -Be 'Failed'
                $task.Log.Message | Should -Contain 'Put back the previous config of broken.test.conf.'
                ($task.Log.Message -match '^Undid: Creating database') | Should -Not -BeNullOrEmpty
                Get-ChildItem (Join-Path $env:AEGIR_HOME 'config/server_master/nginx/vhost.d') | ForEach-Object Name | Should -Be $before
                Invoke-Sql -Sql "SHOW DATABASES LIKE 'broken%'" | Should -BeNullOrEmpty
                Invoke-Sql -Sql "SELECT User FROM mysql.user WHERE User LIKE 'broken%'" | Should -BeNullOrEmpty
                Get-AegirSite broken.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                Test-Path "$root/wp-content/uploads/sites/broken.test" | Should -BeFalse
                (Invoke-Site -Port $port -HostName one.test).Body | Should -Match '<title>Site One'
            }
            finally { Remove-Item $override }
        }

        It 'a platform whose include breaks nginx is not recorded, and the modes of its code are put back as they were' {
            $override = Join-Path $env:AEGIR_HOME 'templates/nginx-platform.conf.sbn'
            $code = Join-Path $work 'platforms/loose'
            $null = New-Item -ItemType Directory -Force "$code/lib"
            Set-Content "$code/index.php" '<?php echo "loose";'
            Set-Content "$code/lib/a.php" '<?php'
            chmod 0777 "$code/lib"
            chmod 0666 "$code/lib/a.php"
            Set-Content $override "this_is_not_a_directive;"
            try {
                { New-AegirPlatform loose $code -ErrorAction Stop } | Should -Throw '*config test*'
                Get-AegirPlatform loose -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                ((Get-AegirTask -Target platform_loose -First 1).Log.Message -match '^Undid: Taking write access to the codebase') | Should -Not -BeNullOrEmpty
                stat -c '%a' "$code/lib" "$code/lib/a.php" | Should -Be @('777', '666') -Because 'a failed task puts back what it changed'
            }
            finally { Remove-Item $override; Remove-Item -Recurse -Force $code }
        }

        It 'a lock left by a dead process is taken over with a warning, and its task marked failed' {
            $exe = [Environment]::ProcessPath
            $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
            $script = "Import-Module '$env:AEGIR_TEST_MODULE'; [Aegir.Core.Tasks.TaskRunner]::new('$env:AEGIR_HOME').Run('verify', 'two.test', [string[]]@(), [Action[Aegir.Core.Tasks.TaskContext]]{ param(`$c) [Console]::Out.WriteLine('holding'); [Console]::Out.Flush(); Start-Sleep 600 })"
            $psi = [System.Diagnostics.ProcessStartInfo]::new($exe)
            foreach ($a in @($prefix) + @('-NoProfile', '-Command', $script)) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardOutput = $true
            $child = [System.Diagnostics.Process]::Start($psi)
            $child.StandardOutput.ReadLine() | Should -Be 'holding'
            $dead = Get-AegirTask -Target two.test -Status Running -First 1
            $child.Kill(); $child.WaitForExit()

            # The verify repairs the dead task before it decides on two.test, so its own task finds nothing left to repair.
            $task = Invoke-AegirVerify two.test -WarningVariable warnings -WarningAction SilentlyContinue
            $task.Status | Should -Be 'Succeeded'
            $warnings -join "`n" | Should -Match "Took over the lock on '@two.test' from task $($dead.Id)"
            (Get-AegirTask -Id $dead.Id).Status | Should -Be 'Failed'
            (Get-AegirTask -Id $dead.Id).Error | Should -Match "A check of '@two.test' repaired it"
            (Invoke-Site -Port $port -HostName two.test).Body | Should -Match '<title>Site Two'
        }
    }

    Describe 'Remove-AegirSite' {
        It 'removes the database, the user, the vhost and the files, and the other site still answers' {
            $db = (Get-AegirSite two.test).DbName
            (Remove-AegirSite two.test -Force).Status | Should -Be 'Succeeded'
            Invoke-Sql -Sql "SHOW DATABASES LIKE '$db'" | Should -BeNullOrEmpty
            Invoke-Sql -Sql "SELECT User FROM mysql.user WHERE User = '$db'" | Should -BeNullOrEmpty
            Test-Path (Join-Path $env:AEGIR_HOME 'config/server_master/nginx/vhost.d/two.test.conf') | Should -BeFalse
            Test-Path "$root/wp-content/uploads/sites/two.test" | Should -BeFalse
            (Invoke-Site -Port $port -HostName two.test).Status | Should -Be 404
            (Invoke-Site -Port $port -HostName one.test).Body | Should -Match '<title>Site One'
            Get-AegirSite two.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
    }
}
