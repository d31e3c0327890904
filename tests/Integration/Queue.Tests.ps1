# The queue on real nginx, PHP-FPM and MariaDB: 200 verify tasks over 20 sites run 4 at a time and never two on
# one site; a continuous worker killed in the middle of a task leaves it to the next worker to repair.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'The task queue' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        $port = $server.Http.GetInt('port')
        # Five plain PHP platforms with four sites each: a site's verify holds the site and its platform.
        $sites = foreach ($p in 1..5) {
            Write-DbPage (Join-Path $work "platforms/q$p")
            $null = New-AegirPlatform "q$p" (Join-Path $work "platforms/q$p")
            foreach ($s in 1..4) { "s$p-$s.queue.test" }
        }
        $sites | ForEach-Object { New-AegirSite $_ -Platform "q$($_.Substring(1, 1))" } | Out-Null
    }
    AfterAll {
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    Describe 'Invoke-AegirQueue' {
        It 'runs 200 queued tasks over 20 sites, at most 4 at once and never two on one site' {
            $queued = foreach ($round in 1..10) { $sites | Invoke-AegirVerify -Queue }
            $queued.Count | Should -Be 200
            $done = Invoke-AegirQueue -ThrottleLimit 4 -Queue Tasks
            $done.Count | Should -Be 200
            $tasks = $queued | ForEach-Object { Get-AegirTask -Id $_.Id }
            ($tasks.Status | Sort-Object -Unique) | Should -Be 'Succeeded' -Because (($tasks | Where-Object Status -NE Succeeded | Select-Object -First 1).Error)
            # The records' own times: per site, each task after the one before it; overall, never more than 4 at once.
            foreach ($group in $tasks | Group-Object Target) {
                $inOrder = $group.Group | Sort-Object Id
                for ($i = 1; $i -lt $inOrder.Count; $i++) { $inOrder[$i].Started | Should -BeGreaterOrEqual $inOrder[$i - 1].Finished }
            }
            $events = $tasks | ForEach-Object { [pscustomobject]@{ Time = $_.Started; Step = 1 }; [pscustomobject]@{ Time = $_.Finished; Step = -1 } } | Sort-Object Time, Step
            $now = 0; $most = 0
            foreach ($e in $events) { $now += $e.Step; $most = [Math]::Max($most, $now) }
            $most | Should -BeLessOrEqual 4
            $most | Should -BeGreaterThan 1 -Because 'tasks on different platforms run side by side'
            Write-Host "200 queued verifies over 20 sites: at most $most at once; $([int]($tasks.Finished | Measure-Object -Maximum).Maximum.Subtract(($tasks.Started | Measure-Object -Minimum).Minimum).TotalSeconds) s in all."
            foreach ($uri in $sites) { (Invoke-Site -Port $port -HostName $uri).Body | Should -Be "ok $((Get-AegirSite $uri).DbName)" }
        }

        It 'repairs the task a killed continuous worker was running, marks it failed, and runs the rest' {
            # A Drupal-shaped platform whose installer takes a second for slow* sites: a task to kill in its middle.
            New-DrupalShapedCodebase (Join-Path $work 'platforms/dq')
            $null = New-AegirPlatform dq (Join-Path $work 'platforms/dq')
            $databases = Get-SiteDatabases
            $slow = New-AegirSite slow.queue.test -Platform dq -Queue
            $rest = 'after1.queue.test', 'after2.queue.test' | ForEach-Object { New-AegirSite $_ -Platform dq -Queue }

            $worker = Start-AegirChild 'Invoke-AegirQueue -Continuous -Queue Tasks | Out-Null' -Warmup 'Get-AegirTask -First 1 | Out-Null'
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ((Get-AegirTask -Id $slow.Id).Status -ne 'Running' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            (Get-AegirTask -Id $slow.Id).Status | Should -Be 'Running'
            Start-Sleep -Milliseconds 300
            $worker.Kill()
            $worker.WaitForExit()
            (Get-AegirTask -Id $slow.Id).Status | Should -Be 'Running' -Because 'its worker died before it ended'

            $done = Invoke-AegirQueue -Queue Tasks -WarningVariable repairs -WarningAction SilentlyContinue
            $dead = Get-AegirTask -Id $slow.Id
            $dead.Status, $dead.ErrorId | Should -Be @('Failed', 'TaskProcessGone')
            ($repairs -join "`n") | Should -Match $slow.Id
            $done.Id | Should -Be $rest.Id
            $done.Status | Should -Be @('Succeeded', 'Succeeded')
            # Nothing of the dead install is left: no record, database or folder; the others answer.
            Get-AegirSite slow.queue.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Join-Path $work 'platforms/dq/sites/slow.queue.test' | Should -Not -Exist
            @(Get-SiteDatabases | Where-Object { $_ -notin $databases }).Count | Should -Be 2
            foreach ($uri in 'after1.queue.test', 'after2.queue.test') { (Invoke-Site -Port $port -HostName $uri).Status | Should -Be 200 }
        }

        It '-AsJob gives through Receive-Job what the cmdlet gives: the new site with its admin password, the backup' {
            Install-TestPackage wordpress
            $null = New-WordPressPlatform $work qwp
            $job = New-AegirSite jobbed.queue.test -Platform qwp -Title 'In a job' -AsJob
            $null = $job | Wait-Job -Timeout 120
            $job.State | Should -Be 'Completed'
            $made = Receive-Job $job
            $made.Site.Name, $made.Site.Status | Should -Be @('jobbed.queue.test', 'Installed')
            $made.AdminPassword | Should -BeOfType [securestring]
            [Net.NetworkCredential]::new('', $made.AdminPassword).Password.Length | Should -BeGreaterThan 11
            (Invoke-Site -Port $port -HostName jobbed.queue.test).Body | Should -Match 'In a job'
            $job = Backup-AegirSite jobbed.queue.test -AsJob
            $null = $job | Wait-Job -Timeout 120
            $backup = Receive-Job $job
            $backup.Site | Should -Be 'jobbed.queue.test'
            $backup.Path | Should -Exist
        }

        It 'stops a running task at its next step when Stop-AegirTask asks from another session, and rolls it back' {
            $databases = Get-SiteDatabases
            $slow = New-AegirSite slow2.queue.test -Platform dq -Queue
            $worker = Start-AegirChild 'Invoke-AegirQueue -Continuous -Queue Tasks | Out-Null' -Warmup 'Get-AegirTask -First 1 | Out-Null'
            try {
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                while ((Get-AegirTask -Id $slow.Id).Status -ne 'Running' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
                (Stop-AegirTask $slow.Id).Status | Should -Be 'Running' -Because 'it stops at its next step, not at once'
                $done = $slow | Wait-AegirTask -Timeout 60
                $done.Status, $done.ErrorId | Should -Be @('Failed', 'TaskStopped')
                ($done.Log.Message -join "`n") | Should -Match 'Stop-AegirTask asked this task to stop'
                Get-AegirSite slow2.queue.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                Join-Path $work 'platforms/dq/sites/slow2.queue.test' | Should -Not -Exist
                Get-SiteDatabases | Should -Be $databases
            }
            finally { kill -TERM $worker.Id; $null = $worker.WaitForExit(30000) }
        }
    }
}
