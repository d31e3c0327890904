# A worker killed in the middle of a task on the broker's queue: the broker gives the task to another worker, which
# repairs the dead run from its journal and runs the task again; the site is made once and answers.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'A worker that dies mid-task on the broker' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        $port = $server.Http.GetInt('port')
        $broker = Start-TestRabbitMq
        Set-AegirQueue -Broker $broker.Url -Credential $broker.Credential
        # A Drupal-shaped platform whose installer takes a second for slow* sites: a task to kill in its middle.
        New-DrupalShapedCodebase (Join-Path $work 'platforms/dk')
        $null = New-AegirPlatform dk (Join-Path $work 'platforms/dk')
        $script:workers = @()
    }
    AfterAll {
        foreach ($w in $script:workers) { if (-not $w.HasExited) { $w.Kill($true) } }
        Stop-TestRabbitMq $broker
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    It 'redelivers the task, undoes the dead run and runs it again on another worker: the site is made once' {
        $databases = Get-SiteDatabases
        $slow = New-AegirSite slow.death.test -Platform dk -Queue
        $workers = $script:workers = 1..2 | ForEach-Object { Start-AegirChild 'Invoke-AegirQueue -Continuous -Queue Tasks | Out-Null' -Warmup 'Get-AegirTask -First 1 | Out-Null' }
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while ((Get-AegirTask -Id $slow.Id).Status -ne 'Running' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
        $running = Get-AegirTask -Id $slow.Id
        $running.Status | Should -Be 'Running'
        # Its database is made before the slow installer runs: the dead run leaves one to undo.
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (@(Get-SiteDatabases | Where-Object { $_ -notin $databases }).Count -eq 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
        $deadDb = @(Get-SiteDatabases | Where-Object { $_ -notin $databases })
        $deadDb.Count | Should -Be 1
        $victim = $workers | Where-Object { $running.Worker -like "*:$($_.Id):*" }
        $victim | Should -Not -BeNullOrEmpty -Because "the record names its worker ($($running.Worker)) among $($workers.Id)"
        $victim.Kill()
        $victim.WaitForExit()
        $after = New-AegirSite after.death.test -Platform dk -Queue

        $done = $slow, $after | Wait-AegirTask -Timeout 120
        $retried = Get-AegirTask -Id $slow.Id
        $retried.Status | Should -BeIn 'Succeeded', 'Warning' -Because $retried.Error
        $retried.Tries | Should -Be 2
        $retried.Worker | Should -Not -Be $running.Worker
        ($retried.Log.Message -join "`n") | Should -Match 'repaired it from its journal \(\d+ change\(s\) undone\), and queued it again: try 2'
        # The next install may be the one that finds the dead run (they share the platform) and repairs it: a warning.
        (Get-AegirTask -Id $after.Id).Status | Should -BeIn 'Succeeded', 'Warning'
        # The dead run's database went with its repair; the retry and the next site made one each.
        $now = @(Get-SiteDatabases | Where-Object { $_ -notin $databases })
        $now.Count | Should -Be 2
        $now | Should -Contain (Get-AegirSite slow.death.test).DbName
        foreach ($uri in 'slow.death.test', 'after.death.test') { (Invoke-Site -Port $port -HostName $uri).Status | Should -Be 200 }
    }
}
