# A client's UNIX group over its life, on a real local server: a change of group moves the sites' ACL entries and the
# people to the new group and deletes the old one the module made; a group that was on the server already is refused
# unless adopted, and an adopted one is never deleted; removing a client deletes the group the module made for it.
# Beside them, what a site's pool cannot carry and a stopped PHP-FPM are named as the cause, first.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Client groups' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        Install-TestPackage acl
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        $port = $server.Http.GetInt('port')

        # Groups and users of their own on this machine, which other suites' runs share.
        $r = Get-Random -Minimum 1000 -Maximum 9999
        $g1, $g2, $g3, $g4, $g5, $g6, $theirs, $found = "cc-a$r", "cc-b$r", "cc-c$r", "cc-d$r", "cc-e$r", "af-k$r", "cc-t$r", "cc-f$r"
        $alice, $bob, $carol = "ccalice$r", "ccbob$r", "afcarol$r"
        $madeUsers = @($alice, $bob, $carol)
        $madeGroups = @($g1, $g2, $g3, $g4, $g5, $g6, $theirs, $found)

        $shop = Join-Path $work 'platforms/shop'
        Write-Tree $shop @{
            '.aegir.yml'         = "name: Shop`nversion: 1.0`nsite_folders: ['uploads/{uri}']`nsettings:`n  path: config/{uri}.php`n  template: aegir/site.php.sbn`n"
            'aegir/site.php.sbn' = "<?php const SHOP_SITE = '{{ uri }}';"
            'index.php'          = '<?php echo "shop ", $_SERVER["aegir_site"];'
        }
        $null = New-AegirPlatform shop $shop

        function Get-Facl([string] $Path) { @(getfacl --absolute-names --omit-header $Path 2>&1) }
        function Invoke-As([string] $User, [string[]] $Command) {
            $out = & setpriv "--reuid=$User" "--regid=$User" --init-groups -- @Command 2>&1
            [pscustomobject]@{ Code = $LASTEXITCODE; Out = "$out" }
        }
        function Get-SiteAcl([string] $Uri) { "$(Get-Facl "$shop/uploads/$Uri") $(Get-Facl "$shop/config/$Uri.php")" }
    }
    AfterAll {
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        foreach ($u in $madeUsers) { if (getent passwd $u) { userdel --remove $u 2>$null } }
        foreach ($g in $madeGroups) { if (getent group $g) { groupdel $g } }
        Remove-Item -Recurse -Force $work
    }

    Describe 'Set-AegirClient -UnixGroup' {
        BeforeAll {
            $null = New-AegirClient ccacme -UnixGroup $g1
            $null = New-AegirSite a.test -Platform shop -Client ccacme
            $null = Grant-AegirClientAccess ccacme $alice -Create -ErrorAction Stop
        }

        It 'moves the sites'' ACL entries and the people to the new group on the server, and deletes the old group the module made' {
            Get-Facl "$shop/uploads/a.test" | Should -Contain "group:${g1}:rwx"
            Set-AegirClient ccacme -UnixGroup $g2 -ErrorAction Stop
            (Get-AegirClient ccacme).UnixGroup | Should -Be $g2
            getent group $g1 | Should -BeNullOrEmpty -Because 'the module made it for the client, and nobody else is in it'
            $groups = (id -Gn $alice) -split ' '
            $groups | Should -Contain $g2
            $groups | Should -Not -Contain $g1
            Get-Facl "$shop/uploads/a.test" | Should -Contain "group:${g2}:rwx"
            Get-Facl "$shop/uploads/a.test" | Should -Contain "default:group:${g2}:rwx"
            Get-Facl "$shop/config/a.test.php" | Should -Contain "group:${g2}:r--"
            Get-SiteAcl a.test | Should -Not -Match ([regex]::Escape($g1))
            Get-SiteAcl a.test | Should -Not -Match 'group:\d+:' -Because 'no entry is left naming a deleted group''s number'
            (Invoke-As $alice @('touch', "$shop/uploads/a.test/by-alice.txt")).Code | Should -Be 0
            (Get-AegirTask -Target client_ccacme | Where-Object Type -EQ regroup | Select-Object -First 1).Status | Should -Be 'Succeeded'
        }

        It 'keeps the old group, naming who is in it, when someone the module did not put there is in it' {
            useradd --no-create-home --shell /usr/sbin/nologin $bob
            usermod --append --groups $g2 $bob
            Set-AegirClient ccacme -UnixGroup $g3 -WarningVariable warned -ErrorAction Stop
            getent group $g2 | Should -Not -BeNullOrEmpty
            "$warned" | Should -Match "$g2.*$bob.*groupdel $g2"
            (id -Gn $alice) -split ' ' | Should -Not -Contain $g2
            Get-Facl "$shop/uploads/a.test" | Should -Contain "group:${g3}:rwx"
            Get-SiteAcl a.test | Should -Not -Match ([regex]::Escape($g2))
        }

        It 'refuses a group that is on the server already and that the module did not make for the client, changing nothing' {
            groupadd $theirs
            $err = $null
            $email = (Get-AegirClient ccacme).Email
            try { Set-AegirClient ccacme -UnixGroup $theirs -Email 'changed@example.com' -MaxSites 7 -ErrorAction Stop } catch { $err = $_ }
            "$err" | Should -BeLike "*group $theirs is on '@server_master' already*-UnixGroup c-ccacme*-UnixGroup $theirs -AdoptGroup*"
            (Get-AegirClient ccacme).UnixGroup | Should -Be $g3
            (Get-AegirClient ccacme).Email | Should -Be $email
            (Get-AegirClient ccacme).MaxSites | Should -Not -Be 7
            getent group $g3 | Should -Not -BeNullOrEmpty
            (id -Gn $alice) -split ' ' | Should -Contain $g3
            (id -Gn $alice) -split ' ' | Should -Not -Contain $theirs
            Get-Facl "$shop/uploads/a.test" | Should -Contain "group:${g3}:rwx"
            Get-SiteAcl a.test | Should -Not -Match ([regex]::Escape($theirs))
        }

        It 'takes that group with -AdoptGroup, and deletes the old one the module made' {
            Set-AegirClient ccacme -UnixGroup $theirs -AdoptGroup -ErrorAction Stop
            $client = Get-AegirClient ccacme
            $client.UnixGroup | Should -Be $theirs
            $client.AdoptGroup | Should -BeTrue
            Get-Facl "$shop/uploads/a.test" | Should -Contain "group:${theirs}:rwx"
            (id -Gn $alice) -split ' ' | Should -Contain $theirs
            getent group $g3 | Should -BeNullOrEmpty
        }

        It 'refuses a new site of a client whose group is on the server already, leaving no site behind' {
            groupadd $found
            $null = New-AegirClient ccglobex -UnixGroup $found
            $err = $null
            try { New-AegirSite b.test -Platform shop -Client ccglobex -ErrorAction Stop } catch { $err = $_ }
            "$err" | Should -BeLike "*group $found is on '@server_master' already*ccglobex*"
            Get-AegirSite b.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Test-Path "$shop/uploads/b.test" | Should -BeFalse
            getent group $found | Should -Not -BeNullOrEmpty
        }
    }

    Describe 'Remove-AegirClient' {
        It 'deletes the group the module made for the client, on the server of its sites that are gone' {
            $null = New-AegirClient ccinitech -UnixGroup $g4
            $null = New-AegirSite c.test -Platform shop -Client ccinitech
            $null = Grant-AegirClientAccess ccinitech $alice -ErrorAction Stop
            Remove-AegirSite c.test -Force -NoBackup -ErrorAction Stop
            getent group $g4 | Should -Not -BeNullOrEmpty -Because 'the client may have sites there again'
            Remove-AegirClient ccinitech -Force -ErrorAction Stop
            Get-AegirClient ccinitech -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            getent group $g4 | Should -BeNullOrEmpty
            getent passwd $alice | Should -Not -BeNullOrEmpty -Because 'the person''s login is theirs'
            Test-Path (Join-Path $env:AEGIR_HOME "groups/server_master/$g4") | Should -BeFalse
        }

        It 'leaves a group the module adopted' {
            Remove-AegirSite a.test -Force -NoBackup -ErrorAction Stop
            Remove-AegirClient ccacme -Force -ErrorAction Stop
            getent group $theirs | Should -Not -BeNullOrEmpty
            getent group $g2 | Should -Not -BeNullOrEmpty -Because "$bob is still in it"
        }

        It 'forgets a group it keeps for someone else in it, so a new client of that name is refused unless it adopts it' {
            useradd --no-create-home --shell /usr/sbin/nologin $carol
            $null = New-AegirClient afkeep -UnixGroup $g6
            $null = New-AegirSite afk.test -Platform shop -Client afkeep
            usermod --append --groups $g6 $carol
            Remove-AegirSite afk.test -Force -NoBackup -ErrorAction Stop
            Remove-AegirClient afkeep -Force -WarningVariable warned -ErrorAction Stop
            getent group $g6 | Should -Not -BeNullOrEmpty -Because "$carol is in it"
            "$warned" | Should -Match "$g6.*$carol.*-AdoptGroup"
            $null = New-AegirClient afkeep -UnixGroup $g6
            $err = $null
            try { New-AegirSite afk2.test -Platform shop -Client afkeep -ErrorAction Stop } catch { $err = $_ }
            "$err" | Should -BeLike "*group $g6 is on '@server_master' already*"
            Get-AegirSite afk2.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Remove-AegirClient afkeep -Force -ErrorAction Stop
            getent group $g6 | Should -Not -BeNullOrEmpty -Because 'a group the module does not count as its own is never deleted'
        }
    }

    Describe 'A group made before the module kept notes' {
        It 'is taken as the client''s on the site''s next verify, since the task that made it says so in its log, and is never deleted' {
            $null = New-AegirClient ccold -UnixGroup $g5
            $null = New-AegirSite o.test -Platform shop -Client ccold
            $mark = Join-Path $env:AEGIR_HOME "groups/server_master/$g5"
            Get-Content $mark | Should -Contain 'made=true'
            Remove-Item $mark
            (Invoke-AegirVerify o.test).Status | Should -Be 'Succeeded'
            Get-Content $mark | Should -Contain 'made=false'
            Get-Facl "$shop/uploads/o.test" | Should -Contain "group:${g5}:rwx"
            Remove-AegirSite o.test -Force -NoBackup -ErrorAction Stop
            Remove-AegirClient ccold -Force -ErrorAction Stop
            getent group $g5 | Should -Not -BeNullOrEmpty
        }
    }

    Describe 'A site''s pool' {
        It 'refuses, before anything is written, to take in a site whose database password a pool cannot carry' {
            $seven = Join-Path $work 'platforms/seven'
            New-DrupalShapedCodebase $seven -Seven
            $null = New-AegirPlatform seven $seven
            Invoke-Sql -Sql "CREATE DATABASE ccimp; CREATE USER 'ccimp'@'127.0.0.1' IDENTIFIED BY 'one\ntwo'; GRANT ALL ON ccimp.* TO 'ccimp'@'127.0.0.1';"
            $folder = "$seven/sites/imp.test"
            $null = New-Item -ItemType Directory -Force "$folder/files"
            $settings = "<?php`n`$databases['default']['default'] = array(`n  'database' => 'ccimp',`n  'username' => 'ccimp',`n  'password' => 'one`ntwo',`n  'host' => '127.0.0.1',`n  'port' => '$($server.Db.Get('port'))',`n  'driver' => 'mysql',`n);`n"
            [IO.File]::WriteAllText("$folder/settings.php", $settings)
            $err = $null
            try { Import-AegirSite -Platform seven -Uri imp.test -ErrorAction Stop } catch { $err = $_ }
            "$err" | Should -BeLike '*password in the settings of imp.test*has a newline*PHP-FPM pool cannot carry*nothing was imported*ALTER USER*'
            Get-AegirSite imp.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Get-Content -Raw "$folder/settings.php" | Should -Be $settings
            Test-Path "$folder/settings.php.before-import" | Should -BeFalse
            Get-ChildItem (Join-Path $env:AEGIR_HOME 'local/server_master/php/pool.d') -Filter 'aegir-imp*' | Should -BeNullOrEmpty
        }
    }

    Describe 'PHP-FPM stopped' {
        BeforeAll {
            $null = New-AegirSite n.test -Platform shop
            $pidFile = $server.Http.Get('php_fpm_pid_file')
            kill -TERM (Get-Content $pidFile)
            for ($i = 0; $i -lt 100 -and (Test-Path $pidFile); $i++) { Start-Sleep -Milliseconds 100 }
        }
        AfterAll { $null = Start-AegirLocalServer }

        It 'fails a site''s verify naming PHP-FPM as the cause of its page''s 502 (its pool unchanged: nothing for PHP-FPM to reload)' {
            $err = $null
            try { Invoke-AegirVerify n.test -ErrorAction Stop } catch { $err = $_ }
            "$err" | Should -BeLike "*n.test does not work: PHP-FPM is not running on '@server_master'*start it*502*"
        }

        It 'fails a new site naming PHP-FPM as the cause, before any page check blames its vhost, and leaves no site' {
            $err = $null
            New-AegirSite e.test -Platform shop -WarningVariable warned -ErrorVariable err -ErrorAction SilentlyContinue
            "$err" | Should -BeLike "*PHP-FPM is not running there*Start PHP-FPM on '@server_master'*Invoke-AegirVerify @server_master*"
            "$warned" | Should -Not -Match 'aegir-site|vhost'
            Get-AegirSite e.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'answers again once PHP-FPM runs' {
            $null = Start-AegirLocalServer
            (Invoke-AegirVerify n.test).Status | Should -Be 'Succeeded'
            (Invoke-Site -Port $port -HostName n.test).Body | Should -Be 'shop n.test'
        }
    }
}
