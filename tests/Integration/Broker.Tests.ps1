# The queue's broker setting against a private RabbitMQ node: Set-AegirQueue checks the URL and the broker before it
# keeps anything, keeps the password owner-only and never shows it; Get-AegirQueue says which queue is in force.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'The queue on a broker' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $broker = Start-TestRabbitMq
        $saved = Join-Path $env:AEGIR_HOME 'queue.json'
        $secret = $broker.Credential.GetNetworkCredential().Password
        # A port nothing listens on: taken from the kernel, then let go.
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $listener.Start()
        $closed = $listener.LocalEndpoint.Port; $listener.Stop()
        $wrong = [pscredential]::new('aegir', (ConvertTo-SecureString 'not-the-password' -AsPlainText -Force))
    }
    AfterAll {
        Remove-Item Env:AEGIR_BROKER, Env:AEGIR_BROKER_PASSWORD -ErrorAction SilentlyContinue
        Stop-TestRabbitMq $broker
        Remove-Item -Recurse -Force $work
    }

    Describe 'Get-AegirQueue' {
        It 'uses the file queue until told otherwise' {
            $q = Get-AegirQueue
            $q.Kind | Should -Be 'File'
            $q.Broker | Should -BeNullOrEmpty
        }

        It 'lets AEGIR_BROKER and AEGIR_BROKER_PASSWORD override the setting' {
            $env:AEGIR_BROKER = "amqp://other@127.0.0.1:$($broker.Port)/aegir"
            try {
                { Get-AegirQueue -ErrorAction Stop } | Should -Throw -ExpectedMessage '*AEGIR_BROKER_PASSWORD is required*'
                $env:AEGIR_BROKER_PASSWORD = 'x'
                $q = Get-AegirQueue
                $q.Source | Should -Be 'environment'
                $q.User | Should -Be 'other'
                { Get-AegirQueue -Check -ErrorAction Stop } | Should -Throw -ExpectedMessage '*refused the connection: the user''s name or password is wrong*'
            }
            finally { Remove-Item Env:AEGIR_BROKER, Env:AEGIR_BROKER_PASSWORD -ErrorAction SilentlyContinue }
            (Get-AegirQueue).Kind | Should -Be 'File'
        }
    }

    Describe 'Set-AegirQueue' {
        It 'refuses <Why> and keeps nothing' -ForEach @(
            @{ Why = 'a URL of another scheme'; Url = 'http://aegir@127.0.0.1/aegir'; Id = 'InvalidValue'; Says = '*scheme is ''http''*amqp://user@host:5672/vhost*' }
            @{ Why = 'a password in the URL'; Url = 'amqp://aegir:hunter2@127.0.0.1/aegir'; Id = 'InvalidValue'; Says = '*holds a password*-Credential*' }
            @{ Why = 'a URL without a user'; Url = 'amqp://127.0.0.1/aegir'; Id = 'InvalidValue'; Says = '*names no user*' }
            @{ Why = 'a path beyond the vhost'; Url = 'amqp://aegir@127.0.0.1/a/b'; Id = 'InvalidValue'; Says = '*more than a virtual host*%2F*' }
        ) {
            $err = $null
            Set-AegirQueue -Broker $Url -Credential $broker.Credential -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike "$Id*"
            $err[0].Exception.Message | Should -BeLike $Says
            $err[0].Exception.Message | Should -Not -Match 'hunter2'
            $saved | Should -Not -Exist
        }

        It 'refuses a broker that <Why>, naming the problem and the fix, and keeps nothing' -ForEach @(
            @{ Why = 'does not know the password'; Url = { $broker.Url }; Cred = { $wrong }; Id = 'BrokerRefused'; Says = '*name or password is wrong*Set-AegirQueue -Credential*' }
            @{ Why = 'has no such vhost'; Url = { "amqp://aegir@127.0.0.1:$($broker.Port)/nothere" }; Cred = { $broker.Credential }; Id = 'BrokerRefused'; Says = '*virtual host is missing*add_vhost*' }
            @{ Why = 'does not answer'; Url = { "amqp://aegir@127.0.0.1:$($closed)/aegir" }; Cred = { $broker.Credential }; Id = 'BrokerUnreachable'; Says = '*No message broker answers at amqp://aegir@127.0.0.1:*' }
        ) {
            $err = $null
            Set-AegirQueue -Broker (& $Url) -Credential (& $Cred) -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike "$Id*"
            $err[0].Exception.Message | Should -BeLike $Says
            $saved | Should -Not -Exist
        }

        It 'asks for the password when no credential is given' {
            { Set-AegirQueue -Broker $broker.Url -ErrorAction Stop } | Should -Throw -ExpectedMessage '*-Credential is required*'
            $saved | Should -Not -Exist
        }

        It 'keeps a broker that answers: its password owner-only, never shown, logged or in the URL' {
            $out = Set-AegirQueue -Broker $broker.Url -Credential $broker.Credential -PassThru -Verbose 4>&1
            $q = $out | Where-Object { $_ -is [Aegir.Core.Queues.QueueSetting] }
            $q.Kind | Should -Be 'Broker'
            $q.Broker | Should -Be "amqp://aegir@127.0.0.1:$($broker.Port)/aegir"
            $q.VirtualHost | Should -Be 'aegir'
            ($out | Out-String) | Should -Not -Match $secret
            (Get-AegirQueue -Check | Format-List * | Out-String) | Should -Not -Match $secret
            (Get-Item $saved).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
            (Get-Content -Raw $saved) | Should -Match $secret
            # The topology is on the broker: the check declared it.
            (Invoke-TestRabbitMqCtl $broker @('list_exchanges', '-p', 'aegir', 'name', 'type')) -join "`n" | Should -Match 'aegir\.tasks\s+x-consistent-hash'
            @(Invoke-TestRabbitMqCtl $broker @('list_queues', '-p', 'aegir', 'name', 'type') | Where-Object { $_ -match '^aegir\.tasks\.p\d\s+quorum' }).Count | Should -Be 8
        }

        It 'goes back to the file queue with <How>' -ForEach @(
            @{ How = '-File'; Given = @{ File = $true } }
            @{ How = "-Broker ''"; Given = @{ Broker = '' } }
        ) {
            $null = Set-AegirQueue -Broker $broker.Url -Credential $broker.Credential
            $saved | Should -Exist
            Set-AegirQueue @Given
            $saved | Should -Not -Exist
            (Get-AegirQueue).Kind | Should -Be 'File'
        }
    }
}
