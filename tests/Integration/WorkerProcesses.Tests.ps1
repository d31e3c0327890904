# Start-AegirWorker on a private RabbitMQ node: two worker processes share the queued tasks, each runs once, and both
# are in the worker registry (Get-AegirWorker) with the broker as their queue, until SIGTERM takes each out.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Workers on a broker' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $broker = Start-TestRabbitMq
        Set-AegirQueue -Broker $broker.Url -Credential $broker.Credential
        $null = New-AegirServer -Name master -HttpServiceType nginx -DbServiceType mysql -DbAdminCredential ([pscredential]::new('root', (ConvertTo-SecureString 'Broker-Workers-Db-Secret' -AsPlainText -Force)))
        $platforms = 1..8 | ForEach-Object { "bw$_" }
        foreach ($p in $platforms) { $null = New-AegirPlatform -Name $p -Root "/var/aegir/platforms/$p" -NoVerify 3>$null }
    }
    AfterAll {
        foreach ($w in @($workers)) { if ($w -and -not $w.HasExited) { $w.Kill($true) } }
        Stop-TestRabbitMq $broker
        Remove-Item -Recurse -Force $work
    }

    It 'runs 40 tasks on 2 Start-AegirWorker processes, each task once; Get-AegirWorker lists both, live, on the broker' {
        $outs = 'bw-a', 'bw-b' | ForEach-Object { Join-Path $work "$_.ids" }
        $script:workers = foreach ($name in 'bw-a', 'bw-b') {
            Start-AegirChild "Start-AegirWorker -Name $name -ThrottleLimit 3 | ForEach-Object { Add-Content '$(Join-Path $work "$name.ids")' `$_.Id }"
        }
        $deadline = (Get-Date).AddSeconds(60)
        while (@(Get-AegirWorker).Count -lt 2 -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 250 }
        $listed = Get-AegirWorker
        $listed.Name | Should -Be @('bw-a', 'bw-b')
        $listed.Alive | Should -Be @($true, $true)
        $listed.Queue | Sort-Object -Unique | Should -Be 'Broker'
        $listed.Pid | Should -Be $workers.Id

        $n = 40
        $queued = foreach ($i in 0..($n - 1)) {
            $p = $platforms[$i % 8]
            if ([math]::Floor($i / 8) % 2) { Unlock-AegirPlatform $p -Queue } else { Lock-AegirPlatform $p -Queue }
        }
        $deadline = (Get-Date).AddSeconds(120)
        while (@(Get-AegirTask -Status Queued, Running | Where-Object Id -In $queued.Id).Count -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 250 }

        $tasks = $queued | ForEach-Object { Get-AegirTask -Id $_.Id }
        $tasks.Status | Sort-Object -Unique | Should -Be 'Succeeded'
        # Each ran once: the two workers' outputs together name each task exactly once.
        $ran = @($outs | Where-Object { Test-Path $_ } | ForEach-Object { Get-Content $_ })
        $ran.Count | Should -Be $n
        @($ran | Sort-Object -Unique).Count | Should -Be $n
        foreach ($p in $platforms) {
            $mine = @($tasks | Where-Object Target -EQ "platform_$p")
            for ($k = 1; $k -lt $mine.Count; $k++) { $mine[$k].Started | Should -BeGreaterOrEqual $mine[$k - 1].Finished }
            (Get-AegirPlatform $p).Locked | Should -Be ($mine[-1].Type -eq 'lock')
        }
        # The records name the registered workers, and their counts (from the next heartbeat) add up to the tasks.
        @($tasks.Worker | Sort-Object -Unique | Where-Object { $_ -notin $listed.Id }).Count | Should -Be 0
        $deadline = (Get-Date).AddSeconds(30)
        do { Start-Sleep -Milliseconds 500; $now = Get-AegirWorker } until (($now | Measure-Object Run -Sum).Sum -eq $n -or (Get-Date) -gt $deadline)
        ($now | Measure-Object Run -Sum).Sum | Should -Be $n
        ($now | Measure-Object Failed -Sum).Sum | Should -Be 0
        foreach ($w in $now) { $w.Run | Should -Be @($tasks | Where-Object Worker -EQ $w.Id).Count }
        Write-Host "tasks per worker: $(($now | ForEach-Object { "$($_.Name)=$($_.Run)" }) -join ', ')"
        @($now | Where-Object Run -GT 0).Count | Should -Be 2

        foreach ($w in $workers) { & kill -TERM $w.Id }
        foreach ($w in $workers) { $w.WaitForExit(30000) | Should -BeTrue; $w.ExitCode | Should -Be 0 }
        Get-AegirWorker -All | Should -BeNullOrEmpty
    }
}
