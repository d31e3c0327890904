# A server that runs its own queued tasks: a worker on the test host web1 (its own network, mount and UTS namespaces)
# takes them from a private RabbitMQ, runs them there without SSH, and sends back its log and the records it changed.
# No message on the broker shows a secret: the records travel sealed for the worker's key.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'A worker on its own server' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $web = New-TestHost web1
        Start-TestHostWeb $web
        $gateway = Get-TestHostGateway $web
        $broker = Start-TestRabbitMq -Address $gateway
        $url = "amqp://aegir@$($gateway):$($broker.Port)/aegir"
        Set-AegirQueue -Broker $url -Credential $broker.Credential
        $admin = Start-TestHostMariaDb $web
        $dbSecret = $admin.GetNetworkCredential().Password
        $null = New-AegirServer web1 -RemoteHost $web.Address -SshUser root -SshKeyPath $web.KeyPath -HttpServiceType nginx -DbServiceType mysql -DbHost $web.Address -DbAdminCredential $admin
        $null = Invoke-AegirVerify server_web1 -TrustHostKey -ErrorAction Stop
        $hello = Join-Path $work 'hello'
        Write-Tree $hello @{
            '.aegir.yml' = "name: Hello`ndatabase: none`nversion_command: [echo, 1.0]`n"
            'index.php'  = '<?php echo "hello from ", gethostname(), " for ", $_SERVER["aegir_site"];'
        }
        Copy-ToTestHost $web $hello /srv/platforms
        $null = New-AegirPlatform hello -Root /srv/platforms/hello -WebServer web1 -ErrorAction Stop
        $brokerPassword = [Net.NetworkCredential]::new('', $broker.Credential.Password).Password

        # The worker on web1, in its own home there (the module's folder on that server).
        function Start-ServerWorker {
            $registry = Join-Path $web.Dir 'fs/var/aegir/workers'
            $before = @(Get-ChildItem $registry -Filter *.json -ErrorAction Ignore).Count
            $child = Start-TestHostChild $web "Start-AegirWorker -Server web1 -ThrottleLimit 2 | ForEach-Object { [Console]::Out.WriteLine(`"ran `$(`$_.Id)`") }" -Environment @{ AEGIR_HOME = '/var/aegir'; AEGIR_BROKER = $url; AEGIR_BROKER_PASSWORD = $brokerPassword }
            # Up once it is in its registry there; one that died says why at once, rather than a task waiting for it.
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (@(Get-ChildItem $registry -Filter *.json -ErrorAction Ignore).Count -le $before -and -not $child.HasExited -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            if ($child.HasExited) { throw "the worker on web1 ended: $($child.StandardError.ReadToEnd())" }
            $child
        }
        # The bodies of the messages waiting on a queue, read without taking them (they go back when the channel closes).
        function Read-QueuedMessages([string] $Queue) {
            $settings = [Aegir.Core.Queues.Broker.BrokerSettings]::Read($env:AEGIR_HOME)
            $connection = [Aegir.Core.Queues.Broker.BrokerConnection]::OpenAsync($settings, 'test reader', [Threading.CancellationToken]::None).GetAwaiter().GetResult()
            try {
                $channel = $connection.CreateChannelAsync($null, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
                while ($got = $channel.BasicGetAsync($Queue, $false, [Threading.CancellationToken]::None).GetAwaiter().GetResult()) { [Text.Encoding]::UTF8.GetString($got.Body.ToArray()) }
            }
            finally { $connection.Dispose() }
        }
        $script:children = @()
    }
    AfterAll {
        foreach ($c in $script:children) { if (-not $c.HasExited) { $c.Kill($true) } }
        Stop-TestRabbitMq $broker
        Remove-TestHost $web
        Remove-Item -Recurse -Force $work -ErrorAction Ignore
    }

    It 'is given its key with -OwnWorker: the private half only on the server, the record keeps the public one' {
        $null = Set-AegirServer web1 -OwnWorker -WhatIf
        (Get-AegirServer web1).WorkerKey | Should -BeNullOrEmpty
        Invoke-OnTestHost $web 'ls /var/aegir' | Should -Not -Contain 'keys' -Because '-WhatIf makes nothing'
        $null = Set-AegirServer web1 -OwnWorker -ErrorAction Stop
        (Get-AegirServer web1).WorkerKey | Should -Not -BeNullOrEmpty
        Invoke-OnTestHost $web 'stat -c "%a %U" /var/aegir/keys/worker.key /var/aegir/keys' | Should -Be @('600 root', '700 root')
        (Get-Content -Raw (Join-Path $env:AEGIR_HOME 'contexts/server_web1.yml')) | Should -Not -Match 'PRIVATE KEY'
    }

    It 'installs a site there: the worker runs the task on web1, the site answers, its record comes back here' {
        $script:children += ($worker = Start-ServerWorker)
        $queued = New-AegirSite hello2.test -Platform hello -Queue
        $null = Invoke-AegirQueue -Queue Tasks
        $task = Get-AegirTask -Id $queued.Id
        $task.Status | Should -Be 'Succeeded' -Because "$($task.Error) $(if ($worker.HasExited) { $worker.StandardError.ReadToEnd() })"
        $log = $task.Log.Message -join "`n"
        $log | Should -Match "Sent to the worker on server 'web1'"
        $log | Should -Match 'Making the account hello2-test-'
        $log | Should -Match 'Took back 1 record\(s\) the task changed: hello2.test'
        (Invoke-WebRequest -Headers @{ Host = 'hello2.test' } "http://$($web.Address)/").Content | Should -Be 'hello from web1 for hello2.test'
        (Get-AegirSite hello2.test).Status | Should -Be 'Installed'
        # The worker's own record of the task, under the same id, on web1.
        Invoke-OnTestHost $web "find /var/aegir/tasks -name '$($queued.Id)*'" | Should -Not -BeNullOrEmpty
    }

    It 'sends no secret in clear: the queued message holds the records sealed, and a worker started later still runs it' {
        foreach ($c in $script:children) { if (-not $c.HasExited) { $c.Kill($true); $c.WaitForExit() } }
        $queued = Invoke-AegirVerify hello2.test -Queue
        $dispatcher = Start-AegirChild 'Invoke-AegirQueue -Queue Tasks | Out-Null'
        $script:children += $dispatcher
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        do { Start-Sleep -Milliseconds 200; $bodies = @(Read-QueuedMessages 'aegir.server.server_web1') } while ($bodies.Count -eq 0 -and [DateTime]::UtcNow -lt $deadline)
        $bodies.Count | Should -Be 1
        $body = $bodies[0]
        $body | Should -Match $queued.Id
        foreach ($secret in $dbSecret, $brokerPassword) {
            $body | Should -Not -Match ([regex]::Escape($secret))
            $body | Should -Not -Match ([regex]::Escape([Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($secret))))
        }
        $body | Should -Not -Match 'admin_password|platform_hello|/srv/platforms' -Because 'the records travel sealed'
        $script:children += Start-ServerWorker
        $dispatcher.WaitForExit(90000) | Should -BeTrue
        (Get-AegirTask -Id $queued.Id).Status | Should -Be 'Succeeded'
    }

    It 'repairs a task whose worker was killed in it from the journal there, and runs it again: one database' {
        foreach ($c in $script:children) { if (-not $c.HasExited) { $c.Kill($true); $c.WaitForExit() } }
        # A Drupal-shaped platform whose installer takes a second for slow* sites: a task to kill in its middle.
        New-DrupalShapedCodebase (Join-Path $work 'dk')
        Copy-ToTestHost $web (Join-Path $work 'dk') /srv/platforms
        $null = New-AegirPlatform dk -Root /srv/platforms/dk -WebServer web1 -ErrorAction Stop
        $before = @(Invoke-TestHostSql $web 'SHOW DATABASES')
        $queued = New-AegirSite slow.test -Platform dk -DbServer web1 -Queue
        $dispatcher = Start-AegirChild 'Invoke-AegirQueue -Queue Tasks | Out-Null'
        $script:children += $dispatcher
        $script:children += ($victim = Start-ServerWorker)
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (@(Invoke-TestHostSql $web 'SHOW DATABASES' | Where-Object { $_ -notin $before }).Count -eq 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        @(Invoke-TestHostSql $web 'SHOW DATABASES' | Where-Object { $_ -notin $before }).Count | Should -Be 1 -Because 'the install made its database before its slow installer'
        $victim.Kill()
        $victim.WaitForExit()
        (Get-AegirTask -Id $queued.Id).Status | Should -Be 'Running' -Because 'the control machine waits for the server'
        $script:children += Start-ServerWorker
        $dispatcher.WaitForExit(120000) | Should -BeTrue
        $task = Get-AegirTask -Id $queued.Id
        $task.Status | Should -BeIn 'Succeeded', 'Warning' -Because $task.Error
        ($task.Log.Message -join "`n") | Should -Match 'repaired it from its journal \(\d+ change\(s\) undone\), and queued it again: try 2'
        $new = @(Invoke-TestHostSql $web 'SHOW DATABASES' | Where-Object { $_ -notin $before })
        $new | Should -Be @((Get-AegirSite slow.test).DbName) -Because 'the dead run''s database went with its repair'
        (Invoke-WebRequest -Headers @{ Host = 'slow.test' } "http://$($web.Address)/").Content | Should -Be "ok $((Get-AegirSite slow.test).DbName)"
    }

    It 'is listed by Get-AegirWorker on its server, and refuses to start without a key or a broker, naming the fix' {
        $out = Invoke-OnTestHost $web "AEGIR_HOME=/var/aegir $([Environment]::ProcessPath) /srv/pwsh/pwsh.dll -NoProfile -Command `"Import-Module '/srv/aegir-module/$(Split-Path -Leaf $env:AEGIR_TEST_MODULE)'; (Get-AegirWorker).Queue`""
        $out | Should -Contain 'Broker'
        $bare = Join-Path $work 'bare'
        $env:AEGIR_HOME, $saved = $bare, $env:AEGIR_HOME
        try {
            { Start-AegirWorker -Server web1 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*no broker is set*Set-AegirQueue -Broker*'
            $env:AEGIR_BROKER = $url; $env:AEGIR_BROKER_PASSWORD = $brokerPassword
            { Start-AegirWorker -Server web1 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*no worker key*Set-AegirServer web1 -OwnWorker*'
        }
        finally { $env:AEGIR_HOME = $saved; Remove-Item Env:AEGIR_BROKER, Env:AEGIR_BROKER_PASSWORD -ErrorAction Ignore }
    }
}
