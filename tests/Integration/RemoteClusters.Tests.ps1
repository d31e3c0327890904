# A cluster of web servers: hosts A and C (nginx) serve the same platforms and sites, with their databases on host B
# (MariaDB). Each site's settings, folders and vhost are written to, tested on and reloaded on every member; a member
# whose config test fails fails the task, undone on every member; verify names the member that drifted and puts it right.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'A cluster of web servers A and C with their sites'' databases on B' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $a = New-TestHost weba
        $b = New-TestHost dbb
        $c = New-TestHost webc
        $admin = Initialize-RemoteTrio $a $b $c
        $null = Invoke-AegirVerify server_dbb -ErrorAction Stop

        # An application known by its manifest only, whose installer makes its table from the environment: it runs once,
        # on one member; each member answers from its own copy of the code.
        $app = Join-Path $work 'notes'
        Write-NotesApp $app

        # A member with no vhost left listens on no port: that is nothing of the site either.
        function Get-Page([string] $Site, $On) {
            try { $r = Invoke-WebRequest -Headers @{ Host = $Site } "http://$($On.Address)/" -SkipHttpErrorCheck -MaximumRedirection 0 }
            catch [System.Net.Http.HttpRequestException] { return [pscustomobject]@{ Status = 0; Body = '' } }
            [pscustomobject]@{ Status = [int]$r.StatusCode; Body = "$($r.Content)" }
        }
        # After a reload by hand, old workers answer for a moment: asks until the page is not what it was.
        function Wait-PageChange([string] $Site, $On, [string] $Was) {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            while ((Get-Page $Site $On).Body -eq $Was -and $clock.Elapsed.TotalSeconds -lt 10) { Start-Sleep -Milliseconds 100 }
        }
        function Get-Grants([string] $User) { @(Invoke-TestHostSql $b "SELECT Host FROM mysql.user WHERE User = '$User' ORDER BY Host") }
        function Get-Vhosts($On) { @(Invoke-OnTestHost $On "ls -A /var/aegir/config/server_$($On.Name)/nginx/vhost.d") }
        $ownAddress = ((ip -o route get $b.Address) -split ' ')[((ip -o route get $b.Address) -split ' ').IndexOf('src') + 1]
    }
    AfterAll {
        Remove-TestHost $a
        Remove-TestHost $b
        Remove-TestHost $c
        Remove-Item -Recurse -Force $work -ErrorAction Ignore
    }

    It 'records a cluster of A and C, with no address of its own, refusing members it cannot have' {
        $null = New-AegirServer dbonly -RemoteHost 192.0.2.30 -DbServiceType mysql -DbAdminCredential $admin
        { New-AegirServer webfarm -HttpServiceType cluster -ClusterMembers weba, nosuch -ErrorAction Stop } |
            Should -Throw -ErrorId 'ClusterMemberInvalid*' -ExpectedMessage "*'@server_nosuch' cannot be a member*no server of that name*"
        { New-AegirServer webfarm -HttpServiceType cluster -ClusterMembers weba, dbonly -ErrorAction Stop } |
            Should -Throw -ErrorId 'ClusterMemberInvalid*' -ExpectedMessage "*'@server_dbonly'*has no web service*Set-AegirServer server_dbonly -HttpServiceType nginx*"
        { New-AegirServer webfarm -HttpServiceType cluster -ClusterMembers weba -RemoteHost 192.0.2.31 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*-RemoteHost*a cluster is no machine of its own*'
        { New-AegirServer weba2 -RemoteHost 192.0.2.32 -HttpServiceType nginx -ClusterMembers weba -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*is not a cluster*-HttpServiceType cluster*'
        Get-AegirServer webfarm, weba2 -ErrorAction Ignore | Should -BeNullOrEmpty

        $farm = New-AegirServer webfarm -HttpServiceType cluster -ClusterMembers weba -ErrorAction Stop
        $farm.IsCluster | Should -BeTrue
        { New-AegirServer bigfarm -HttpServiceType cluster -ClusterMembers webfarm -ErrorAction Stop } |
            Should -Throw -ErrorId 'ClusterMemberInvalid*' -ExpectedMessage '*it is a cluster itself*'
        (Set-AegirServer webfarm -ClusterMembers weba, webc -PassThru -ErrorAction Stop).Http.Get('members') | Should -Be 'server_weba,server_webc'
        { Remove-AegirServer webc -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ContextInUse*' -ExpectedMessage '*@server_webfarm*'
        $task = Invoke-AegirVerify server_webfarm -ErrorAction Stop
        $task.Status | Should -Be 'Succeeded'
        foreach ($member in $a, $c) {
            Invoke-OnTestHost $member "nginx -T 2>/dev/null | grep -c 'configuration file /var/aegir/config/server_$($member.Name)/nginx.conf'" | Should -Be '1'
        }
    }

    It 'refuses a platform whose code is missing on a member, naming the member' {
        Copy-ToTestHost $a $app /srv/platforms
        { New-AegirPlatform notes -Root /srv/platforms/notes -WebServer webfarm -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "*no such folder*'@server_webc'*"
        Get-AegirPlatform notes -ErrorAction Ignore | Should -BeNullOrEmpty
        Copy-ToTestHost $c $app /srv/platforms
        $null = New-AegirPlatform notes -Root /srv/platforms/notes -WebServer webfarm -ErrorAction Stop
        foreach ($member in $a, $c) {
            Invoke-OnTestHost $member "ls /var/aegir/config/server_$($member.Name)/nginx/platform.d" | Should -Contain 'platform_notes.conf'
        }
        # Without -Source the code is checked on each member: one without it is named.
        $null = Invoke-OnTestHost $c 'mv /srv/platforms/notes /srv/notes-away'
        try { { Invoke-AegirVerify platform_notes -ErrorAction Stop } | Should -Throw -ErrorId 'CodebaseMissing*' -ExpectedMessage "*not at /srv/platforms/notes on member '@server_webc'*" }
        finally { $null = Invoke-OnTestHost $c 'mv /srv/notes-away /srv/platforms/notes' }
    }

    It 'installs a site on the cluster: it answers on A and on C, its data on B, granted to both members' {
        $null = New-AegirSite notes.test -Platform notes -DbServer dbb -ErrorAction Stop
        (Get-Page notes.test $a).Body | Should -Be 'notes of notes.test: first note (weba)'
        (Get-Page notes.test $c).Body | Should -Be 'notes of notes.test: first note (webc)'
        Invoke-TestHostSql $b 'SELECT body FROM notestest.notes' | Should -Be 'first note'
        Get-Grants notestest | Should -Be (@($a.Address, $c.Address, $ownAddress) | Sort-Object)
        Get-Vhosts $a | Should -Contain 'notes.test.conf'
        Get-Vhosts $c | Should -Contain 'notes.test.conf'
    }

    It 'installs WordPress on the cluster: it answers on A and on C from its database on B' {
        foreach ($member in $a, $c) { $null = Invoke-OnTestHost $member 'mkdir -p /srv/platforms && cp -rL /usr/share/wordpress /srv/platforms/wp' }
        $null = New-AegirPlatform wp -Root /srv/platforms/wp -WebServer webfarm -ErrorAction Stop
        $null = New-AegirSite wp.test -Platform wp -DbServer dbb -Title 'Cluster WP' -ErrorAction Stop
        (Get-Page wp.test $a).Body | Should -Match '<title>Cluster WP</title>'
        (Get-Page wp.test $c).Body | Should -Match '<title>Cluster WP</title>'
        Invoke-TestHostSql $b "SELECT option_value FROM wptest.wp_options WHERE option_name = 'blogname'" | Should -Be 'Cluster WP'
        Get-Grants wptest | Should -Be (@($a.Address, $c.Address, $ownAddress) | Sort-Object)
        foreach ($member in $a, $c) { Invoke-OnTestHost $member 'stat -c %U:%G /srv/platforms/wp/wp-content/uploads/sites/wp.test' | Should -Be 'aegir:www-data' -Because 'a cluster''s sites share each member''s pool, as the script user' }
    }

    It 'clones a site on the cluster: the copy answers on A and on C, granted to both, and goes from both' {
        $task = Copy-AegirSite notes.test notes2.test -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
        "$warned" | Should -Match "loaded on '@server_weba' only: the other members of '@server_webfarm' keep their own"
        (Get-Page notes2.test $a).Body | Should -Be 'notes of notes2.test: first note (weba)'
        (Get-Page notes2.test $c).Body | Should -Be 'notes of notes2.test: first note (webc)'
        Get-Grants notes2test | Should -Be (@($a.Address, $c.Address, $ownAddress) | Sort-Object)
        $null = Remove-AegirSite notes2.test -Confirm:$false -ErrorAction Stop
        foreach ($member in $a, $c) {
            Get-Vhosts $member | Should -Not -Contain 'notes2.test.conf'
            Invoke-OnTestHost $member 'ls -A /srv/platforms/notes/files' | Should -Not -Contain 'notes2.test'
        }
        Get-Grants notes2test | Should -BeNullOrEmpty
    }

    It 'fails an install whose config test fails on C, leaving nothing of the site on A, C or B' {
        $null = Invoke-OnTestHost $c 'echo "this is not nginx;" > /etc/nginx/conf.d/broken.conf.off'
        $null = Invoke-OnTestHost $c "echo 'include /etc/nginx/conf.d/broken.conf.off;' > /var/aegir/config/server_webc/nginx/vhost.d/zz-broken.conf"
        try {
            { New-AegirSite broken.test -Platform notes -DbServer dbb -ErrorAction Stop } | Should -Throw -ExpectedMessage "*@server_webc*"
        }
        finally { $null = Invoke-OnTestHost $c 'rm -f /var/aegir/config/server_webc/nginx/vhost.d/zz-broken.conf /etc/nginx/conf.d/broken.conf.off' }
        $task = Get-AegirTask -Target broken.test -First 1
        $task.Status | Should -Be 'Failed'
        ($task.Log.Message -join "`n") | Should -Match "Undid: Writing the nginx vhost of broken\.test on '@server_weba'" -Because 'A took the vhost before C failed its test'
        Get-AegirSite broken.test -ErrorAction Ignore | Should -BeNullOrEmpty
        Get-Vhosts $a | Should -Not -Contain 'broken.test.conf'
        Get-Vhosts $c | Should -Not -Contain 'broken.test.conf'
        foreach ($member in $a, $c) { Invoke-OnTestHost $member 'ls -A /srv/platforms/notes/files' | Should -Not -Contain 'broken.test' }
        Invoke-TestHostSql $b "SHOW DATABASES LIKE 'brokentest%'" | Should -BeNullOrEmpty
        Get-Grants brokentest | Should -BeNullOrEmpty
        (Get-Page broken.test $a).Body | Should -Not -Match 'broken.test'
        (Get-Page notes.test $a).Body | Should -Be 'notes of notes.test: first note (weba)' -Because 'the other site was never touched'
        (Get-Page notes.test $c).Body | Should -Be 'notes of notes.test: first note (webc)'
    }

    It 'verify of the cluster names C, whose vhost was deleted, and puts it back' {
        $null = Invoke-OnTestHost $c 'rm /var/aegir/config/server_webc/nginx/vhost.d/notes.test.conf && nginx -s reload'
        Wait-PageChange notes.test $c 'notes of notes.test: first note (webc)'
        (Get-Page notes.test $c).Body | Should -Not -Match 'first note'
        $task = Invoke-AegirVerify server_webfarm -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
        $task.Status | Should -Be 'Warning'
        "$warned" | Should -Match "vhost of notes.test on member '@server_webc' of '@server_webfarm' is missing"
        "$warned" | Should -Not -Match 'server_weba'
        Get-Vhosts $c | Should -Contain 'notes.test.conf'
        (Get-Page notes.test $c).Body | Should -Be 'notes of notes.test: first note (webc)'
    }

    It 'verify of a site on the cluster names C, whose vhost differs, and puts it right' {
        $null = Invoke-OnTestHost $c 'sed -i "s/server_name/server_name changed.test/" /var/aegir/config/server_webc/nginx/vhost.d/notes.test.conf && nginx -s reload'
        $task = Invoke-AegirVerify notes.test -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
        "$warned" | Should -Match "vhost of notes.test on member '@server_webc' of '@server_webfarm' differs"
        Invoke-OnTestHost $c 'grep -c changed.test /var/aegir/config/server_webc/nginx/vhost.d/notes.test.conf || true' | Should -Be '0'
        (Get-Page notes.test $c).Body | Should -Be 'notes of notes.test: first note (webc)'
    }

    It 'verify of the cluster names the member whose platform code differs' {
        $null = Invoke-OnTestHost $c 'echo "<?php echo 1;" > /srv/platforms/notes/extra.php'
        try {
            $null = Invoke-AegirVerify server_webfarm -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
            "$warned" | Should -Match "code of @platform_notes on member '@server_webc' differs from '@server_weba'.*extra\.php"
        }
        finally { $null = Invoke-OnTestHost $c 'rm -f /srv/platforms/notes/extra.php' }
        $null = Invoke-AegirVerify server_webfarm -WarningVariable again -WarningAction SilentlyContinue -ErrorAction Stop
        "$again" | Should -BeNullOrEmpty
    }

    It 'pushes a platform kept here to every member, and puts back what was changed on one' {
        $source = Join-Path $work 'build/kept'
        Write-Tree $source @{
            '.aegir.yml' = "name: Kept`ndatabase: none`nversion_command: [cat, VERSION]`n"
            'VERSION'    = '1.0'
            'index.php'  = '<?php echo "kept ", trim(file_get_contents(__DIR__ . "/VERSION")), " on ", gethostname();'
        }
        $null = New-AegirPlatform kept -Root /srv/platforms/kept -WebServer webfarm -Source $source -ErrorAction Stop
        $null = New-AegirSite kept.test -Platform kept -ErrorAction Stop
        (Get-Page kept.test $a).Body | Should -Be 'kept 1.0 on weba'
        (Get-Page kept.test $c).Body | Should -Be 'kept 1.0 on webc'
        $null = Invoke-OnTestHost $c 'echo 0.9 > /srv/platforms/kept/VERSION'
        $null = Invoke-AegirVerify platform_kept -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
        "$warned" | Should -Match "differ from .*on '@server_webc'|on '@server_webc' differ from"
        "$warned" | Should -Not -Match 'server_weba'
        (Get-Page kept.test $c).Body | Should -Be 'kept 1.0 on webc'
    }

    It 'installs a pipeline of sites on the cluster with one reload of it at the end, each answering on A and on C' {
        $reloadsBefore = @(Get-AegirTask -Target server_webfarm -Type reload).Count
        $made = 'p1.test', 'p2.test' | New-AegirSite -Platform kept -ErrorAction Stop
        $made.Status | Should -Be @('Installed', 'Installed')
        @(Get-AegirTask -Target server_webfarm -Type reload).Count | Should -Be ($reloadsBefore + 1)
        foreach ($uri in 'p1.test', 'p2.test') {
            (Get-Page $uri $a).Body | Should -Be 'kept 1.0 on weba'
            (Get-Page $uri $c).Body | Should -Be 'kept 1.0 on webc'
        }
        $null = 'p1.test', 'p2.test' | Remove-AegirSite -Confirm:$false -ErrorAction Stop
        Get-Vhosts $c | Should -Not -Contain 'p1.test.conf'
    }

    It 'writes an haproxy front for the cluster that spreads a site''s visitors over A and C' {
        Install-TestPackage haproxy
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $null = Set-AegirServer webfarm -HttpSetting @{ front_port = $port } -ErrorAction Stop
        $null = Invoke-AegirVerify server_webfarm -ErrorAction Stop
        $cfg = Join-Path $env:AEGIR_HOME 'config/server_webfarm/haproxy.cfg'
        $text = Get-Content -Raw $cfg
        $text | Should -Match "bind \*:$port"
        $text | Should -Match "server server_weba $([regex]::Escape($a.Address)):80 check"
        $text | Should -Match "server server_webc $([regex]::Escape($c.Address)):80 check"
        [int](Get-Item $cfg).UnixFileMode | Should -Be 384
        haproxy -c -f $cfg | Out-Null
        $LASTEXITCODE | Should -Be 0
        $pidFile = Join-Path $work 'haproxy.pid'
        haproxy -D -f $cfg -p $pidFile
        try {
            $seen = @{}
            $clock = [Diagnostics.Stopwatch]::StartNew()
            while ($seen.Count -lt 2 -and $clock.Elapsed.TotalSeconds -lt 15) {
                try {
                    $body = (Invoke-WebRequest -Headers @{ Host = 'notes.test' } "http://127.0.0.1:$port/").Content
                    if ($body -match '\((web[ac])\)$') { $seen[$Matches[1]] = $body }
                }
                catch { Start-Sleep -Milliseconds 200 }
            }
            $seen.Keys | Sort-Object | Should -Be @('weba', 'webc')
        }
        finally { if (Test-Path $pidFile) { kill (Get-Content $pidFile) } }
    }

    It 'removes a site from every member and its database from B' {
        $null = Remove-AegirSite notes.test -Confirm:$false -ErrorAction Stop
        $null = Remove-AegirSite kept.test -Confirm:$false -ErrorAction Stop
        $null = Remove-AegirSite wp.test -Confirm:$false -ErrorAction Stop
        Invoke-TestHostSql $b "SHOW DATABASES LIKE 'wptest'" | Should -BeNullOrEmpty
        foreach ($member in $a, $c) { Invoke-OnTestHost $member 'ls -A /srv/platforms/wp/wp-content/uploads/sites 2>/dev/null || true' | Should -BeNullOrEmpty }
        Get-Vhosts $a | Should -BeNullOrEmpty
        Get-Vhosts $c | Should -BeNullOrEmpty
        Invoke-TestHostSql $b "SHOW DATABASES LIKE 'notestest%'" | Should -BeNullOrEmpty
        Get-Grants notestest | Should -BeNullOrEmpty
        (Get-Page notes.test $a).Body | Should -Not -Match 'first note'
        (Get-Page notes.test $c).Body | Should -Not -Match 'first note'
    }
}
