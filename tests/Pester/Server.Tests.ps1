BeforeAll { . $PSScriptRoot/TestHelpers.ps1 }

Describe 'Server cmdlets' {
BeforeEach { $null = Reset-AegirHome }

Describe 'New-AegirServer' {
    It 'records master with its services and default settings' {
        $server = New-TestMaster
        $server | Should -BeOfType ([Aegir.Core.Contexts.AegirServer])
        $server.Name | Should -Be 'server_master'
        $server.RemoteHost | Should -Be 'localhost'
        $server.Http.Type | Should -Be 'nginx'
        $server.Http.Get('port') | Should -Be '80'
        $server.Http.Get('restart_command') | Should -Be 'nginx -s reload'
        $server.Db.Type | Should -Be 'mysql'
        Get-ContextFiles | Should -Be @('server_master.yml')
    }

    It 'derives the name from the remote host' {
        $server = New-AegirServer -RemoteHost web1.example.com -HttpServiceType apache -HttpPort 8080
        $server.Name | Should -Be 'server_web1examplecom'
        $server.Http.GetInt('port') | Should -Be 8080
        $server.Db.Type | Should -Be 'none'
    }

    It 'takes other settings of the service type' {
        $server = New-AegirServer -Name box -RemoteHost 127.0.0.1 -HttpServiceType nginx -HttpSetting @{ restart_command = 'nginx -c /srv/box/nginx.conf -s reload'; web_group = 'nginx' }
        $server.Http.Get('restart_command') | Should -Be 'nginx -c /srv/box/nginx.conf -s reload'
        $server.Http.Get('web_group') | Should -Be 'nginx'
    }

    It 'refuses an unknown setting and lists the known ones' {
        { New-AegirServer -Name box -RemoteHost box.example -HttpServiceType nginx -HttpSetting @{ restart = 'x' } -ErrorAction Stop } |
            Should -Throw -ErrorId 'UnknownServiceSetting,Aegir.PowerShell.Cmdlets.Server.NewAegirServerCommand' -ExpectedMessage '*restart_command*'
        Get-ContextFiles | Should -BeNullOrEmpty
    }

    It 'refuses an unknown service type' {
        { New-AegirServer -Name box -RemoteHost box.example -HttpServiceType lighttpd -ErrorAction Stop } | Should -Throw -ExpectedMessage '*apache, cluster, nginx, none*'
    }

    It 'names a script user that is never root: aegir for master when root runs the module, and refuses root as a setting' {
        $master = New-TestMaster
        $master.ScriptUser | Should -Be $(if ((id -u) -eq '0') { 'aegir' } else { (id -un) })
        (New-AegirServer -RemoteHost web1.example.com).ScriptUser | Should -Be 'aegir'
        $before = Get-ContextSnapshot
        { Set-AegirServer master -ScriptUser root -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*never run as root*'
        { New-AegirServer -RemoteHost web2.example.com -ScriptUser root -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*'
        Get-ContextSnapshot | Should -Be $before
    }

    It 'needs a remote host for any server but master' {
        { New-AegirServer -Name web2 -ErrorAction Stop } | Should -Throw -ErrorId 'MissingValue*'
    }

    It 'refuses a name that is taken' {
        $null = New-TestMaster
        { New-TestMaster -ErrorAction Stop } | Should -Throw -ErrorId 'ContextExists*'
    }

    It 'keeps the admin password in a private file and never shows it' {
        $out = New-TestMaster -Verbose 4>&1 | Out-String
        $out | Should -Not -Match 'Pester-Admin-Secret'
        (Get-AegirServer master | Format-List * | Out-String) | Should -Not -Match 'Pester-Admin-Secret'
        (Get-AegirServer master).Db.Settings['admin_password'] | Should -Be '********'
        $file = Join-Path $env:AEGIR_HOME 'contexts/server_master.yml'
        (Get-Item $file).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
        (Get-Item (Join-Path $env:AEGIR_HOME 'contexts')).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
        Get-Content -Raw $file | Should -Match 'admin_password: Pester-Admin-Secret'
    }

    It 'changes nothing with -WhatIf' {
        New-AegirServer -Name master -HttpServiceType nginx -WhatIf
        Get-ContextFiles | Should -BeNullOrEmpty
    }

    It 'creates servers from the pipeline by property name' {
        $made = [pscustomobject]@{ Name = 'a'; RemoteHost = 'a.example' }, [pscustomobject]@{ Name = 'b'; RemoteHost = 'b.example' } | New-AegirServer
        $made.Name | Should -Be @('server_a', 'server_b')
    }
}

Describe 'Get-AegirServer' {
    BeforeEach {
        $null = New-TestMaster
        $null = New-AegirServer -RemoteHost web1.example.com -HttpServiceType apache
        $null = New-AegirServer -RemoteHost db1.example.com -DbServiceType mysql
    }

    It 'lists every server in name order' {
        (Get-AegirServer).Name | Should -Be @('server_db1examplecom', 'server_master', 'server_web1examplecom')
    }

    It 'takes names with or without @ and prefix, and wildcards' {
        (Get-AegirServer master).Name | Should -Be 'server_master'
        (Get-AegirServer '@server_master').Name | Should -Be 'server_master'
        (Get-AegirServer 'web*').Name | Should -Be 'server_web1examplecom'
        (Get-AegirServer '@server_*').Count | Should -Be 3
    }

    It 'filters by service type' {
        (Get-AegirServer -HttpServiceType apache).Name | Should -Be 'server_web1examplecom'
        (Get-AegirServer -DbServiceType mysql).Name | Should -Be @('server_db1examplecom', 'server_master')
    }

    It 'reports a missing name and goes on' {
        $found = Get-AegirServer nope, master -ErrorVariable errs -ErrorAction SilentlyContinue
        $found.Name | Should -Be 'server_master'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ContextNotFound*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].TargetObject | Should -Be 'server_nope'
    }

    It 'formats as a table' {
        $text = Get-AegirServer | Out-String
        $text | Should -Match 'Name\s+RemoteHost\s+Http\s+Db'
        $text | Should -Match '@server_master\s+localhost\s+nginx:80\s+mysql:3306'
    }
}

Describe 'Set-AegirServer' {
    BeforeEach { $null = New-TestMaster }

    It 'changes settings and returns the server with -PassThru' {
        $server = Set-AegirServer master -HttpPort 8080 -PassThru
        $server.Http.GetInt('port') | Should -Be 8080
        (Get-AegirServer master).Http.GetInt('port') | Should -Be 8080
    }

    It 'takes several names' {
        $null = New-AegirServer -RemoteHost web1.example.com -HttpServiceType nginx
        Set-AegirServer master, web1examplecom -HttpSetting @{ restart_command = 'service nginx reload' }
        (Get-AegirServer).ForEach({ $_.Http.Get('restart_command') }) | Should -Be @('service nginx reload', 'service nginx reload')
    }

    It 'writes nothing without -PassThru' {
        Set-AegirServer master -HttpPort 8081 | Should -BeNullOrEmpty
    }

    It 'takes servers from the pipeline' {
        $null = New-AegirServer -RemoteHost web1.example.com -HttpServiceType nginx
        Get-AegirServer -HttpServiceType nginx | Set-AegirServer -HttpSetting @{ restart_command = 'systemctl reload nginx' }
        (Get-AegirServer).ForEach({ $_.Http.Get('restart_command') }) | Should -Be @('systemctl reload nginx', 'systemctl reload nginx')
    }

    It 'runs all sites of each client as one account when told, and refuses a value it does not know, naming the two it takes' {
        (Get-AegirServer master).Http.Get('php_accounts') | Should -Be 'per-site'
        (Set-AegirServer master -HttpSetting @{ php_accounts = 'per-client' } -PassThru).Http.Get('php_accounts') | Should -Be 'per-client'
        { Set-AegirServer master -HttpSetting @{ php_accounts = 'per-user' } -ErrorAction Stop } | Should -Throw -ExpectedMessage '*per-site, per-client*'
        (Get-AegirServer master).Http.Get('php_accounts') | Should -Be 'per-client'
    }

    It 'switches a service type and brings the new defaults' {
        $server = Set-AegirServer master -HttpServiceType apache -PassThru
        $server.Http.Get('restart_command') | Should -Be 'apache2ctl graceful'
    }

    It 'refuses to switch off a service that platforms need' {
        $null = New-TestPlatform
        { Set-AegirServer master -HttpServiceType none -ErrorAction Stop } | Should -Throw -ErrorId 'ContextInUse*'
        (Get-AegirServer master).Http.Type | Should -Be 'nginx'
    }

    It 'changes nothing with -WhatIf' {
        $before = Get-ContextSnapshot
        Set-AegirServer master -HttpPort 9999 -WhatIf
        Get-ContextSnapshot | Should -Be $before
    }

    It 'prints one line per field it would change with -WhatIf, secrets masked' {
        $cred = [pscredential]::new('admin', (ConvertTo-SecureString 'New-Secret-Pw' -AsPlainText -Force))
        $out = Invoke-AegirChild "Set-AegirServer master -HttpPort 9999 -DbAdminCredential ([pscredential]::new('admin', (ConvertTo-SecureString 'New-Secret-Pw' -AsPlainText -Force))) -WhatIf"
        $out | Should -Contain 'What if: set services.http.port of @server_master to 9999'
        $out | Should -Contain 'What if: set services.db.admin_user of @server_master to admin'
        $out | Should -Contain 'What if: set services.db.admin_password of @server_master to ********'
        ($out -join "`n") | Should -Not -Match 'New-Secret-Pw'
    }

    It 'refuses a bad port' {
        { Set-AegirServer master -HttpPort 70000 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*1 to 65535*'
    }
}

Describe 'Remove-AegirServer' {
    BeforeEach { $null = New-TestMaster }

    It 'removes a server with -Force' {
        Remove-AegirServer master -Force
        Get-ContextFiles | Should -BeNullOrEmpty
    }

    It 'removes servers from the pipeline' {
        $null = New-AegirServer -RemoteHost web1.example.com
        Get-AegirServer | Remove-AegirServer -Confirm:$false
        Get-ContextFiles | Should -BeNullOrEmpty
    }

    It 'is refused while a platform uses the server, naming it' {
        $null = New-TestPlatform
        { Remove-AegirServer master -Force -ErrorAction Stop } | Should -Throw -ExpectedMessage '*@platform_wp*'
        Get-ContextFiles | Should -Contain 'server_master.yml'
    }

    It 'changes nothing with -WhatIf, even with -Force' {
        Remove-AegirServer master -Force -WhatIf
        Get-ContextFiles | Should -Be @('server_master.yml')
    }

    It 'returns its plan with -Plan, changing nothing' {
        $steps = @(Remove-AegirServer master -Force -Plan)
        $steps.Count | Should -Be 1
        $steps[0].Description | Should -Be 'remove the record of @server_master'
        Get-ContextFiles | Should -Be @('server_master.yml')
    }

    It 'asks for confirmation (ConfirmImpact High)' {
        (Get-Command Remove-AegirServer).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
    }
}

Describe 'A cluster of web servers' {
    It 'records one without an address, its members by name, and shows them' {
        $null = New-AegirServer web1 -RemoteHost 192.0.2.11 -HttpServiceType nginx
        $null = New-AegirServer web2 -RemoteHost 192.0.2.12 -HttpServiceType apache
        $farm = New-AegirServer webfarm -HttpServiceType cluster -ClusterMembers web1, '@server_web2'
        $farm.IsCluster | Should -BeTrue
        $farm.Http.Get('members') | Should -Be 'server_web1,server_web2'
        (Get-AegirServer webfarm | Out-String) | Should -Match 'server_webfarm\s+-\s+cluster:@web1,@web2'
        (Set-AegirServer webfarm -ClusterMembers web2 -PassThru).Http.Get('members') | Should -Be 'server_web2'
    }

    It 'refuses a member that is not recorded, and what only a machine has, changing nothing' {
        $null = New-AegirServer web1 -RemoteHost 192.0.2.11 -HttpServiceType nginx
        { New-AegirServer webfarm -HttpServiceType cluster -ClusterMembers web1, web9 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ClusterMemberInvalid*' -ExpectedMessage "*'@server_web9'*no server of that name*"
        { New-AegirServer webfarm -HttpServiceType cluster -ClusterMembers web1 -SshUser root -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*-Ssh*a cluster is no machine of its own*'
        { New-AegirServer webfarm -HttpServiceType cluster -ClusterMembers web1 -DbServiceType mysql -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*-Db*a cluster is no machine of its own*'
        { New-AegirServer webfarm -HttpServiceType cluster -ErrorAction Stop } | Should -Throw -ErrorId 'ClusterMemberInvalid*' -ExpectedMessage '*has no members*-ClusterMembers*'
        { Set-AegirServer web1 -ClusterMembers web1 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage "*'@server_web1' is not a cluster*"
        Get-ContextFiles | Should -Be @('server_web1.yml')
    }
}

Describe 'Start-AegirLocalServer' {
    It 'says with -WhatIf that it would start PostgreSQL in its own folder, and starts nothing' {
        $out = Invoke-AegirChild "Start-AegirLocalServer pgbox -DbServiceType postgresql -WhatIf"
        ($out -join "`n") | Should -Match "What if: start PostgreSQL on 127.0.0.1 with its data in .*/local/server_pgbox/postgresql"
        ($out -join "`n") | Should -Match 'What if: record @server_pgbox'
        Get-ContextFiles | Should -Not -Contain 'server_pgbox.yml'
    }

    It 'refuses a database type that has no local instance, naming those that have' {
        { Start-AegirLocalServer box -DbServiceType none -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*mysql, postgresql*'
        Get-ContextFiles | Should -Not -Contain 'server_box.yml'
    }
}

Describe 'Import-AegirContext' {
    BeforeEach {
        $drush = Join-Path $env:AEGIR_HOME 'drush'
        $root = Join-Path $env:AEGIR_HOME 'platforms/p7'
        $null = New-Item -ItemType Directory -Force $drush, "$root/sites/s.test"
        function Write-Alias([string] $Name, [string] $Body) { Set-Content "$drush/$Name.alias.drushrc.php" "<?php`n`$aliases['$Name'] = array (`n$Body`n);`n" }
        Write-Alias server_master "'context_type' => 'server',`n'http_service_type' => 'nginx',`n'db_service_type' => 'mysql',`n'master_db' => 'mysql://root:Pester-Aegir3-Secret@localhost',"
        Write-Alias platform_p7 "'context_type' => 'platform',`n'root' => '$root',`n'web_server' => '@server_master',"
        Write-Alias s.test "'context_type' => 'site',`n'platform' => '@platform_p7',`n'uri' => 's.test',`n'aliases' => array ('www.s.test'),`n'site_enabled' => false,`n'mystery' => 1,"
        Set-Content "$root/sites/s.test/drushrc.php" "<?php`n`$options['db_name'] = 'stest';`n`$options['db_user'] = 'stest';`n`$options['db_passwd'] = 'Pester-Site-Secret';`n`$_SERVER['db_name'] = `$options['db_name'];`n"
    }

    It 'records the servers, platforms and sites of the alias files with -NoVerify, each site with its drushrc.php database' {
        $made = Import-AegirContext $drush -NoVerify -WarningVariable warned -Verbose 4>&1 3>$null
        $records = @($made | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        ($records | ForEach-Object Name) | Should -Be 'server_master', 'platform_p7', 's.test'
        $records[0].Db.Get('admin_user') | Should -Be 'root'
        $site = $records[2]
        $site | Should -BeOfType ([Aegir.Core.Contexts.AegirSite])
        $site.DbName, $site.HasDbPassword, $site.Status, "$($site.Aliases)" | Should -Be 'stest', $true, 'Disabled', 'www.s.test'
        "$warned" | Should -Match "s.test.alias.drushrc.php: unknown key 'mystery'"
        ($made | Out-String) + "$warned" | Should -Not -Match 'Pester-(Aegir3|Site)-Secret'
        Get-ContextSnapshot | Should -Match 'Pester-Site-Secret'
    }

    It 'refuses the whole folder when one file holds code, naming it, and records nothing' {
        Set-Content "$drush/bad.test.alias.drushrc.php" "<?php`n`$aliases['bad.test'] = array ('uri' => exec('id'));"
        { Import-AegirContext $drush -NoVerify -ErrorAction Stop 3>$null } |
            Should -Throw -ErrorId 'Aegir3ContextUnread,Aegir.PowerShell.Cmdlets.Aegir3.ImportAegirContextCommand' -ExpectedMessage '*bad.test.alias.drushrc.php, line 2*function call*'
        Get-ContextFiles | Should -BeNullOrEmpty
    }

    It 'lists what it would make under -WhatIf, and records nothing' {
        $said = Invoke-AegirChild "Import-AegirContext '$drush' -WhatIf 3>`$null"
        $said | Should -Contain 'What if: record the server @server_master (localhost): http nginx on port 80, db mysql on localhost:3306 as root'
        $said | Should -Contain "What if: record and verify the platform @platform_p7 at $root on @server_master"
        $said | Should -Contain 'What if: take in the site s.test on @platform_p7 (aliases www.s.test), its database as its drushrc.php names it on @server_master, disabled'
        "$said" | Should -Not -Match 'Pester-Aegir3-Secret'
        Get-ContextFiles | Should -BeNullOrEmpty
    }
}
}
