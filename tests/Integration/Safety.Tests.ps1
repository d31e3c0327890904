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
        $null = New-Item -ItemType Directory -Force $root
        Set-Content "$root/index.php" @'
<?php
$db = new mysqli($_SERVER['db_host'], $_SERVER['db_user'], $_SERVER['db_passwd'], $_SERVER['db_name'], (int)$_SERVER['db_port']);
echo 'ok ', $_SERVER['db_name'];
'@
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
        It 'fails and undoes when the web server is not running, instead of claiming the site is installed' {
            $pidFile = $server.Http.Get('pid_file')
            kill -QUIT (Get-Content $pidFile)
            $deadline = [DateTime]::UtcNow.AddSeconds(15)
            while ((Test-Path "/proc/$(Get-Content $pidFile -ErrorAction SilentlyContinue)") -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            try {
                { New-AegirSite down.test -Platform app -ErrorAction Stop } | Should -Throw '*is not running*'
                Get-AegirSite down.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                Test-Path "$vhosts/down.test.conf" | Should -BeFalse
                Invoke-Sql -Sql "SHOW DATABASES LIKE 'downtest%'" | Should -BeNullOrEmpty
                Invoke-Sql -Sql "SELECT User FROM mysql.user WHERE User LIKE 'downtest%'" | Should -BeNullOrEmpty
            }
            finally { $null = Start-AegirLocalServer -HttpServiceType nginx }
            (New-AegirSite down.test -Platform app).Status | Should -Be 'Installed'
            (Invoke-Site -Port $port -HostName down.test).Body | Should -Match '^ok downtest'
        }
    }
}
