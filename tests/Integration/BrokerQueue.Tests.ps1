# The task queue on a private RabbitMQ node: -Queue publishes, Invoke-AegirQueue workers in their own processes consume;
# each task runs once, one at a time per target and in its target's order, and its record names the worker that ran it.
# (What a message holds, dead letters and held leases: tests/Aegir.Core.Tests/Broker/BrokerTaskQueueTests.cs.)
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Tasks queued on a broker' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $broker = Start-TestRabbitMq
        $dbSecret = 'Broker-Queue-Db-Secret'
        Set-AegirQueue -Broker $broker.Url -Credential $broker.Credential
        $null = New-AegirServer -Name master -HttpServiceType nginx -DbServiceType mysql -DbAdminCredential ([pscredential]::new('root', (ConvertTo-SecureString $dbSecret -AsPlainText -Force)))
        $platforms = 1..10 | ForEach-Object { "w$_" }
        foreach ($p in $platforms) { $null = New-AegirPlatform -Name $p -Root "/var/aegir/platforms/$p" -NoVerify 3>$null }
    }
    AfterAll {
        foreach ($w in @($workers)) { if ($w -and -not $w.HasExited) { $w.Kill($true) } }
        Stop-TestRabbitMq $broker
        Remove-Item -Recurse -Force $work
    }

    It 'runs 60+ tasks over 10 sites on 3 worker processes: each once, one at a time per target, in order' {
        $n = 66
        $queued = foreach ($i in 0..($n - 1)) {
            $p = $platforms[$i % 10]
            # Lock, unlock, lock...: each target's last state says its tasks ran in order.
            if ([math]::Floor($i / 10) % 2) { Unlock-AegirPlatform $p -Queue } else { Lock-AegirPlatform $p -Queue }
        }
        $queued.Count | Should -Be $n
        $outs = 1..3 | ForEach-Object { Join-Path $work "worker$_.ids" }
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $script:workers = foreach ($out in $outs) {
            Start-AegirChild "Invoke-AegirQueue -Continuous -Queue Tasks -ThrottleLimit 4 | ForEach-Object { Add-Content '$out' `$_.Id }"
        }
        $deadline = (Get-Date).AddSeconds(120)
        while (@(Get-AegirTask -Status Queued, Running | Where-Object Id -In $queued.Id).Count -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 250 }
        $sw.Stop()
        Write-Host "$n tasks on 3 workers over the broker: $([int]$sw.Elapsed.TotalMilliseconds) ms"
        foreach ($w in $workers) { & kill -TERM $w.Id }
        foreach ($w in $workers) { $w.WaitForExit(30000) | Should -BeTrue }

        $tasks = $queued | ForEach-Object { Get-AegirTask -Id $_.Id }
        $tasks.Status | Sort-Object -Unique | Should -Be 'Succeeded'
        # Each ran once: every worker's output together names each task exactly once.
        $ran = @($outs | Where-Object { Test-Path $_ } | ForEach-Object { Get-Content $_ })
        $ran.Count | Should -Be $n
        @($ran | Sort-Object -Unique).Count | Should -Be $n
        # Never two at once on one target, and in the order queued.
        foreach ($p in $platforms) {
            $mine = @($tasks | Where-Object Target -EQ "platform_$p")
            for ($k = 1; $k -lt $mine.Count; $k++) { $mine[$k].Started | Should -BeGreaterOrEqual $mine[$k - 1].Finished }
            (Get-AegirPlatform $p).Locked | Should -Be ($mine[-1].Type -eq 'lock')
        }
        $byWorker = $tasks | Group-Object Worker
        Write-Host "tasks per worker: $(($byWorker | ForEach-Object { "$($_.Name)=$($_.Count)" }) -join ', ')"
        @($byWorker).Count | Should -BeGreaterThan 1
    }
}
