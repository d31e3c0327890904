# A server logged in to with a key an ssh-agent holds (a real ssh-agent of this user's, its socket in the work folder):
# the record names the agent's socket instead of a key file, verify says which of the agent's keys logged in, rsync
# pushes through the same agent, and an agent gone or holding no key the server takes fails the task naming the fix.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'A web server logged in to with an ssh-agent''s key' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $web = New-TestHost agentweb
        Start-TestHostWeb $web
        $agentDir = Join-Path $work 'agent'
        $null = New-Item -ItemType Directory $agentDir
        [IO.File]::SetUnixFileMode($agentDir, 'UserRead, UserWrite, UserExecute')
        $socket = Join-Path $agentDir 'agent.sock'
        # In the foreground (-D), so each is ended by its own process id; the last one started serves the socket.
        $agents = [Collections.Generic.List[Diagnostics.Process]]::new()
        function Start-Agent([string[]] $Keys) {
            $process = Start-Process ssh-agent -ArgumentList '-D', '-a', $socket -PassThru -RedirectStandardOutput (Join-Path $agentDir 'out') -RedirectStandardError (Join-Path $agentDir 'err')
            for ($i = 0; $i -lt 100 -and -not (Test-Path $socket); $i++) { Start-Sleep -Milliseconds 50 }
            foreach ($key in $Keys) { $null = & env "SSH_AUTH_SOCK=$socket" ssh-add $key 2>&1; if ($LASTEXITCODE) { throw "ssh-add $key failed" } }
            $agents.Add($process)
        }
        # SIGTERM: the agent removes its socket as it ends.
        function Stop-Agent($Process) { if (-not $Process.HasExited) { kill -TERM $Process.Id }; $Process.WaitForExit() }
        Start-Agent $web.KeyPath
        $fingerprint = ((ssh-keygen -lf "$($web.KeyPath).pub") -split ' ')[1]
        function Get-Record { Get-Content -Raw (Join-Path $env:AEGIR_HOME 'contexts/server_agentweb.yml') }
    }
    AfterAll {
        foreach ($process in $agents) { Stop-Agent $process }
        Remove-TestHost $web
        Remove-Item -Recurse -Force $work -ErrorAction Ignore
    }

    It 'refuses a key file and an agent together, and neither, naming the fix' {
        { New-AegirServer agentweb -RemoteHost $web.Address -SshKeyPath $web.KeyPath -SshAgentSocket $socket -ErrorAction Stop } |
            Should -Throw -ErrorId 'SshKeyAndAgent*' -ExpectedMessage '*give -SshKeyPath*or -SshAgentSocket*not both*'
        { New-AegirServer agentweb -RemoteHost $web.Address -SshUser root -ErrorAction Stop } |
            Should -Throw -ErrorId 'MissingValue*' -ExpectedMessage '*-SshKeyPath or -SshAgentSocket is required*-SshAgentSocket $env:SSH_AUTH_SOCK*'
        Get-AegirServer agentweb -ErrorAction Ignore | Should -BeNullOrEmpty
    }

    It 'checks the socket when it is given: there, a socket itself, and an agent that holds a key' {
        { New-AegirServer agentweb -RemoteHost $web.Address -SshAgentSocket (Join-Path $agentDir 'none.sock') -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*SshAgentSocket*is not there*ssh-agent -a*'
        $link = Join-Path $work 'agent-link.sock'
        $null = New-Item -ItemType SymbolicLink -Path $link -Target $socket
        { New-AegirServer agentweb -RemoteHost $web.Address -SshAgentSocket $link -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage "*is a link (to $socket)*"
        $empty = Start-Process ssh-agent -ArgumentList '-D', '-a', (Join-Path $agentDir 'empty.sock') -PassThru -RedirectStandardOutput (Join-Path $agentDir 'empty.out')
        try {
            for ($i = 0; $i -lt 100 -and -not (Test-Path (Join-Path $agentDir 'empty.sock')); $i++) { Start-Sleep -Milliseconds 50 }
            { New-AegirServer agentweb -RemoteHost $web.Address -SshAgentSocket (Join-Path $agentDir 'empty.sock') -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*holds no key*ssh-add*'
        }
        finally { Stop-Agent $empty }
        Get-AegirServer agentweb -ErrorAction Ignore | Should -BeNullOrEmpty
    }

    It 'records the agent''s socket and no key file, and verify logs in with the agent''s key, naming it' {
        $null = New-AegirServer agentweb -RemoteHost $web.Address -SshUser root -SshAgentSocket $socket -HttpServiceType nginx -ErrorAction Stop
        $server = Get-AegirServer agentweb
        $server.Connection.Get('agent_socket') | Should -Be $socket
        $server.Connection.Get('key_path') | Should -BeNullOrEmpty
        $task = Invoke-AegirVerify server_agentweb -TrustHostKey -ErrorAction Stop
        $task.Status | Should -Be 'Succeeded'
        ($task.Log.Message -join "`n") | Should -Match ([regex]::Escape("as root with the key $fingerprint (") + '.*ssh-ed25519\) of the ssh-agent ' + [regex]::Escape($socket))
    }

    It 'pushes a platform kept here through the same agent, and a site on it answers over HTTP' {
        $source = Join-Path $work 'build/agentkept'
        Write-Tree $source @{
            '.aegir.yml' = "name: AgentKept`ndatabase: none`nversion_command: [cat, VERSION]`n"
            'VERSION'    = '1.0'
            'index.php'  = '<?php echo "pushed through the agent for ", $_SERVER["aegir_site"];'
        }
        $null = Invoke-OnTestHost $web 'mkdir -p /srv/platforms'
        $null = New-AegirPlatform agentkept -Root /srv/platforms/agentkept -WebServer agentweb -Source $source -ErrorAction Stop
        Invoke-OnTestHost $web 'cat /srv/platforms/agentkept/VERSION' | Should -Be '1.0'
        $null = New-AegirSite agent.test -Platform agentkept -ErrorAction Stop
        (Invoke-WebRequest -Headers @{ Host = 'agent.test' } "http://$($web.Address)/").Content | Should -Be 'pushed through the agent for agent.test'
    }

    It 'fails a task clearly when the agent is gone or holds no key the server takes, changing nothing' {
        $null = Invoke-OnTestHost $web 'rm -f /var/aegir/config/server_agentweb/nginx.conf'
        [Aegir.Core.Transport.TransportFactory]::CloseIdle()
        Stop-Agent $agents[-1]
        try {
            { Invoke-AegirVerify server_agentweb -ErrorAction Stop } |
                Should -Throw -ErrorId 'SshAgentUnavailable*' -ExpectedMessage "*'@server_agentweb'*the ssh-agent at $socket is not there*nothing was sent*ssh-agent -a $socket*Set-AegirServer server_agentweb -SshAgentSocket*"
            $stranger = Join-Path $work 'stranger'
            ssh-keygen -q -t ed25519 -N '' -C stranger -f $stranger
            Start-Agent $stranger
            $strange = ((ssh-keygen -lf "$stranger.pub") -split ' ')[1]
            { Invoke-AegirVerify server_agentweb -ErrorAction Stop } |
                Should -Throw -ErrorId 'SshAgentKeyRefused*' -ExpectedMessage "*$($web.Address)*takes none of the keys*$strange (stranger, ssh-ed25519)*ssh-add*authorized_keys*"
            Invoke-OnTestHost $web 'ls /var/aegir/config/server_agentweb' | Should -Not -Contain 'nginx.conf' -Because 'nothing was sent'
        }
        finally {
            Stop-Agent $agents[-1]
            Start-Agent $web.KeyPath
        }
        (Invoke-AegirVerify server_agentweb -ErrorAction Stop).Status | Should -Be 'Succeeded'
        Invoke-OnTestHost $web 'ls /var/aegir/config/server_agentweb' | Should -Contain 'nginx.conf'
    }

    It 'switches to a key file and back, each forgetting the other' {
        $before = Get-Record
        { Set-AegirServer agentweb -SshKeyPassphrase (ConvertTo-SecureString 'x' -AsPlainText -Force) -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*ssh-agent*needs no passphrase*-SshKeyPath*'
        Get-Record | Should -Be $before -Because 'a refused change changes nothing'

        # A key file locked by a passphrase, let in on the server.
        $locked = Join-Path $work 'locked'
        ssh-keygen -q -t ed25519 -N 'phrase-here' -C locked -f $locked
        Get-Content "$locked.pub" | Add-Content (Join-Path $web.Dir 'fs/root/.ssh/authorized_keys')
        $null = Set-AegirServer agentweb -SshKeyPath $locked -SshKeyPassphrase (ConvertTo-SecureString 'phrase-here' -AsPlainText -Force) -ErrorAction Stop
        $server = Get-AegirServer agentweb
        $server.Connection.Get('key_path') | Should -Be $locked
        $server.Connection.Get('agent_socket') | Should -BeNullOrEmpty
        Get-Record | Should -Match 'key_passphrase'
        $task = Invoke-AegirVerify server_agentweb -ErrorAction Stop
        ($task.Log.Message -join "`n") | Should -Match ([regex]::Escape("as root with the key $locked;"))

        $null = Set-AegirServer agentweb -SshAgentSocket $socket -ErrorAction Stop
        $server = Get-AegirServer agentweb
        $server.Connection.Get('agent_socket') | Should -Be $socket
        $server.Connection.Get('key_path') | Should -BeNullOrEmpty
        Get-Record | Should -Not -Match 'key_passphrase|key_path' -Because 'the agent holds the key: no key file or passphrase is kept'
        $task = Invoke-AegirVerify server_agentweb -ErrorAction Stop
        ($task.Log.Message -join "`n") | Should -Match ([regex]::Escape("as root with the key $fingerprint ("))
    }
}
