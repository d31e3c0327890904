# Faults across machines: web host A, database host B and web host C are test hosts (network namespaces with their own
# mount and UTS namespace). A's sshd killed mid-push, a full disk on A, the link to C cut mid-move and a controller
# killed at spread-out moments each fail clearly, naming the server and the fix, and leave nothing behind on any host
# once the next task has repaired what was left.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Faults across web host A, database host B and web host C' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $a = New-TestHost weba
        $b = New-TestHost dbb
        $c = New-TestHost webc
        $admin = Initialize-RemoteTrio $a $b $c
        $null = Invoke-AegirVerify server_weba, server_webc, server_dbb -ErrorAction Stop

        # An application known by its manifest: its installer makes its table, its page reads it back.
        $app = Join-Path $work 'notes'
        Write-NotesApp $app
        Copy-ToTestHost $a $app /srv/platforms
        Copy-ToTestHost $c $app /srv/platforms
        $null = New-AegirPlatform notes -Root /srv/platforms/notes -WebServer weba -ErrorAction Stop
        $null = New-AegirPlatform notesc -Root /srv/platforms/notes -WebServer webc -ErrorAction Stop
        $null = New-AegirSite keep.test -Platform notes -DbServer dbb -ErrorAction Stop

        # A platform big enough that its push takes a while: many small files and a few large ones.
        $big = Join-Path $work 'build/big'
        $null = New-Item -ItemType Directory -Force (Join-Path $big 'lib')
        Set-Content (Join-Path $big '.aegir.yml') "name: Big`ndatabase: none`nversion_command: [echo, 1.0]`n"
        Set-Content (Join-Path $big 'index.php') '<?php echo "big";'
        $bytes = [byte[]]::new(4096)
        foreach ($i in 1..6000) { [Random]::Shared.NextBytes($bytes); [IO.File]::WriteAllBytes((Join-Path $big "lib/f$i.php"), $bytes) }
        $large = [byte[]]::new(2MB)
        foreach ($i in 1..24) { [Random]::Shared.NextBytes($large); [IO.File]::WriteAllBytes((Join-Path $big "lib/blob$i.bin"), $large) }

        function Get-Page([string] $Site, $On = $a) {
            $r = Invoke-WebRequest -Headers @{ Host = $Site } "http://$($On.Address)/" -SkipHttpErrorCheck -MaximumRedirection 0 -TimeoutSec 10
            [pscustomobject]@{ Status = [int]$r.StatusCode; Body = "$($r.Content)" }
        }
        # The processes of a test host whose command line matches, found from this machine (the hosts share its process list).
        function Stop-HostProcess($TestHost, [string] $Pattern) {
            $ns = Get-Content (Join-Path $TestHost.Dir 'netns')
            foreach ($p in (ip netns pids $ns)) {
                if (((Get-Content -Raw "/proc/$p/cmdline" -ErrorAction Ignore) -replace "`0", ' ') -match $Pattern) { kill -9 $p 2>$null }
            }
        }
        function Start-HostSshd($TestHost) {
            $null = Invoke-OnTestHost $TestHost "/usr/sbin/sshd -o ListenAddress=$($TestHost.Address) -o PermitRootLogin=prohibit-password -o PasswordAuthentication=no -o HostKey=/etc/ssh/ssh_host_ed25519_key"
        }
        function Get-HostList($TestHost, [string] $Command) { @(Invoke-OnTestHost $TestHost "$Command 2>/dev/null || true" | Where-Object { $_ }) }
        function Get-Temps($TestHost) { Get-HostList $TestHost 'ls -d /tmp/aegir-*' }
        function Get-SiteDbs { @(Invoke-TestHostSql $b "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN ('information_schema','mysql','performance_schema','sys')" | Where-Object { $_ } | Sort-Object) }
        function Get-SiteUsers { @(Invoke-TestHostSql $b "SELECT DISTINCT User FROM mysql.user WHERE User NOT IN ('root','mariadb.sys','aegir_admin','mysql','') AND User NOT LIKE 'aegir_verify_%'" | Where-Object { $_ } | Sort-Object) }

        # What a web host holds of the sites, read in one go: its vhosts, the site folders of its notes platform, its
        # platform roots and the module's temporary files.
        function Get-WebState($TestHost, [string] $Server) {
            $state = @{ vhosts = @(); files = @(); platforms = @(); temps = @() }
            $part = $null
            foreach ($line in (Invoke-OnTestHost $TestHost "echo '#vhosts'; ls -A /var/aegir/config/$Server/nginx/vhost.d; echo '#files'; ls -A /srv/platforms/notes/files; echo '#platforms'; ls -A /srv/platforms; echo '#temps'; ls -d /tmp/aegir-*; true" 2>$null)) {
                if ("$line" -match '^#(\w+)$') { $part = $Matches[1] } elseif ("$line" -and "$line" -notmatch 'No such file') { $state[$part] += "$line" }
            }
            $state
        }

        # What every host holds of the sites is exactly what their records say, each recorded site answers with its
        # data from the web server it is on, and no temporary file is left anywhere.
        function Assert-NothingLeft([string] $Because) {
            $sites = @(Get-AegirSite)
            $onA = @($sites | Where-Object PlatformName -EQ 'platform_notes' | ForEach-Object Name | Sort-Object)
            $onC = @($sites | Where-Object PlatformName -EQ 'platform_notesc' | ForEach-Object Name | Sort-Object)
            ($onA.Count + $onC.Count) | Should -Be $sites.Count -Because $Because
            foreach ($h in @{ Host = $a; Server = 'server_weba'; Sites = $onA }, @{ Host = $c; Server = 'server_webc'; Sites = $onC }) {
                $state = Get-WebState $h.Host $h.Server
                $state.vhosts | Should -Be @($h.Sites | ForEach-Object { "$_.conf" }) -Because "$($h.Host.Name)'s vhosts are its sites' ($Because)"
                $state.files | Should -Be $h.Sites -Because "$($h.Host.Name)'s site folders are its sites' ($Because)"
                $state.platforms | Should -Be @('notes') -Because "$($h.Host.Name) holds no half platform ($Because)"
                $state.temps | Should -BeNullOrEmpty -Because "no temporary file is left on $($h.Host.Name) ($Because)"
            }
            Get-Temps $b | Should -BeNullOrEmpty -Because "no temporary file is left on $($b.Name) ($Because)"
            $dbs = @($sites.DbName | Sort-Object)
            $held = @(Invoke-TestHostSql $b "SELECT CONCAT('db ', SCHEMA_NAME) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN ('information_schema','mysql','performance_schema','sys') UNION ALL SELECT DISTINCT CONCAT('user ', User) FROM mysql.user WHERE User NOT IN ('root','mariadb.sys','aegir_admin','mysql','') AND User NOT LIKE 'aegir_verify_%'")
            @($held -match '^db ' -replace '^db ' | Sort-Object) | Should -Be $dbs -Because "B's databases are the sites' ($Because)"
            @($held -match '^user ' -replace '^user ' | Sort-Object) | Should -Be $dbs -Because "B's database users are the sites' ($Because)"
            # The status goes with the body, so a page that fails says how (a PHP error answers 500 with no body).
            foreach ($s in $onA) { Get-Page $s -On $a | ForEach-Object { "$($_.Status) $($_.Body)" } | Should -Be "200 notes of ${s}: first note (weba)" -Because $Because }
            foreach ($s in $onC) { Get-Page $s -On $c | ForEach-Object { "$($_.Status) $($_.Body)" } | Should -Be "200 notes of ${s}: first note (webc)" -Because $Because }
            @(Get-ChildItem -Force -Recurse -File (Join-Path $env:AEGIR_HOME 'backups') -ErrorAction Ignore | Where-Object Name -NotMatch '\.tar\.(zst|gz)(\.json)?$') |
                Should -BeNullOrEmpty -Because "no half-written backup is left in the store ($Because)"
            Get-ChildItem -Force -Recurse -File (Join-Path $env:AEGIR_HOME 'contexts'), (Join-Path $env:AEGIR_HOME 'tasks') | Where-Object { $_.Name -match '\.tmp|^\.' -and $_.Name -ne '.lock' } |
                Should -BeNullOrEmpty -Because "no record is left half-written ($Because)"
        }
    }
    AfterAll {
        Remove-TestHost $a
        Remove-TestHost $b
        Remove-TestHost $c
        Remove-Item -Recurse -Force $work -ErrorAction Ignore
    }

    It 'starts clean: one site on A, its data on B' {
        (Get-Page keep.test).Body | Should -Be 'notes of keep.test: first note (weba)'
        Assert-NothingLeft 'at the start'
    }

    It 'fails a push whose server''s sshd is killed midway, naming the server and the fix; the next verify pushes it whole' {
        $killer = Start-ThreadJob -ArgumentList $a.Dir, $a.Script -ScriptBlock {
            param($dir, $script)
            $ns = Get-Content (Join-Path $dir 'netns')
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $null = New-Item -ItemType File (Join-Path $dir 'killer-ready') -Force
            while ($clock.Elapsed.TotalSeconds -lt 60) {
                $pids = @(ip netns pids $ns)
                $cmd = @($pids | ForEach-Object { ((Get-Content -Raw "/proc/$_/cmdline" -ErrorAction Ignore) -replace "`0", ' ') })
                if ($cmd -match '^rsync --server' -and (bash $script run $dir sh -c 'ls /srv/platforms/big/lib 2>/dev/null | wc -l') -gt 50) {
                    # Every sshd, asked again after each round: one forked for a new connection meanwhile goes too.
                    do {
                        $sshd = @(ip netns pids $ns | Where-Object { ((Get-Content -Raw "/proc/$_/cmdline" -ErrorAction Ignore) -replace "`0", ' ') -match '^(/usr/sbin/)?sshd' })
                        foreach ($p in $sshd) { kill -9 $p }
                    } while ($sshd.Count -gt 0)
                    return $clock.Elapsed.TotalSeconds
                }
                Start-Sleep -Milliseconds 20
            }
            -1
        }
        try {
            # The push starts once the killer watches: on an idle machine it may otherwise be over before the watch begins.
            $ready = Join-Path $a.Dir 'killer-ready'
            foreach ($i in 1..200) { if (Test-Path $ready) { break }; Start-Sleep -Milliseconds 50 }
            Remove-Item $ready -ErrorAction Ignore
            $failed = $null
            try { $null = New-AegirPlatform big -Root /srv/platforms/big -WebServer weba -Source $big -ErrorAction Stop } catch { $failed = $_ }
            # The push's connection is cut, or (killed before its next step connects) the server refuses the next: each names the server and the fix.
            "$failed" | Should -Match "'@server_weba'.*(connection was lost.*Invoke-AegirVerify server_weba|Cannot reach '@server_weba'.*sshd answers)"
            $killer | Wait-Job | Receive-Job | Should -BeGreaterThan 0 -Because 'sshd was killed while rsync ran'
        }
        finally { $killer | Remove-Job -Force; Start-HostSshd $a }
        $task = Get-AegirTask -Target platform_big -First 1
        $task.Status | Should -Be 'Failed'
        Write-Host "push killed: $($task.Error)"
        [Aegir.Core.Transport.TransportFactory]::CloseIdle()
        # The next task repairs what the failed one could not undo while A was unreachable: the root the push made goes, and the record with it.
        $task.Error | Should -Match 'could not be undone yet' -Because 'A answered nobody when the push failed'
        Get-AegirPlatform big | Should -Not -BeNullOrEmpty -Because 'the record stays until its root is removed'
        { Invoke-AegirVerify platform_big -ErrorAction Stop -WarningAction SilentlyContinue } | Should -Throw -ExpectedMessage "No context named '@platform_big'*"
        Get-HostList $a 'ls -A /srv/platforms' | Should -Be @('notes') -Because 'no half platform root made by the push remains'
        Get-Temps $a | Should -BeNullOrEmpty
        $null = New-AegirPlatform big -Root /srv/platforms/big -WebServer weba -Source $big -ErrorAction Stop
        Get-HostList $a 'ls /srv/platforms/big/lib | wc -l' | Should -Be '6024'
        (Get-AegirTask -Target platform_big -First 1).Status | Should -Be 'Succeeded'
        $null = Remove-AegirPlatform big -Confirm:$false -ErrorAction Stop
        $null = Invoke-OnTestHost $a 'rm -rf /srv/platforms/big'
        Assert-NothingLeft 'after the killed push'
    }

    It 'fails a push that does not fit on A''s disk, naming the server, the full disk and the fix, and removes what it made' {
        $null = Invoke-OnTestHost $a 'mkdir -p /srv/small && mount -t tmpfs -o size=3m tmpfs /srv/small'
        try {
            { New-AegirPlatform small -Root /srv/small/big -WebServer weba -Source $big -ErrorAction Stop } |
                Should -Throw -ExpectedMessage "*'@server_weba'*full*"
            $task = Get-AegirTask -Target platform_small -First 1
            Write-Host "push full: $($task.Error)"
            $task.Error | Should -Match 'df '
            Get-HostList $a 'ls -A /srv/small' | Should -BeNullOrEmpty -Because 'the root the push made is removed'
            Get-AegirPlatform small -ErrorAction Ignore | Should -BeNullOrEmpty
        }
        finally { $null = Invoke-OnTestHost $a 'umount /srv/small; rmdir /srv/small' }
        Assert-NothingLeft 'after the push that did not fit'
    }

    It 'fails an install whose config cannot be written on A''s full disk, undone on A and B' {
        # /var/aegir on a small file system of its own, holding what was there, filled up.
        $null = Invoke-OnTestHost $a 'cp -a /var/aegir /root/aegir-was && mount -t tmpfs -o size=4m tmpfs /var/aegir && cp -a /root/aegir-was/. /var/aegir/ && (dd if=/dev/zero of=/var/aegir/filler bs=64k 2>/dev/null || true)'
        try {
            { New-AegirSite full.test -Platform notes -DbServer dbb -ErrorAction Stop } | Should -Throw -ExpectedMessage "*'@server_weba'*full*"
            $task = Get-AegirTask -Target full.test -First 1
            Write-Host "install full: $($task.Error)"
            $task.Error | Should -Match 'df '
            Get-HostList $a 'ls -A /var/aegir/config/server_weba/nginx/vhost.d' | Should -Be @('keep.test.conf')
            Get-HostList $a 'ls -A /srv/platforms/notes/files' | Should -Be @('keep.test')
            Invoke-TestHostSql $b "SHOW DATABASES LIKE 'fulltest%'" | Should -BeNullOrEmpty
            Get-SiteUsers | Should -Not -Contain 'fulltest'
            (Get-Page keep.test).Body | Should -Be 'notes of keep.test: first note (weba)'
        }
        finally { $null = Invoke-OnTestHost $a 'umount /var/aegir && rm -rf /root/aegir-was' }
        Get-AegirSite full.test -ErrorAction Ignore | Should -BeNullOrEmpty
        Assert-NothingLeft 'after the install that did not fit'
    }

    It 'fails a move to C whose link is cut midway, the site answering from A throughout; the next task leaves nothing on C' {
        $null = New-AegirSite move.test -Platform notes -DbServer dbb -ErrorAction Stop
        $n = Get-Content (Join-Path $c.Dir 'index')
        $cutter = Start-ThreadJob -ArgumentList $c.Dir, $c.Script, $n -ScriptBlock {
            param($dir, $script, $n)
            $clock = [Diagnostics.Stopwatch]::StartNew()
            while ($clock.Elapsed.TotalSeconds -lt 60) {
                if ((bash $script run $dir sh -c 'ls /srv/platforms/notes/files /var/aegir/config/server_webc/nginx/vhost.d 2>/dev/null') -match 'move\.test') {
                    ip link set "ath$n" down
                    return $clock.Elapsed.TotalSeconds
                }
                Start-Sleep -Milliseconds 20
            }
            -1
        }
        $answers = Start-ThreadJob -ArgumentList $a.Address -ScriptBlock {
            param($address)
            $bodies = [Collections.Generic.List[string]]::new()
            $clock = [Diagnostics.Stopwatch]::StartNew()
            while ($clock.Elapsed.TotalSeconds -lt 90) {
                try { $bodies.Add((Invoke-WebRequest -Headers @{ Host = 'move.test' } "http://$address/" -TimeoutSec 5).Content) } catch { $bodies.Add("error: $_") }
                if (Test-Path "/tmp/stop-$address") { break }
                Start-Sleep -Milliseconds 200
            }
            $bodies
        }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        try {
            { Move-AegirSite move.test -Platform notesc -ErrorAction Stop } | Should -Throw -ExpectedMessage "*'@server_webc'*"
            $took = $clock.Elapsed.TotalSeconds
            $cutter | Wait-Job | Receive-Job | Should -BeGreaterThan 0 -Because 'the link was cut while the move ran'
            $task = Get-AegirTask -Target move.test -First 1
            Write-Host "move cut after $took s: $($task.Error)"
            $task.Status | Should -Be 'Failed'
            (Get-AegirSite move.test).PlatformName | Should -Be 'platform_notes'
            (Get-Page move.test).Body | Should -Be 'notes of move.test: first note (weba)'
        }
        finally {
            ip link set "ath$n" up
            $null = New-Item -ItemType File "/tmp/stop-$($a.Address)" -Force
            $bodies = $answers | Wait-Job | Receive-Job
            Remove-Item "/tmp/stop-$($a.Address)"
            $cutter, $answers | Remove-Job -Force
        }
        $bodies | Select-Object -Unique | Should -Be @('notes of move.test: first note (weba)') -Because 'the site answered from A throughout'
        # No answer for 30 s, one try to connect again, one for the undo (15 s each); a cut that lands while a step waits
        # on the server (its accounts lock, a read) costs one more read timeout: 75.4 s was seen once.
        $took | Should -BeLessThan 90 -Because 'a cut link fails the task in good time: no answer for 30 s, one try to connect again, one for the undo'
        [Aegir.Core.Transport.TransportFactory]::CloseIdle()
        $null = Invoke-AegirVerify move.test -ErrorAction Stop -WarningAction SilentlyContinue
        Get-HostList $c 'ls -A /srv/platforms/notes/files' | Should -BeNullOrEmpty
        Get-HostList $c 'ls -A /var/aegir/config/server_webc/nginx/vhost.d' | Should -BeNullOrEmpty
        Get-SiteDbs | Should -Be @('keeptest', 'movetest') -Because 'no copy of its database is left on B'
        Assert-NothingLeft 'after the cut move'
    }

    It 'leaves nothing behind after 20 controllers killed at spread-out moments during installs, moves and backups' {
        # Each kind's run time here and now (the machine's load changes it), over which its kill moments are spread.
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $null = New-AegirSite mig.test -Platform notes -DbServer dbb -ErrorAction Stop
        $took = @{ 0 = $clock.Elapsed.TotalSeconds }
        $clock.Restart(); $null = Move-AegirSite mig.test -Platform notesc -ErrorAction Stop; $took[1] = $clock.Elapsed.TotalSeconds
        $clock.Restart(); $null = Backup-AegirSite mig.test -ErrorAction Stop; $took[2] = $clock.Elapsed.TotalSeconds
        # Each run's child is started (its module loaded) while the run before is checked; it waits for its go file.
        function Start-Run([int] $I) {
            $go = Join-Path $work "go-$I"
            $script = switch ($I % 3) {
                0 { "New-AegirSite k$I.test -Platform notes -DbServer dbb -ErrorAction Stop" }
                1 { "Move-AegirSite mig.test -Platform `$(if ((Get-AegirSite mig.test).PlatformName -eq 'platform_notes') { 'notesc' } else { 'notes' }) -ErrorAction Stop" }
                2 { 'Backup-AegirSite mig.test -ErrorAction Stop' }
            }
            $child = Start-AegirChild -NoWait -Script "while (-not (Test-Path '$go')) { Start-Sleep -Milliseconds 5 }; $script" -Warmup "`$env:AEGIR_HOME = '$env:AEGIR_HOME'; `$null = Get-AegirSite"
            @{ Child = $child; Go = $go }
        }
        # Kill moments spread over each kind's own run time, up to nine tenths of it.
        $spans = @{ 0 = 0.2, [math]::Max(0.5, 0.9 * $took[0]); 1 = 0.2, [math]::Max(0.5, 0.9 * $took[1]); 2 = 0.05, [math]::Max(0.2, 0.9 * $took[2]) }
        Write-Host "run times: install $($took[0]) s, move $($took[1]) s, backup $($took[2]) s"
        $next = Start-Run 0
        $outcomes = foreach ($i in 0..19) {
            $run = $next
            $kind = ('install', 'move', 'backup')[$i % 3]
            $k = [math]::Floor($i / 3)
            $delay = [math]::Round($spans[$i % 3][0] + ($spans[$i % 3][1] - $spans[$i % 3][0]) * $k / 6, 2)
            Wait-AegirChild $run.Child
            $null = New-Item -ItemType File $run.Go
            $finished = $run.Child.WaitForExit([int]($delay * 1000))
            if (-not $finished) { $run.Child.Kill($true); $run.Child.WaitForExit() }
            if ($i -lt 19) { $next = Start-Run ($i + 1) }
            [Aegir.Core.Transport.TransportFactory]::CloseIdle()
            $target = if ($kind -eq 'install') { "k$i.test" } else { 'mig.test' }
            $repair = try { (Invoke-AegirVerify $target -ErrorAction Stop -WarningAction SilentlyContinue).Status } catch { "$_" -replace '(?s)(No context named \S+).*', '$1' }
            Assert-NothingLeft "run $i ($kind, $(if ($finished) { 'finished before' } else { 'killed at' }) $delay s; repair: $repair)"
            "$i $kind $delay $(if ($finished) { 'finished' } else { 'killed' }) $repair"
        }
        Write-Host ($outcomes -join "`n")
        @($outcomes | Where-Object { $_ -match ' killed ' }).Count | Should -BeGreaterThan 12 -Because 'most runs were killed midway'
        @(Get-AegirSite k*.test).Count | Should -BeGreaterThan 0 -Because 'some installs were killed late enough to be finished by the repair, or finished'
    }
}
