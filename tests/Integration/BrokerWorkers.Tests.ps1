# Who consumes the broker's queue: only a worker that runs queued tasks (a worker of the schedules alone, or -WhatIf,
# never takes a delivery), and a script that queues many tasks publishes on one connection.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Consumers and publishers of the broker''s queue' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $platforms = 1..8 | ForEach-Object { "fw$_" }
        $work, $broker = (Initialize-TestBrokerHome $platforms).PSObject.Properties.Value

        # Per queue on the broker: its consumers and the messages it holds (ready or handed out), from rabbitmqctl.
        function Get-BrokerQueues {
            foreach ($line in Invoke-TestRabbitMqCtl $broker @('list_queues', '-p', 'aegir', 'name', 'consumers', 'messages')) {
                $name, $consumers, $messages = $line -split '\s+'
                if ($name -like 'aegir.tasks*') { [pscustomobject]@{ Name = $name; Consumers = [int]$consumers; Messages = [int]$messages } }
            }
        }
        # The connections the broker has open, by the name each client gave ("aegir publisher", "aegir worker <id>").
        function Get-BrokerClients {
            @(Invoke-TestRabbitMqCtl $broker @('list_connections', '-p', 'aegir', 'client_properties') | ForEach-Object {
                    if ($_ -match 'connection_name","?(aegir [^"}]*)') { $Matches[1] } })
        }
        function Wait-Until([scriptblock] $Condition, [int] $Seconds) {
            $deadline = (Get-Date).AddSeconds($Seconds)
            while (-not (& $Condition) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 250 }
            & $Condition
        }
        # A child pwsh's whole output (what -WhatIf prints goes to the host, not the pipeline).
        function Invoke-AegirChildOutput([string] $Script) {
            $child = Start-AegirChild $Script -NoWait
            $out = $child.StandardOutput.ReadToEnd()
            $child.WaitForExit()
            $out
        }
        $children = [Collections.Generic.List[object]]::new()
    }
    AfterAll {
        foreach ($c in $children) { if (-not $c.HasExited) { $c.Kill($true) } }
        Remove-Item Env:AEGIR_BROKER, Env:AEGIR_BROKER_PASSWORD -ErrorAction SilentlyContinue
        Stop-TestRabbitMq $broker
        Remove-Item -Recurse -Force $work
    }
    AfterEach {
        foreach ($c in $children) { if (-not $c.HasExited) { & kill -TERM $c.Id; if (-not $c.WaitForExit(30000)) { $c.Kill($true) } } }
        Get-AegirTask -Status Queued | ForEach-Object { $null = Stop-AegirTask -Id $_.Id -Confirm:$false -ErrorAction SilentlyContinue }
    }

    It 'lets a worker of the schedules alone consume nothing, so it never holds up the tasks another worker runs' {
        # Started first: before the fix it became the single active consumer of every partition and held its deliveries.
        $cron = Start-AegirChild 'Invoke-AegirQueue -Continuous -Queue Cron, Statistics'
        $children.Add($cron)
        $queued = foreach ($i in 0..15) { Lock-AegirPlatform $platforms[$i % 8] -Queue }
        Start-Sleep -Seconds 4
        $cron.HasExited | Should -BeFalse
        (Get-BrokerClients) | Where-Object { $_ -like 'aegir worker*' } | Should -BeNullOrEmpty
        (Get-BrokerQueues | Measure-Object Consumers -Sum).Sum | Should -Be 0
        (Get-BrokerQueues | Where-Object Name -Like 'aegir.tasks.p*' | Measure-Object Messages -Sum).Sum | Should -Be 16

        $out = Join-Path $work 'tasks-worker.ids'
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $worker = Start-AegirChild "Invoke-AegirQueue -Continuous -Queue Tasks | ForEach-Object { Add-Content '$out' `$_.Id }"
        $children.Add($worker)
        Wait-Until { -not @(Get-AegirTask -Status Queued, Running | Where-Object Id -In $queued.Id).Count } 60 | Should -BeTrue
        Write-Host "16 tasks run by a task worker beside a cron worker in $([int]$sw.Elapsed.TotalMilliseconds) ms (worker start included)"
        ($queued | ForEach-Object { (Get-AegirTask -Id $_.Id).Status } | Sort-Object -Unique) | Should -Be 'Succeeded'
        # The worker writes each task just after its record ends.
        Wait-Until { @(Get-Content $out -ErrorAction SilentlyContinue | Sort-Object -Unique).Count -eq 16 } 10 | Should -BeTrue
        # Still nothing consumed by the cron worker: the one worker on the broker is the task worker.
        @((Get-BrokerClients) | Where-Object { $_ -like 'aegir worker*' }).Count | Should -Be 1
    }

    It 'lists the queued tasks under -WhatIf from their records, consuming nothing and connecting to no broker' {
        $queued = foreach ($p in $platforms) { Lock-AegirPlatform $p -Queue }
        # The broker's counts lag behind by a few seconds.
        $waiting = { (Get-BrokerQueues | Where-Object Name -Like 'aegir.tasks.p*' | Measure-Object Messages -Sum).Sum }
        Wait-Until { (& $waiting) -eq 8 } 30 | Should -BeTrue
        $said = Invoke-AegirChildOutput 'Invoke-AegirQueue -WhatIf'
        foreach ($t in $queued) { $said | Should -Match ([regex]::Escape("task $($t.Id) (lock on '@$($t.Target)')")) }
        & $waiting | Should -Be 8
        @($queued | Where-Object { (Get-AegirTask -Id $_.Id).Status -ne 'Queued' }).Count | Should -Be 0
        (Get-BrokerQueues | Measure-Object Consumers -Sum).Sum | Should -Be 0
        # A broker that does not answer: -WhatIf still lists the same tasks, without an error, as it never connects.
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $listener.Start()
        $closed = $listener.LocalEndpoint.Port; $listener.Stop()
        $said = Invoke-AegirChildOutput "`$env:AEGIR_BROKER = 'amqp://aegir@127.0.0.1:$closed/aegir'; `$env:AEGIR_BROKER_PASSWORD = 'x'; Invoke-AegirQueue -WhatIf -ErrorAction Stop; 'exit ok'"
        $said | Should -Match 'exit ok'
        $said | Should -Not -Match 'BrokerUnreachable|No message broker'
        foreach ($t in $queued) { $said | Should -Match "task $($t.Id) " }
        # A worker of the schedules alone would run none of them, and says so.
        $said = Invoke-AegirChildOutput 'Invoke-AegirQueue -Queue Cron -WhatIf'
        $said | Should -Not -Match 'Run queued task'
        $said | Should -Match 'no queued task'
    }

    It 'queues 200 tasks one -Queue call at a time on one broker connection' {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $separate = foreach ($i in 0..199) { Lock-AegirPlatform $platforms[$i % 8] -Queue }
        $separateMs = [int]$sw.Elapsed.TotalMilliseconds
        $publishers = @((Get-BrokerClients) | Where-Object { $_ -eq 'aegir publisher' }).Count
        $sw.Restart()
        $piped = $platforms * 25 | Lock-AegirPlatform -Queue
        $pipedMs = [int]$sw.Elapsed.TotalMilliseconds
        Write-Host "200 tasks queued: $separateMs ms in 200 calls, $pipedMs ms in one pipeline; publisher connections open after the 200 calls: $publishers"
        $separate.Count | Should -Be 200
        $piped.Count | Should -Be 200
        @($separate + $piped | Where-Object Status -NE 'Queued').Count | Should -Be 0
        $publishers | Should -Be 1
        @((Get-BrokerClients) | Where-Object { $_ -eq 'aegir publisher' }).Count | Should -Be 1
        # All on the broker (its counts lag behind by a few seconds).
        Wait-Until { (Get-BrokerQueues | Where-Object Name -Like 'aegir.tasks.p*' | Measure-Object Messages -Sum).Sum -ge 400 } 30 | Should -BeTrue
    }
}
