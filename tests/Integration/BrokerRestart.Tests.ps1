# A broker restarted in the middle of a run, while workers run hundreds of queued tasks and a client goes on
# queueing: no task is lost (each ends Succeeded, or its enqueue failed with BrokerUnreachable and its record says
# so; none is left queued), none runs twice, and the workers connect again by themselves and finish.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'A broker restarted mid-run' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $platforms = 1..30 | ForEach-Object { "fr$_" }
        $work, $broker = (Initialize-TestBrokerHome $platforms).PSObject.Properties.Value
        $children = [Collections.Generic.List[object]]::new()
    }
    AfterAll {
        foreach ($c in $children) { if (-not $c.HasExited) { $c.Kill($true) } }
        Stop-TestRabbitMq $broker
        Remove-Item -Recurse -Force $work
    }

    It 'loses no task and runs none twice; the workers reconnect and finish' {
        $queued = foreach ($i in 0..599) { $p = $platforms[$i % 30]; if ([math]::Floor($i / 30) % 2) { Unlock-AegirPlatform $p -Queue } else { Lock-AegirPlatform $p -Queue } }
        $queued.Count | Should -Be 600
        $outs = 1..3 | ForEach-Object { Join-Path $work "worker$_.ids" }
        foreach ($out in $outs) {
            $children.Add((Start-AegirChild "Invoke-AegirQueue -Continuous -Queue Tasks -ThrottleLimit 4 | ForEach-Object { Add-Content '$out' `$_.Id }"))
        }
        # Some tasks have run before the broker goes.
        $deadline = (Get-Date).AddSeconds(60)
        while (@(Get-AegirTask -Status Succeeded).Count -lt 40 -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200 }
        @(Get-AegirTask -Status Succeeded).Count | Should -BeGreaterOrEqual 40
        # Then a client queues a task every 150 ms, from before the broker stops to well after it is back, and writes
        # what each call gave: the task's id, or the error's id and message.
        $client = Join-Path $work 'client.log'
        $names = ($platforms | ForEach-Object { "'$_'" }) -join ','
        $children.Add((Start-AegirChild @"
`$names = @($names)
foreach (`$i in 0..199) {
    `$got = @(Lock-AegirPlatform `$names[`$i % `$names.Count] -Queue 2>&1)
    `$t = `$got | Where-Object { `$_ -is [Aegir.Core.Tasks.AegirTask] }
    `$e = `$got | Where-Object { `$_ -is [Management.Automation.ErrorRecord] }
    if (`$t -and -not `$e) { Add-Content '$client' "ok `$(`$t.Id)" } else { Add-Content '$client' "error `$(`$e.FullyQualifiedErrorId) `$(`$e.Exception.Message) [`$(`$got.Count): `$((`$got | Out-String) -replace '\s+', ' ')]" }
    Start-Sleep -Milliseconds 150
}
Add-Content '$client' 'done'
"@))
        $deadline = (Get-Date).AddSeconds(60)
        while (@(Get-Content $client -ErrorAction SilentlyContinue).Count -lt 20 -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200 }
        $waiting = @(Get-AegirTask -Status Queued, Running).Count
        $waiting | Should -BeGreaterOrEqual 100 -Because 'the broker goes in the middle of the run'
        Stop-TestRabbitMq $broker -KeepData
        $stopped = Get-Date
        Start-Sleep -Seconds 4
        Restart-TestRabbitMq $broker
        $restarted = Get-Date
        Write-Host "broker down for $([int]((Get-Date) - $stopped).TotalSeconds) s with $waiting tasks queued or running; $(@(Get-AegirTask -Status Succeeded).Count) had succeeded when it was back"

        # The workers consume again by themselves: each one's presence is back on the broker.
        $deadline = (Get-Date).AddSeconds(60)
        $present = { (Invoke-TestRabbitMqCtl $broker @('list_queues', '-p', 'aegir', 'name', 'consumers') | Where-Object { $_ -match '^aegir\.tasks\.workers\s' }) -replace '^\S+\s+' }
        while ((& $present) -ne '3' -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 500 }
        & $present | Should -Be '3'

        $deadline = (Get-Date).AddSeconds(240)
        while (-not (Test-Path $client) -or (Get-Content $client)[-1] -ne 'done' -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 500 }
        (Get-Content $client)[-1] | Should -Be 'done'
        while (@(Get-AegirTask -Status Queued, Running).Count -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 500 }
        foreach ($w in $children) { if (-not $w.HasExited) { & kill -TERM $w.Id } }
        foreach ($w in $children) { $w.WaitForExit(30000) | Should -BeTrue }

        $said = @(Get-Content $client | Where-Object { $_ -ne 'done' })
        $said.Count | Should -Be 200
        $failed = @($said | Where-Object { $_ -like 'error *' })
        $failed | Select-Object -First 1 | ForEach-Object { Write-Host "a refusal: $($_.Substring(0, [math]::Min(220, $_.Length)))" }
        Write-Host "client: $($said.Count - $failed.Count) queued, $($failed.Count) refused while the broker was away"
        # A refused enqueue says the broker could not be reached, and what to do.
        foreach ($f in $failed) { $f | Should -BeLike 'error BrokerUnreachable*No message broker answers at*' }
        $all = @(Get-AegirTask)
        $all.Count | Should -Be (600 + 200)
        # The client's publisher connected again by itself: tasks it queued after the restart ran.
        @($all | Where-Object { $_.Status -eq 'Succeeded' -and $_.Created -gt $restarted }).Count | Should -BeGreaterThan 0
        # None left queued or running: each succeeded, or failed as its enqueue did, saying so.
        @($all | Where-Object Status -NotIn 'Succeeded', 'Failed').Count | Should -Be 0
        $notRun = @($all | Where-Object Status -EQ 'Failed')
        $notRun.Count | Should -Be $failed.Count
        foreach ($t in $notRun) {
            $t.ErrorId | Should -Be 'BrokerUnreachable'
            $t.Error | Should -BeLike 'The broker did not take this task:*'
            $t.Started | Should -BeNullOrEmpty
            "ok $($t.Id)" | Should -Not -BeIn $said
        }
        foreach ($id in $queued.Id) { (Get-AegirTask -Id $id).Status | Should -Be 'Succeeded' }
        # None ran twice: the workers' outputs together name each succeeded task exactly once.
        $ran = @($outs | Where-Object { Test-Path $_ } | ForEach-Object { Get-Content $_ })
        @($ran | Sort-Object -Unique).Count | Should -Be $ran.Count
        $ran.Count | Should -Be @($all | Where-Object Status -EQ 'Succeeded').Count
        # Each target's tasks ran one at a time.
        foreach ($group in $all | Where-Object Status -EQ 'Succeeded' | Group-Object Target) {
            $mine = @($group.Group | Sort-Object Started)
            for ($k = 1; $k -lt $mine.Count; $k++) { $mine[$k].Started | Should -BeGreaterOrEqual $mine[$k - 1].Finished }
        }
    }
}
