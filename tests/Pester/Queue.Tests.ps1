# The queue on tasks that need no server: locking and unlocking platforms (a record change, under the platform's lock).
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    function New-Platforms([string[]] $Names) {
        $null = New-TestMaster
        foreach ($n in $Names) { $null = New-TestPlatform $n }
    }
}

Describe 'Invoke-AegirQueue' {
    BeforeEach { $null = Reset-AegirHome }

    It 'leaves a task queued (-Queue) untouched until it runs, then runs each target''s tasks in order and returns' {
        New-Platforms p1, p2, p3
        $queued = @(
            Lock-AegirPlatform p1 -Queue
            Unlock-AegirPlatform p1 -Queue
            Lock-AegirPlatform p2 -Queue
            Lock-AegirPlatform p1 -Queue
            Lock-AegirPlatform p3 -Queue
        )
        $queued.Status | Sort-Object -Unique | Should -Be 'Queued'
        (Get-AegirPlatform p1).Locked | Should -BeFalse
        @(Get-AegirTask -Status Queued).Count | Should -Be 5
        $whatIf = Invoke-AegirChild 'Invoke-AegirQueue -WhatIf'
        @($whatIf -match 'What if: .*Run queued task').Count | Should -Be 5
        @(Get-AegirTask -Status Queued).Count | Should -Be 5

        $done = Invoke-AegirQueue -ThrottleLimit 2
        $done.Count | Should -Be 5
        $done.Status | Sort-Object -Unique | Should -Be 'Succeeded'
        @(Get-AegirTask -Status Queued).Count | Should -Be 0
        (Get-AegirPlatform p1, p2, p3).Locked | Should -Be @($true, $true, $true)
        # p1's three tasks ran one after the other, in the order they were queued.
        $p1 = $queued | Where-Object Target -EQ platform_p1 | ForEach-Object { Get-AegirTask -Id $_.Id }
        $p1[1].Started | Should -BeGreaterOrEqual $p1[0].Finished
        $p1[2].Started | Should -BeGreaterOrEqual $p1[1].Finished
    }

    It 'fails a queued task whose target is gone, saying why, and goes on with the rest' {
        New-Platforms p1, p2
        $gone = Lock-AegirPlatform p1 -Queue
        $null = Lock-AegirPlatform p2 -Queue
        Remove-Item (Join-Path $env:AEGIR_HOME 'contexts/platform_p1.yml')
        $done = Invoke-AegirQueue -ErrorVariable errs -ErrorAction SilentlyContinue
        $done.Count | Should -Be 2
        ($done | Where-Object Id -EQ $gone.Id).Status | Should -Be 'Failed'
        ($done | Where-Object Id -EQ $gone.Id).Error | Should -Match 'platform_p1'
        ($done | Where-Object Id -NE $gone.Id).Status | Should -Be 'Succeeded'
        $errs.Count | Should -Be 1
        @(Get-AegirTask -Status Queued).Count | Should -Be 0
    }

    It 'returns at once when nothing is queued' {
        New-Platforms p1
        Invoke-AegirQueue | Should -BeNullOrEmpty
    }

    It '-Continuous starts a newly queued task within moments, and SIGTERM ends it cleanly' {
        New-Platforms p1
        $exe = [Environment]::ProcessPath
        $info = [Diagnostics.ProcessStartInfo]::new($exe)
        if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $info.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', "Import-Module '$env:AEGIR_TEST_MODULE'; Invoke-AegirQueue -Continuous -Verbose 4>&1 | ForEach-Object { `"`$_`" }") { $info.ArgumentList.Add($a) }
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $worker = [Diagnostics.Process]::Start($info)
        try {
            $out = $worker.StandardOutput.ReadLineAsync()
            $null = $out.Wait(30000)   # its first line: it is running
            $task = Lock-AegirPlatform p1 -Queue
            $done = $task | Wait-AegirTask -Timeout 30
            $done.Status | Should -Be 'Succeeded'
            ($done.Started - $task.Created).TotalSeconds | Should -BeLessThan 5
            (Get-AegirPlatform p1).Locked | Should -BeTrue
            kill -TERM $worker.Id
            $worker.WaitForExit(30000) | Should -BeTrue
            $worker.ExitCode | Should -Be 0
        }
        finally { if (-not $worker.HasExited) { $worker.Kill() } }
    }
}

Describe 'Stop-AegirTask' {
    BeforeEach { $null = Reset-AegirHome }

    It 'ends a queued task without running it, and refuses one that has ended' {
        New-Platforms p1
        $task = Lock-AegirPlatform p1 -Queue
        $stopped = Stop-AegirTask $task.Id
        $stopped.Status, $stopped.ErrorId | Should -Be @('Failed', 'TaskStopped')
        Invoke-AegirQueue | Should -BeNullOrEmpty
        (Get-AegirPlatform p1).Locked | Should -BeFalse
        { Stop-AegirTask $task.Id -ErrorAction Stop } | Should -Throw -ErrorId 'TaskFinished*' -ExpectedMessage '*failed already*'
        { Stop-AegirTask 20990101-000000000-zzzz -ErrorAction Stop } | Should -Throw -ErrorId 'TaskNotFound*'
    }
}

Describe 'Stop-AegirTask behind a busy target' {
    BeforeEach { $null = Reset-AegirHome }

    It 'asks a queued task whose target another holds to stop, and it stops as it starts' {
        New-Platforms p1
        $task = Lock-AegirPlatform p1 -Queue
        # Another process holds the platform's lock (as a long task would) for a few seconds.
        $holder = Start-Process flock -ArgumentList (Join-Path $env:AEGIR_HOME 'locks/platform_p1.lock'), sleep, 4 -PassThru
        Start-Sleep -Milliseconds 300
        $clock = [Diagnostics.Stopwatch]::StartNew()
        (Stop-AegirTask $task.Id).Status | Should -Be 'Queued'
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
        $holder.WaitForExit()
        $done = Invoke-AegirQueue -ErrorAction SilentlyContinue
        $done.Status, $done.ErrorId | Should -Be @('Failed', 'TaskStopped')
        (Get-AegirPlatform p1).Locked | Should -BeFalse
    }
}

Describe 'Restart-AegirTask' {
    BeforeEach { $null = Reset-AegirHome }

    It 'queues a failed task again with its parameters, and refuses one that did not fail' {
        New-Platforms p1
        $task = Lock-AegirPlatform p1 -Queue
        $null = Stop-AegirTask $task.Id
        $again = Restart-AegirTask $task.Id
        $again.Status, $again.Type, $again.Target | Should -Be @('Queued', 'lock', 'platform_p1')
        $again.Id | Should -Not -Be $task.Id
        (Invoke-AegirQueue).Status | Should -Be 'Succeeded'
        (Get-AegirPlatform p1).Locked | Should -BeTrue
        { Restart-AegirTask $again.Id -ErrorAction Stop } | Should -Throw -ExpectedMessage '*is Succeeded, and only a failed task is queued again*'
    }
}

Describe 'Wait-AegirTask' {
    BeforeEach { $null = Reset-AegirHome }

    It 'reports a task not ended in time, and returns it once it has' {
        New-Platforms p1
        $task = Lock-AegirPlatform p1 -Queue
        { $task | Wait-AegirTask -Timeout 1 -ErrorAction Stop } | Should -Throw -ErrorId 'WaitTimeout*' -ExpectedMessage '*still Queued after 1 s*'
        $job = Unlock-AegirPlatform p1 -AsJob
        $null = Invoke-AegirQueue
        $ended = Wait-AegirTask -Id $task.Id, $job.TaskId -Timeout 30
        $ended.Count | Should -Be 2
        $ended.Status | Sort-Object -Unique | Should -Be 'Succeeded'
        $null = $job | Wait-Job -Timeout 30
        $job.State | Should -Be 'Completed'
    }
}

Describe '-AsJob' {
    BeforeEach { $null = Reset-AegirHome }

    It 'returns a PowerShell job that Wait-Job and Receive-Job work with' {
        New-Platforms p1
        $job = Lock-AegirPlatform p1 -AsJob
        $job | Should -BeOfType System.Management.Automation.Job
        Get-Job -Id $job.Id | Should -Not -BeNullOrEmpty
        $null = $job | Wait-Job -Timeout 60
        $job.State | Should -Be 'Completed'
        $task = Receive-Job $job
        $task.Status | Should -Be 'Succeeded'
        $task.Id | Should -Be $job.TaskId
        (Get-AegirPlatform p1).Locked | Should -BeTrue
        Remove-Job $job
    }

    It 'refuses -Queue and -AsJob together' {
        New-Platforms p1
        { Lock-AegirPlatform p1 -Queue -AsJob -ErrorAction Stop } | Should -Throw -ExpectedMessage '*Give one of -Queue and -AsJob*'
        @(Get-AegirTask).Count | Should -Be 0
    }
}

Describe 'Set-AegirSite schedules' {
    BeforeEach { $null = Reset-AegirHome }

    It 'records the intervals and retention, refuses what does not read with the form, and changes nothing then' {
        $null = New-TestMaster
        $null = New-TestPlatform wp
        $null = New-AegirSite a.example -Platform wp -NoInstall
        $site = Set-AegirSite a.example -CronInterval 30m -BackupInterval 1d -BackupRetention 7d:1d, 30d:7d -StatisticsInterval off -PassThru
        $site.CronInterval, $site.BackupInterval, $site.BackupRetention, $site.StatisticsInterval | Should -Be @('30m', '1d', '7d:1d,30d:7d', 'off')
        $before = Get-ContextSnapshot
        { Set-AegirSite a.example -CronInterval often -ErrorAction Stop } | Should -Throw -ExpectedMessage "*CronInterval 'often'*such as 1h or 30m*"
        { Set-AegirSite a.example -BackupRetention 7d -ErrorAction Stop } | Should -Throw -ExpectedMessage '*30d:7d*'
        Get-ContextSnapshot | Should -Be $before
        (Set-AegirSite a.example -CronInterval '' -PassThru).CronInterval | Should -BeNullOrEmpty
        @(Get-AegirTask).Count | Should -Be 0 -Because 'schedules change the record alone'
        Get-AegirSite -Unhealthy | Should -BeNullOrEmpty -Because 'a site not installed expects no cron'
    }
}
