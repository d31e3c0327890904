# The durable journal on real servers: tasks killed at random moments, a change of a record racing an install,
# a failed install under -ErrorAction Stop, and Ctrl+C. After the repair (the next task or a verify), nothing is
# left half done: every site is installed and answering, or cleanly absent, with no orphan database, user,
# folder or vhost.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'The task journal on real servers' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        $port = $server.Http.GetInt('port')

        # A Drupal-shaped codebase (folders, settings file, an installer) whose front page reads the site's database.
        $root = Join-Path $work 'platforms/crash'
        New-DrupalShapedCodebase $root
        $null = New-AegirPlatform crash $root
        $null = Invoke-AegirVerify crash

        $vhosts = Join-Path $env:AEGIR_HOME 'config/server_master/nginx/vhost.d'

        # Every record tells the truth and nothing is left that no record owns.
        function Assert-Consistent([string] $When) {
            $sites = @(Get-AegirSite)
            Get-AegirTask -Status Running, Queued | Should -BeNullOrEmpty -Because "${When}: no task may be left running or queued"
            foreach ($site in $sites) {
                $site.Status | Should -BeIn @('Installed', 'Disabled') -Because "${When}: $($site.Uri) was created and installed in one task"
                foreach ($name in @($site.Uri) + $site.Aliases) {
                    $page = Invoke-Site -Port $port -HostName $name
                    if ($site.Status -eq 'Installed') { $page.Body | Should -Be "ok $($site.DbName)" -Because "${When}: $name must answer from the database of $($site.Uri)" }
                    else { $page.Status | Should -Be 503 -Because "${When}: $name is a name of $($site.Uri), which is disabled" }
                }
                Test-Path "$root/sites/$($site.Uri)/settings.php" | Should -BeTrue -Because "${When}: $($site.Uri) keeps its folder"
            }
            $dbs = @($sites | ForEach-Object DbName | Sort-Object)
            @(Get-SiteDatabases | Sort-Object) | Should -Be $dbs -Because "${When}: no orphan database"
            @(Get-SiteDbUsers | Sort-Object) | Should -Be $dbs -Because "${When}: no orphan database user"
            @(Get-ChildItem $vhosts -Name | Sort-Object) | Should -Be @($sites | ForEach-Object { "$($_.Uri).conf" } | Sort-Object) -Because "${When}: no orphan vhost"
            @(Get-ChildItem "$root/sites" -Name -Force | Sort-Object) | Should -Be @($sites.Uri | Sort-Object) -Because "${When}: no orphan or moved-aside site folder"
        }
    }
    AfterAll {
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    Describe 'Remove-AegirSite' {
        It 'removes everything of an installed site, the database last' {
            $null = New-AegirSite gone.test -Platform crash
            $task = Remove-AegirSite gone.test -Force
            $task.Status | Should -Be 'Succeeded'
            # Past the point of no return: the database first, then only deletions (the folder moved aside, the logs, the site's own account last).
            $steps = @($task.Journal.Description)
            $drop = [array]::FindIndex($steps, [Predicate[string]] { param($d) $d -like 'drop database gonetest*' })
            $drop | Should -BeGreaterThan 0
            $steps[($drop + 1)..($steps.Count - 1)] | ForEach-Object { $_ | Should -BeLike 'delete *' }
            @($steps | Where-Object { $_ -like 'delete */logs/server_master/gone.test.error.log on*' }).Count | Should -Be 1
            $account = [Aegir.Core.Contexts.AccountNames]::ForSite('gone.test', $env:AEGIR_HOME)
            $steps[-1] | Should -Be "delete the account $account of gone.test on '@server_master'"
            getent passwd $account | Should -BeNullOrEmpty
            Assert-Consistent 'after a removal'
        }
    }

    Describe 'New-AegirSite' {
        It 'that fails with -ErrorAction Stop leaves nothing, and can simply be run again' {
            { New-AegirSite fail.test -Platform crash -ErrorAction Stop -WarningAction SilentlyContinue } | Should -Throw '*the installer failed*'
            Get-AegirSite fail.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Assert-Consistent 'after a failed New-AegirSite -ErrorAction Stop'
            { New-AegirSite fail.test -Platform crash -ErrorAction Stop -WarningAction SilentlyContinue } | Should -Throw '*the installer failed*'
            Get-AegirSite fail.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'stopped with Ctrl+C stops at the next step and rolls back' {
            $ps = [powershell]::Create()
            $null = $ps.AddScript("Import-Module '$env:AEGIR_TEST_MODULE'; `$env:AEGIR_HOME = '$env:AEGIR_HOME'; New-AegirSite slowstop.test -Platform crash")
            $handle = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (-not (Test-Path "$root/sites/slowstop.test/settings.php") -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $ps.Stop()   # what Ctrl+C does: StopProcessing while the installer runs
            $ps.Dispose()
            $task = Get-AegirTask -Target slowstop.test -Type install -First 1
            $task.Status | Should -Be 'Failed'
            $task.ErrorId | Should -Be 'TaskStopped'
            $task.Log.Message | Should -Contain 'Running the drupal installer'
            ($task.Log.Message -match 'the target is as it was before the task') | Should -Not -BeNullOrEmpty
            Get-AegirSite slowstop.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Assert-Consistent 'after Ctrl+C'
        }
    }

    Describe 'Set-AegirSite' {
        It 'while an install of the same site runs loses nothing: the alias waits for the install, then answers' {
            $lost = 0
            foreach ($i in 1..6) {
                $uri = "slow$i.test"
                $child = Start-AegirChild "New-AegirSite $uri -Platform crash | Out-Null"
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while (-not (Get-AegirSite $uri -ErrorAction SilentlyContinue) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
                (Get-AegirSite $uri).Status | Should -Be 'NotInstalled' -Because 'the install is still running'
                Set-AegirSite $uri -AddAlias "www.$uri"
                $child.WaitForExit()
                $site = Get-AegirSite $uri
                if ($site.Aliases -notcontains "www.$uri") { $lost++ }
                $site.Status | Should -Be 'Installed'
                (Invoke-Site -Port $port -HostName "www.$uri").Body | Should -Be "ok $($site.DbName)"
            }
            $lost | Should -Be 0
            Write-Host "Set-AegirSite during an install: 6 runs, $lost alias(es) lost."
            Assert-Consistent 'after Set-AegirSite raced installs'
        }
    }

    Describe 'Invoke-AegirVerify' {
        It 'repairs tasks killed at random moments: install, remove, disable, enable and set' {
            $random = [Random]::new(20261127)
            $runs = 36
            $outcomes = @{ mid = 0; done = 0; before = 0; repaired = 0 }
            $kinds = @{}
            foreach ($run in 1..$runs) {
                $sites = @(Get-AegirSite)
                $installed = @($sites | Where-Object Status -EQ Installed)
                $pick = $random.Next(5)
                if ($sites.Count -lt 2 -or $pick -eq 0) { $kind = 'install'; $uri = "k$run.test"; $script = "New-AegirSite $uri -Platform crash | Out-Null" }
                else {
                    $site = $sites[$random.Next($sites.Count)]; $uri = $site.Uri
                    $kind = switch ($pick) {
                        1 { 'remove' }
                        2 { if ($site.Status -eq 'Installed') { 'disable' } else { 'enable' } }
                        default { 'set' }
                    }
                    $script = switch ($kind) {
                        'remove' { "Remove-AegirSite $uri -Force | Out-Null" }
                        'disable' { "Disable-AegirSite $uri | Out-Null" }
                        'enable' { "Enable-AegirSite $uri | Out-Null" }
                        'set' { "Set-AegirSite $uri -AddAlias a$run.$uri" }
                    }
                }
                $kinds[$kind] = 1 + [int]$kinds[$kind]
                # The same command with -Plan first loads its code, so the kill lands in the task itself.
                $child = Start-AegirChild $script -Warmup (($script -replace '\| Out-Null$', '') + ' -Plan | Out-Null')
                $started = [DateTimeOffset]::Now
                Start-Sleep -Milliseconds $random.Next(0, 500)
                if (-not $child.HasExited) { $child.Kill() }
                $child.WaitForExit()
                $mine = @(Get-AegirTask -Target $uri | Where-Object Created -GE $started)
                if ($mine | Where-Object Status -EQ Running) { $outcomes.mid++ } elseif ($mine) { $outcomes.done++ } else { $outcomes.before++ }

                # The repair: any next task on the platform finds a task that died holding it.
                $dead = @(Get-AegirTask -Status Running)
                $verify = Invoke-AegirVerify crash -WarningAction SilentlyContinue
                $verify.Status | Should -BeIn @('Succeeded', 'Warning')
                foreach ($task in $dead) {
                    $after = Get-AegirTask -Id $task.Id
                    $after.Status | Should -Be 'Failed'
                    $after.ErrorId | Should -Be 'TaskProcessGone'
                    $outcomes.repaired++
                }
                Assert-Consistent "run $run ($kind $uri)"
            }
            Write-Host ("Killed-task runs: {0} ({1}); killed inside the task {2}, after it had finished {3}, before it had started {4}; tasks repaired {5}; inconsistencies 0." -f $runs,
                (($kinds.GetEnumerator() | Sort-Object Name | ForEach-Object { "$($_.Value) $($_.Name)" }) -join ', '), $outcomes.mid, $outcomes.done, $outcomes.before, $outcomes.repaired)
            $outcomes.mid | Should -BeGreaterThan 9 -Because 'most kills must land inside a task for this to prove anything'
            $outcomes.repaired | Should -BeGreaterOrEqual $outcomes.mid
        }
    }
}
