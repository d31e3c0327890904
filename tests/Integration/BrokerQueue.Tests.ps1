# The task queue on a private RabbitMQ node: -Queue publishes, Invoke-AegirQueue workers in their own processes consume;
# each task runs once, one at a time per target and in its target's order, and its record names the worker that ran it.
# (What a message holds, dead letters and held leases: tests/Aegir.Core.Tests/Broker/BrokerTaskQueueTests.cs.)
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Tasks queued on a broker' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $platforms = 1..30 | ForEach-Object { "w$_" }
        $work, $broker = (Initialize-TestBrokerHome $platforms).PSObject.Properties.Value

        # Queues $Count tasks round-robin over $On: lock, unlock, lock... per target, so each target's last state says
        # its tasks ran in order.
        function Add-LockTasks([int] $Count, [string[]] $On) {
            foreach ($i in 0..($Count - 1)) {
                $p = $On[$i % $On.Count]
                if ([math]::Floor($i / $On.Count) % 2) { Unlock-AegirPlatform $p -Queue } else { Lock-AegirPlatform $p -Queue }
            }
        }

        # Runs 3 worker processes until none of $Queued is left queued or running; returns the files of the ids each ran.
        function Invoke-Workers($Queued, [string] $Name, [int] $Seconds) {
            $outs = 1..3 | ForEach-Object { Join-Path $work "$Name-worker$_.ids" }
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $script:workers = foreach ($out in $outs) {
                Start-AegirChild "Invoke-AegirQueue -Continuous -Queue Tasks -ThrottleLimit 4 | ForEach-Object { Add-Content '$out' `$_.Id }"
            }
            $deadline = (Get-Date).AddSeconds($Seconds)
            while (@(Get-AegirTask -Status Queued, Running | Where-Object Id -In $Queued.Id).Count -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 250 }
            $sw.Stop()
            Write-Host "$($Queued.Count) tasks over $(@($Queued.Target | Sort-Object -Unique).Count) targets on 3 workers over the broker: $([int]$sw.Elapsed.TotalMilliseconds) ms (worker start included)"
            foreach ($w in $workers) { & kill -TERM $w.Id }
            foreach ($w in $workers) { $w.WaitForExit(30000) | Should -BeTrue }
            $outs
        }

        # Each ran once (every worker's output together names each task exactly once), never two at once on one
        # target, and in the order queued; more than one worker took part.
        function Assert-RanOnceInOrder($Queued, [string[]] $Outs, [string[]] $On) {
            $tasks = $Queued | ForEach-Object { Get-AegirTask -Id $_.Id }
            $tasks.Status | Sort-Object -Unique | Should -Be 'Succeeded'
            $ran = @($Outs | Where-Object { Test-Path $_ } | ForEach-Object { Get-Content $_ })
            $ran.Count | Should -Be $Queued.Count
            @($ran | Sort-Object -Unique).Count | Should -Be $Queued.Count
            @($ran | Where-Object { $_ -notin $Queued.Id }).Count | Should -Be 0
            foreach ($p in $On) {
                $mine = @($tasks | Where-Object Target -EQ "platform_$p")
                for ($k = 1; $k -lt $mine.Count; $k++) { $mine[$k].Started | Should -BeGreaterOrEqual $mine[$k - 1].Finished }
                (Get-AegirPlatform $p).Locked | Should -Be ($mine[-1].Type -eq 'lock')
            }
            $byWorker = $tasks | Group-Object Worker
            Write-Host "tasks per worker: $(($byWorker | ForEach-Object { "$($_.Name)=$($_.Count)" }) -join ', ')"
            @($byWorker).Count | Should -BeGreaterThan 1
        }
    }
    AfterAll {
        foreach ($w in @($workers)) { if ($w -and -not $w.HasExited) { $w.Kill($true) } }
        Stop-TestRabbitMq $broker
        Remove-Item -Recurse -Force $work
    }

    It 'runs 60+ tasks over 10 sites on 3 worker processes: each once, one at a time per target, in order' {
        $on = $platforms[0..9]
        $queued = Add-LockTasks 66 $on
        $queued.Count | Should -Be 66
        $outs = Invoke-Workers $queued 'small' 120
        Assert-RanOnceInOrder $queued $outs $on
    }

    It 'runs 300 tasks over 30 targets on 3 worker processes: each once, one at a time per target, in order' {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $queued = Add-LockTasks 300 $platforms
        Write-Host "300 tasks queued one -Queue call each in $([int]$sw.Elapsed.TotalMilliseconds) ms"
        $queued.Count | Should -Be 300
        $outs = Invoke-Workers $queued 'scale' 300
        Assert-RanOnceInOrder $queued $outs $platforms
    }
}
