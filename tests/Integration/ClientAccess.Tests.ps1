# Clients and the people behind them, on a real local server: each client's UNIX group is made on install and given
# its sites' folders and settings by POSIX ACL (getfacl shows it), and nothing of another client's; a person granted
# one client (made a login with -Create and an SSH key) runs commands on its sites as herself and writes files
# there, and is refused on every other site; revoking, or changing a site's client, takes it away again.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Client access' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        Install-TestPackage acl
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        $port = $server.Http.GetInt('port')

        # Names of their own on this machine, which other suites' runs share: groups and users the suite makes.
        $r = Get-Random -Minimum 1000 -Maximum 9999
        $ga, $gb, $gc = "it-a$r", "it-b$r", "it-c$r"
        $alice, $mallory = "italice$r", "itmal$r"
        $madeUsers = @($alice, $mallory)
        $madeGroups = @($ga, $gb, $gc)

        # An application known by its manifest: one uploads folder and one settings file per site, an installer that
        # makes its table, a page that serves the uploads.
        $shop = Join-Path $work 'platforms/shop'
        Write-Tree $shop @{
            '.aegir.yml'             = "name: Shop`nversion: 1.0`nsite_folders: ['uploads/{uri}']`nsettings:`n  path: config/{uri}.php`n  template: aegir/site.php.sbn`ninstall: [php, bin/install.php]`ninstalled_tables: [orders]`n"
            'aegir/site.php.sbn'     = "<?php const SHOP_SITE = '{{ uri }}';"
            'bin/install.php'        = '<?php $db = new mysqli(getenv("db_host"), getenv("db_user"), getenv("db_passwd"), getenv("db_name"), (int)getenv("db_port")); $db->query("CREATE TABLE orders (id INT)");'
            'index.php'              = '<?php echo "shop ", $_SERVER["aegir_site"];'
        }
        $null = New-AegirPlatform shop $shop
        # The same application, whose installer fails: a client's group made for it goes again.
        $broken = Join-Path $work 'platforms/broken'
        Write-Tree $broken @{
            '.aegir.yml' = "name: Broken`nversion: 1.0`nsite_folders: ['uploads/{uri}']`ninstall: [sh, -c, 'exit 3']`n"
            'index.php'  = '<?php echo "broken";'
        }
        $null = New-AegirPlatform broken $broken

        # A Drupal-shaped codebase whose drush stand-in says who runs it, reads the site's settings and writes in its files.
        $d10 = Join-Path $work 'platforms/d10'
        New-DrupalShapedCodebase $d10
        $drush = Get-Content -Raw "$d10/vendor/bin/drush"
        $who = 'if [ "$2" = who ]; then id -un; cat "sites/${1#--uri=}/settings.php" > /dev/null && echo settings read; echo drush > "sites/${1#--uri=}/files/by-drush.txt"; exit; fi'
        Set-Content "$d10/vendor/bin/drush" ($drush -replace '^#!/bin/sh\n', "#!/bin/sh`n$who`n")
        $null = New-AegirPlatform d10 $d10

        $null = New-AegirClient acme -UnixGroup $ga
        $null = New-AegirClient globex -UnixGroup $gb
        $null = New-AegirClient initech -UnixGroup $gc
        $null = New-AegirSite a.test -Platform shop -Client acme
        $null = New-AegirSite b.test -Platform shop -Client globex
        $null = New-AegirSite n.test -Platform shop
        $null = New-AegirSite d.test -Platform d10 -Client acme
        $null = New-AegirSite e.test -Platform d10 -Client globex

        ssh-keygen -q -t ed25519 -N '' -C "$alice@laptop" -f "$work/alice" | Out-Null
        function Get-Facl([string] $Path) { @(getfacl --absolute-names --omit-header $Path 2>&1) }
        # A command as the person herself, straight through the system (no module): what her login may read.
        function Invoke-As([string] $User, [string[]] $Command) {
            $out = & setpriv "--reuid=$User" "--regid=$User" --init-groups -- @Command 2>&1
            [pscustomobject]@{ Code = $LASTEXITCODE; Out = "$out" }
        }
    }
    AfterAll {
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        foreach ($u in $madeUsers) { if (getent passwd $u) { userdel --remove $u 2>$null } }
        foreach ($g in $madeGroups) { if (getent group $g) { groupdel $g } }
        Remove-Item -Recurse -Force $work
    }

    Describe 'The client''s group' {
        It 'is made on install, as a system group' {
            $entry = (getent group $ga) -split ':'
            $entry[0] | Should -Be $ga
            [int]$entry[2] | Should -BeLessThan 1000 -Because 'groupadd --system'
            getent group $gb | Should -Not -BeNullOrEmpty
        }

        It 'gets read and write, inherited, on the site''s uploads, and read of its settings; nothing of the other client''s site' {
            $uploads = Get-Facl "$shop/uploads/a.test"
            $uploads | Should -Contain "group:${ga}:rwx"
            $uploads | Should -Contain "default:group:${ga}:rwx"
            $settings = Get-Facl "$shop/config/a.test.php"
            $settings | Should -Contain "group:${ga}:r--"
            "$(Get-Facl "$shop/uploads/b.test") $(Get-Facl "$shop/config/b.test.php")" | Should -Not -Match ([regex]::Escape($ga))
            Get-Facl "$shop/uploads/b.test" | Should -Contain "group:${gb}:rwx"
            # The platform's code, and a site without a client, get none.
            "$(Get-Facl $shop) $(Get-Facl "$shop/index.php") $(Get-Facl "$shop/uploads/n.test") $(Get-Facl "$shop/config/n.test.php")" | Should -Not -Match 'group:it-'
        }

        It 'is given only what the site''s own account owns, walked as that account: another account''s file there, or a link swapped in, gets nothing' {
            $account = (Get-AegirSite a.test).UnixUser
            $planted = "$shop/uploads/a.test/not-the-sites.txt"
            # Made elsewhere and moved in, so it inherits none of the folder's default entries.
            $elsewhere = Join-Path $work 'planted.txt'
            Set-Content $elsewhere 'not the site''s'; chown nobody $elsewhere; chmod 0600 $elsewhere
            Move-Item $elsewhere $planted
            $target = Join-Path $work 'outside.txt'
            Set-Content $target 'outside the site'; chmod 0600 $target
            # As a site's code would, between find's look and setfacl's change: a link in place of a file of its own.
            New-Item -ItemType SymbolicLink -Path "$shop/uploads/a.test/swapped.txt" -Target $target | Out-Null
            chown -h "${account}:www-data" "$shop/uploads/a.test/swapped.txt"
            try {
                (Invoke-AegirVerify a.test).Status | Should -Be 'Succeeded'
                Get-Facl $planted | Should -Not -Match ([regex]::Escape($ga)) -Because 'another account''s file in the site''s folder is not the site''s to share'
                Get-Facl $target | Should -Not -Match ([regex]::Escape($ga))
            }
            finally { Remove-Item -Force $planted, "$shop/uploads/a.test/swapped.txt", $target }
        }

        It 'is undone with an install that fails' {
            { New-AegirSite c.test -Platform broken -Client initech -ErrorAction Stop } | Should -Throw
            getent group $gc | Should -BeNullOrEmpty -Because 'the failed install made it'
            Get-AegirSite c.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'refuses a group another client records, or a system group, changing nothing' {
            { New-AegirClient hooli -UnixGroup $ga -ErrorAction Stop } | Should -Throw -ErrorId 'ClientGroupTaken*'
            { Set-AegirClient globex -UnixGroup $ga -ErrorAction Stop } | Should -Throw -ErrorId 'ClientGroupTaken*'
            { New-AegirClient hooli -UnixGroup docker -ErrorAction Stop } | Should -Throw -ExpectedMessage '*system group*'
            { New-AegirClient staff -ErrorAction Stop } | Should -Throw -ExpectedMessage '*-UnixGroup*'
            (Get-AegirClient globex).UnixGroup | Should -Be $gb
            Get-AegirClient hooli, staff -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
    }

    Describe 'Grant-AegirClientAccess' {
        BeforeAll {
            $script:granted = Grant-AegirClientAccess -Client acme -User $alice -Create -SshKey "$work/alice.pub" -PassThru -ErrorAction Stop
        }

        It 'makes the login, with its key alone, 0600 and hers, and puts it into the client''s group only' {
            $script:granted.People | Should -Be @($alice)
            (Get-AegirClient acme).People | Should -Be @($alice)
            $entry = (getent passwd $alice) -split ':'
            [int]$entry[2] | Should -BeGreaterOrEqual 1000
            $entry[6] | Should -Be '/bin/bash'
            $keys = Join-Path $entry[5] '.ssh/authorized_keys'
            Get-Content $keys | Should -Be (Get-Content "$work/alice.pub")
            stat -c '%a %U' $keys | Should -Be "600 $alice"
            stat -c '%a %U' (Split-Path $keys) | Should -Be "700 $alice"
            $groups = (id -Gn $alice) -split ' '
            $groups | Should -Contain $ga
            $groups | Should -Not -Contain $gb
        }

        It 'lets her read and write the client''s site''s files as herself, and nothing of the other client''s' {
            $own = Invoke-As $alice @('cat', "$shop/config/a.test.php")
            $own.Code | Should -Be 0
            $own.Out | Should -Match 'SHOP_SITE'
            (Invoke-As $alice @('touch', "$shop/uploads/a.test/by-hand.txt")).Code | Should -Be 0
            stat -c '%U' "$shop/uploads/a.test/by-hand.txt" | Should -Be $alice
            $other = Invoke-As $alice @('cat', "$shop/config/b.test.php")
            $other.Code | Should -Not -Be 0
            $other.Out | Should -Match 'Permission denied'
            (Invoke-As $alice @('ls', "$shop/uploads/b.test")).Code | Should -Not -Be 0
        }

        It 'refuses root, a service''s account and an account with root''s powers, granting nothing' {
            { Grant-AegirClientAccess acme root -ErrorAction Stop } | Should -Throw -ExpectedMessage '*root*'
            { Grant-AegirClientAccess acme www-data -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*'
            { Grant-AegirClientAccess acme nobody -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*'
            useradd --no-create-home --groups disk $mallory
            { Grant-AegirClientAccess acme $mallory -ErrorAction Stop } | Should -Throw -ExpectedMessage '*disk*'
            (id -Gn $mallory) -split ' ' | Should -Not -Contain $ga
            (Get-AegirClient acme).People | Should -Be @($alice)
        }
    }

    Describe 'Invoke-AegirSiteCommand -User' {
        It 'runs as her, with the site''s environment, on the client''s site' {
            Invoke-AegirSiteCommand a.test -User $alice -- id -un | Should -Be $alice
            (Invoke-AegirSiteCommand a.test -User $alice -- id -Gn) -split ' ' | Should -Contain $ga
            Invoke-AegirSiteCommand a.test -User $alice -- php -r 'echo getenv("aegir_site"), " ", getenv("db_name") !== false ? "db" : "none";' | Should -Be 'a.test db'
        }

        It 'writes files that land in the site''s uploads as hers, which the site serves' {
            $null = Invoke-AegirSiteCommand a.test -User $alice -- php -r 'file_put_contents("uploads/a.test/note.txt", "from " . posix_getpwuid(posix_geteuid())["name"]);'
            $file = "$shop/uploads/a.test/note.txt"
            Get-Content $file | Should -Be "from $alice"
            stat -c '%U' $file | Should -Be $alice
            @(Get-Facl $file) -match "^group:${ga}:rw" | Should -Not -BeNullOrEmpty -Because 'the folder''s default entries are inherited'
            $page = Invoke-Site -Port $port -HostName a.test -Path '/uploads/a.test/note.txt'
            $page.Status | Should -Be 200 -Because "$(Get-Facl $file) / $(Get-Facl "$shop/uploads/a.test") / $(Get-Content -Tail 3 (Join-Path $env:AEGIR_HOME 'logs/server_master/a.test.error.log'))"
            $page.Body | Should -Be "from $alice"
        }

        It 'runs the platform''s drush as her on the client''s Drupal site, which reads its settings and writes its files' {
            Invoke-AegirSiteCommand d.test -User $alice -- drush who | Should -Be @($alice, 'settings read')
            stat -c '%U' "$d10/sites/d.test/files/by-drush.txt" | Should -Be $alice
            { Invoke-AegirSiteCommand e.test -User $alice -ErrorAction Stop -- drush who } | Should -Throw -ErrorId 'PersonNotGranted*'
            Test-Path "$d10/sites/e.test/files/by-drush.txt" | Should -BeFalse
        }

        It 'refuses her on the other client''s site and on a site without a client, running nothing' {
            $marker = Join-Path $work 'ran'
            $err = $null
            try { Invoke-AegirSiteCommand b.test -User $alice -ErrorAction Stop -- touch $marker } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'PersonNotGranted*'
            "$err" | Should -BeLike "*$alice*b.test*'globex'*'acme'*Grant-AegirClientAccess -Client globex -User $alice*"
            { Invoke-AegirSiteCommand n.test -User $alice -ErrorAction Stop -- touch $marker } | Should -Throw -ErrorId 'PersonNotGranted*'
            Test-Path $marker | Should -BeFalse
        }
    }

    Describe 'Taking access away' {
        It 'a revoke takes her out of the group: she reads nothing more and is refused' {
            $null = Revoke-AegirClientAccess -Client acme -User $alice -ErrorAction Stop
            (id -Gn $alice) -split ' ' | Should -Not -Contain $ga
            (Get-AegirClient acme).People | Should -BeNullOrEmpty
            (Invoke-As $alice @('cat', "$shop/config/a.test.php")).Code | Should -Not -Be 0
            { Invoke-AegirSiteCommand a.test -User $alice -ErrorAction Stop -- id } | Should -Throw -ErrorId 'PersonNotGranted*'
            # The group keeps its entries, for the client's other people.
            Get-Facl "$shop/uploads/a.test" | Should -Contain "group:${ga}:rwx"
        }

        It 'a revoke names the processes she still runs with the group, and -StopProcesses ends them' {
            $null = Grant-AegirClientAccess -Client acme -User $alice -ErrorAction Stop
            # A background job of hers, started while she is in the group: it keeps the group after the revoke.
            bash -c "setpriv --reuid=$alice --regid=$alice --init-groups -- setsid sleep 300 </dev/null >/dev/null 2>&1 &"
            Start-Sleep -Milliseconds 300
            $job = [int](pgrep -u $alice -x sleep | Select-Object -First 1)
            $job | Should -BeGreaterThan 0
            try {
                $null = Revoke-AegirClientAccess -Client acme -User $alice -WarningVariable warned -ErrorAction Stop
                "$warned" | Should -Match "$alice.*$ga.*$job \(sleep\).*-StopProcesses"
                Test-Path "/proc/$job" | Should -BeTrue -Because 'without -StopProcesses it is only named'
                (Get-Content "/proc/$job/status" | Select-String '^Groups:') -split '\s+' | Should -Contain ((getent group $ga) -split ':')[2]
                $null = Revoke-AegirClientAccess -Client acme -User $alice -StopProcesses -ErrorAction Stop
                Start-Sleep -Milliseconds 200
                Test-Path "/proc/$job" | Should -BeFalse
                pgrep -u $alice -x sleep | Should -BeNullOrEmpty
            }
            finally { if ($job -gt 0 -and (Test-Path "/proc/$job")) { kill -KILL $job } }
        }

        It 'a site that changes client loses the old group''s entries and gets the new one''s; with no client, none' {
            Set-AegirSite a.test -Client globex -ErrorAction Stop
            $acl = "$(Get-Facl "$shop/uploads/a.test") $(Get-Facl "$shop/uploads/a.test/note.txt") $(Get-Facl "$shop/config/a.test.php")"
            $acl | Should -Not -Match ([regex]::Escape($ga))
            Get-Facl "$shop/uploads/a.test" | Should -Contain "group:${gb}:rwx"
            Get-Facl "$shop/config/a.test.php" | Should -Contain "group:${gb}:r--"
            Set-AegirSite a.test -Client '' -ErrorAction Stop
            "$(Get-Facl "$shop/uploads/a.test") $(Get-Facl "$shop/config/a.test.php")" | Should -Not -Match 'group:it-'
            (Invoke-Site -Port $port -HostName a.test).Body | Should -Be 'shop a.test'
        }
    }
}
