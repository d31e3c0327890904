# Failures that leave something behind, on real servers: MariaDB dying under an install leaves the site's record
# until its undo can drop the database (and meanwhile nothing changes the site); a kill leaves no installer or
# database client running and no installer script; the same New-AegirSite run again after a kill finds the repair
# done first; nginx stopped under an install gets its config back all the same.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Failures that leave something behind' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        $port = $server.Http.GetInt('port')
        Install-TestPackage wordpress
        $null = New-WordPressPlatform $work wp
        New-DrupalShapedCodebase (Join-Path $work 'platforms/crash')
        $null = New-AegirPlatform crash (Join-Path $work 'platforms/crash')
        $vhosts = Join-Path $env:AEGIR_HOME 'config/server_master/nginx/vhost.d'

        # Live processes whose command line holds $Text, as "pid command line" (for this suite's own servers).
        function Get-Running([string] $Text) {
            foreach ($dir in [IO.Directory]::EnumerateDirectories('/proc')) {
                $name = [IO.Path]::GetFileName($dir)
                if ($name -notmatch '^\d+$' -or [int]$name -eq $PID) { continue }
                try { $line = [IO.File]::ReadAllText("$dir/cmdline").Replace([char]0, ' ') } catch { continue }
                if ($line.Contains($Text) -and $null -ne [Aegir.Core.Tasks.ProcessIdentity]::StartOf([int]$name)) { "$name $line" }
            }
        }

        # The processes below $Parent (its children, theirs...), each by pid and start time, with its command line.
        function Get-Descendants([int] $Parent) {
            $all = foreach ($dir in [IO.Directory]::EnumerateDirectories('/proc')) {
                $name = [IO.Path]::GetFileName($dir)
                if ($name -notmatch '^\d+$') { continue }
                try {
                    $stat = [IO.File]::ReadAllText("$dir/stat")
                    $fields = $stat.Substring($stat.LastIndexOf(')') + 2).Split(' ')
                    [pscustomobject]@{ Id = [int]$name; Parent = [int]$fields[1]; Start = [long]$fields[19]; Line = [IO.File]::ReadAllText("$dir/cmdline").Replace([char]0, ' ') }
                }
                catch { }
            }
            $below = [Collections.Generic.Queue[int]]::new()
            $below.Enqueue($Parent)
            while ($below.Count) {
                $p = $below.Dequeue()
                foreach ($c in $all | Where-Object Parent -EQ $p) { $c; $below.Enqueue($c.Id) }
            }
        }

        function Test-Alive($Process) { [Aegir.Core.Tasks.ProcessIdentity]::IsAlive($Process.Id, $Process.Start) }

        # What $Find finds first, polling; null when it finds nothing in time.
        function Wait-For([scriptblock] $Find, [double] $Seconds = 60) {
            $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
            while ($true) {
                $found = & $Find
                if ($found) { return $found }
                if ([DateTime]::UtcNow -gt $deadline) { return $null }
                Start-Sleep -Milliseconds 20
            }
        }

        function Wait-Until([scriptblock] $Condition, [double] $Seconds = 60) { [bool](Wait-For { if (& $Condition) { $true } } $Seconds) }

        # Runs $Script in a child pwsh, kills it once a program below it runs whose command line is like $Line, and
        # says whether that program was gone within $Seconds.
        function Stop-ChildDuring([string] $Script, [string] $Warmup, [string] $Line, [double] $Seconds = 1) {
            $child = Start-AegirChild $Script -Warmup $Warmup
            $program = Wait-For { Get-Descendants $child.Id | Where-Object Line -Like $Line | Select-Object -Last 1 }
            $child.Kill()
            $child.WaitForExit()
            if (-not $program) { throw "No program like '$Line' ran below the child." }
            [pscustomobject]@{ Line = $program.Line; Gone = Wait-Until { -not (Test-Alive $program) } $Seconds }
        }

        # Kills this suite's MariaDB (the one whose data folder is under this AEGIR_HOME) and waits until it is reaped.
        function Stop-MariaDb {
            $mariadbd = [int]((Get-Running "--datadir=$env:AEGIR_HOME") -split ' ')[0]
            kill -9 $mariadbd
            Wait-Until { -not (Test-Path "/proc/$mariadbd") } | Should -BeTrue -Because 'a killed MariaDB is gone once reaped'
        }

        # A MariaDB session of the admin's that runs $Sql (holding its locks) until killed.
        function Start-AdminSession([string] $Database, [string] $Sql) {
            $s = Get-AegirServer master
            $password = ((Get-Content -Raw $s.Path) -split "`n" | Where-Object { $_ -match '^\s+admin_password: (.+)$' } | ForEach-Object { $Matches[1].Trim() })
            $file = Join-Path $work "session-$([guid]::NewGuid().ToString('N')).cnf"
            New-Item -ItemType File $file | Out-Null
            [IO.File]::SetUnixFileMode($file, 'UserRead, UserWrite')
            Set-Content $file "[client]`nuser=$($s.Db.Get('admin_user'))`npassword=$password`nhost=127.0.0.1`nport=$($s.Db.Get('port'))"
            $psi = [Diagnostics.ProcessStartInfo]::new('mariadb')
            foreach ($a in "--defaults-extra-file=$file", '-e', $Sql, $Database) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardOutput = $psi.RedirectStandardError = $true
            [Diagnostics.Process]::Start($psi)
        }
    }
    AfterAll {
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    Describe 'New-AegirSite' {
        It 'whose MariaDB dies before the WordPress installer keeps the site''s record while the database stays, and its undo is finished once MariaDB answers' {
            $child = Start-AegirChild 'New-AegirSite f2.test -Platform wp | Out-Null' -Warmup 'New-AegirSite f2.test -Platform wp -Plan | Out-Null'
            Wait-Until { (Get-SiteDatabases) -contains 'f2test' } | Should -BeTrue
            Stop-MariaDb
            $child.WaitForExit()
            try {
                $task = Get-AegirTask -Target f2.test -Type install -First 1
                $task.Status | Should -Be 'Failed'
                $task.Error | Should -BeLike "*could not be undone yet, because their server did not answer: drop database f2test and user f2test on '@server_master'*"
                $task.Error | Should -BeLike "*tried again by the next task on '@f2.test' or '@server_master', and by Invoke-AegirVerify f2.test*"
                ($task.Log.Message -like "Could not undo 'Creating database f2test*It waits, and is tried again later.") | Should -Not -BeNullOrEmpty
                $site = Get-AegirSite f2.test
                $site.Status, $site.DbName | Should -Be @('NotInstalled', 'f2test')
                $site.PendingUndo | Should -BeLike "task $($task.Id) (install on '@f2.test') waits to drop database f2test and user f2test on '@server_master'*"
                ($site | Out-String) | Should -Match 'f2\.test +NotInstalled, undo waits'   # the default view says so
                # Meanwhile nothing changes the site, and making it again says why.
                { Disable-AegirSite f2.test -ErrorAction Stop } | Should -Throw -ErrorId 'UndoPending*'
                { New-AegirSite f2.test -Platform wp -ErrorAction Stop } | Should -Throw -ErrorId 'UndoPending*' -ExpectedMessage "*waits for the undo of task $($task.Id)*Invoke-AegirVerify f2.test*"
            }
            finally {
                # MariaDB back: the next task on the server (its verify) finishes the undo.
                $null = Start-AegirLocalServer -HttpServiceType nginx -WarningAction SilentlyContinue
            }
            Get-AegirSite f2.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Get-SiteDatabases | Should -Not -Contain 'f2test'
            Get-SiteDbUsers | Should -Not -Contain 'f2test'
            (Get-AegirTask -Id $task.Id).Error | Should -BeLike '*finished its undo*'
            (New-AegirSite f2.test -Platform wp -WarningAction SilentlyContinue).Site.Status | Should -Be 'Installed'
            (Invoke-Site -Port $port -HostName f2.test).Status | Should -Be 200
        }

        It 'killed after recording its site runs again: the repair comes first, then the check that the site is new' {
            foreach ($i in 1..3) {
                $uri = "again$i.test"
                $child = Start-AegirChild "New-AegirSite $uri -Platform wp | Out-Null" -Warmup "New-AegirSite $uri -Platform wp -Plan | Out-Null"
                Wait-Until { Test-Path (Join-Path $env:AEGIR_HOME "contexts/$uri.yml") } | Should -BeTrue
                $child.Kill()
                $child.WaitForExit()
                (Get-AegirTask -Target $uri -Type install -First 1).Status | Should -Be 'Running' -Because 'its process died before it ended'
                $made = New-AegirSite $uri -Platform wp -WarningVariable repairs -WarningAction SilentlyContinue
                $made.Site.Status | Should -Be 'Installed'
                ($repairs -join "`n") | Should -BeLike '*Took over the lock*'
                (Invoke-Site -Port $port -HostName $uri).Status | Should -Be 200
            }
        }

        It 'killed while the WordPress installer runs leaves no installer running, and no installer script once repaired' {
            foreach ($i in 1..3) {
                $run = Stop-ChildDuring "New-AegirSite kw$i.test -Platform wp | Out-Null" "New-AegirSite kw$i.test -Platform wp -Plan | Out-Null" '*/tmp/aegir-run-*/wordpress-install.php*'
                $run.Gone | Should -BeTrue -Because "the installer dies with the process of its task ($($run.Line))"
                $folder = [regex]::Match($run.Line, '/tmp/aegir-run-\w+').Value
                "$folder/wordpress-install.php" | Should -Exist -Because 'the kill left it'
                $null = Invoke-AegirVerify wp -WarningAction SilentlyContinue   # the next task on the platform repairs the dead install
                $folder | Should -Not -Exist
                Get-AegirSite "kw$i.test" -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                Get-SiteDatabases | Should -Not -Contain "kw$($i)test"
            }
        }

        It 'killed while drush installs leaves no drush running' {
            $run = Stop-ChildDuring 'New-AegirSite slowd.test -Platform crash | Out-Null' 'New-AegirSite slowd.test -Platform crash -Plan | Out-Null' '*--sites-subdir=slowd.test*' -Seconds 0.5
            $run.Gone | Should -BeTrue -Because 'drush dies with the process of its task'
            $null = Invoke-AegirVerify crash -WarningAction SilentlyContinue
            Get-AegirSite slowd.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'whose nginx stops before the reload puts the config back all the same, and nothing waits' {
            $databases = Get-SiteDatabases
            $child = Start-AegirChild 'New-AegirSite nostart.test -Platform wp | Out-Null' -Warmup 'New-AegirSite nostart.test -Platform wp -Plan | Out-Null'
            Wait-Until { (Get-SiteDatabases) -contains 'nostarttest' } | Should -BeTrue
            kill -QUIT ((Get-Running "nginx: master process") | Where-Object { $_ -like "*$env:AEGIR_HOME*" } | ForEach-Object { ($_ -split ' ')[0] })
            $child.WaitForExit()
            try {
                $task = Get-AegirTask -Target nostart.test -Type install -First 1
                $task.Status | Should -Be 'Failed'
                ($task.Log.Message -like '*is not running: it reads the config put back when it starts.') | Should -Not -BeNullOrEmpty
                ($task.Log.Message -like '*the target is as it was before the task.') | Should -Not -BeNullOrEmpty
                Get-AegirSite nostart.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                Join-Path $vhosts 'nostart.test.conf' | Should -Not -Exist
                @(Get-SiteDatabases | Sort-Object) | Should -Be @($databases | Sort-Object)
            }
            finally { $null = Start-AegirLocalServer -HttpServiceType nginx -WarningAction SilentlyContinue }
        }
    }

    Describe 'Backup-AegirSite' {
        It 'killed while mariadb-dump runs leaves no mariadb-dump running' {
            $null = New-AegirSite dump.test -Platform wp
            $db = (Get-AegirSite dump.test).DbName
            $folders = @(Get-ChildItem /tmp -Filter 'aegir-db-*' -Name)
            # A write lock on the first table the dump reads holds the dump there, as a long dump would be.
            $session = Start-AdminSession $db 'LOCK TABLES wp_commentmeta WRITE; SELECT SLEEP(120);'
            try { $run = Stop-ChildDuring 'Backup-AegirSite dump.test | Out-Null' 'Get-AegirBackup | Out-Null' "*mariadb-dump *$db *" }
            finally {
                $session.Kill()
                $session.WaitForExit()
            }
            $run.Gone | Should -BeTrue -Because 'mariadb-dump dies with the process of its task'
            # The admin's password reached mariadb-dump in its environment alone: no file holds it to be left behind.
            Get-ChildItem /tmp -Filter 'aegir-db-*' -Name | Where-Object { $_ -notin $folders } | Should -BeNullOrEmpty
            (Invoke-AegirVerify dump.test -WarningAction SilentlyContinue).Status | Should -BeIn @('Succeeded', 'Warning')
        }
    }

    Describe 'Invoke-AegirSiteCommand' {
        It 'killed while its command runs leaves the command running no longer' {
            $null = New-AegirSite cmd.test -Platform crash
            $folders = @(Get-ChildItem /tmp -Filter 'aegir-run-*' -Name)
            try { $run = Stop-ChildDuring 'Invoke-AegirSiteCommand cmd.test -- sleep 300' 'Get-AegirSite | Out-Null' '*sleep 300*' }
            finally {
                # The command's private folder a kill leaves is the site shell's own matter (Applications.Tests.ps1 looks for it).
                Get-ChildItem /tmp -Filter 'aegir-run-*' -Name | Where-Object { $_ -notin $folders } | ForEach-Object { Remove-Item -Recurse -Force "/tmp/$_" }
            }
            $run.Gone | Should -BeTrue -Because "a site's command dies with the process that runs it ($($run.Line))"
        }
    }
}
