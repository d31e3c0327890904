# Servers that are other machines, reached over SSH: each a test host (a network namespace with its own mount and
# UTS namespace, Debian's sshd, nginx and PHP-FPM at their usual paths). The connection is the server's record; the
# host key is pinned before anything is sent; the web server's config lives on that server, under its own paths.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'A web server over SSH' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $web = New-TestHost web1
        Start-TestHostWeb $web
        $null = New-AegirServer web1 -RemoteHost $web.Address -SshUser root -SshKeyPath $web.KeyPath -HttpServiceType nginx
        function Get-Record { Get-Content -Raw (Join-Path $env:AEGIR_HOME 'contexts/server_web1.yml') }
    }
    AfterAll {
        Remove-TestHost $web
        Remove-Item -Recurse -Force $work -ErrorAction Ignore
    }

    It 'records how to reach it as the server''s transport service' {
        $server = Get-AegirServer web1
        $server.Connection.Type | Should -Be 'ssh'
        $server.Connection.Get('user') | Should -Be 'root'
        $server.Connection.Get('port') | Should -Be '22'
        $server.Connection.Get('key_path') | Should -Be $web.KeyPath
        $server.Connection.Get('host_key') | Should -BeNullOrEmpty
    }

    It 'sends nothing to an unpinned host: verify fails showing the fingerprint the server offered' {
        { Invoke-AegirVerify server_web1 -ErrorAction Stop } | Should -Throw -ErrorId 'HostKeyNotPinned*' -ExpectedMessage "*$($web.Fingerprint)*-TrustHostKey*"
        Invoke-OnTestHost $web 'ls -A /var/aegir' | Should -BeNullOrEmpty -Because 'nothing may reach a host whose key is not pinned'
        Get-Record | Should -Not -Match 'host_key'
    }

    It 'pins the key with -TrustHostKey, then verifies nginx there, under the server''s own paths' {
        $task = Invoke-AegirVerify server_web1 -TrustHostKey -ErrorAction Stop
        $task.Status | Should -Be 'Succeeded'
        (Get-AegirServer web1).Connection.Get('host_key') | Should -Be $web.Fingerprint
        ($task.Log.Message -join "`n") | Should -Match ([regex]::Escape("its host key is $($web.Fingerprint)"))
        (Invoke-OnTestHost $web 'cat /var/aegir/config/server_web1/nginx.conf') -join "`n" | Should -Match 'include /var/aegir/config/server_web1/nginx/vhost.d/\*.conf;'
        Invoke-OnTestHost $web 'stat -c %a /var/aegir/config/server_web1 /var/aegir/logs/server_web1' | Should -Be @('700', '700')
        Invoke-OnTestHost $web 'nginx -T 2>/dev/null | grep -c "configuration file /var/aegir/config/server_web1/nginx.conf"' | Should -Be '1'
        Join-Path $env:AEGIR_HOME 'config' | Should -Not -Exist -Because 'the config of another machine lives on that machine'
    }

    It 'verifies again over the pinned key, changing nothing of the record' {
        $before = Get-Record
        (Invoke-AegirVerify server_web1 -ErrorAction Stop).Status | Should -Be 'Succeeded'
        Get-Record | Should -Be $before
    }

    It 'refuses a changed host key with both fingerprints and the fix, and sends nothing' {
        $old = $web.Fingerprint
        $null = Invoke-OnTestHost $web 'rm -f /etc/ssh/ssh_host_ed25519_key*; ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key; kill -HUP $(cat /run/sshd.pid); sleep 0.5'
        $new = ((ssh-keygen -lf (Join-Path $web.Dir 'fs/etc/ssh/ssh_host_ed25519_key.pub')) -split ' ')[1]
        $null = Invoke-OnTestHost $web 'rm -f /var/aegir/config/server_web1/nginx.conf'
        # A connection open from the last task was made under the old key; a new one meets the new key.
        [Aegir.Core.Transport.TransportFactory]::CloseIdle()
        try {
            { Invoke-AegirVerify server_web1 -TrustHostKey -ErrorAction Stop } | Should -Throw -ErrorId 'HostKeyChanged*' -ExpectedMessage "*$new*$old*Set-AegirServer server_web1 -HostKeyFingerprint $new*"
            Invoke-OnTestHost $web 'ls /var/aegir/config/server_web1' | Should -Not -Contain 'nginx.conf' -Because 'nothing was sent'
            (Get-AegirServer web1).Connection.Get('host_key') | Should -Be $old -Because '-TrustHostKey never replaces a pinned key'
            # Forgetting the pin sends nothing until a key is pinned again.
            $null = Set-AegirServer web1 -HostKeyFingerprint ''
            (Get-AegirServer web1).Connection.Get('host_key') | Should -BeNullOrEmpty
            { Invoke-AegirVerify server_web1 -ErrorAction Stop } | Should -Throw -ErrorId 'HostKeyNotPinned*' -ExpectedMessage "*$new*"
            $null = Set-AegirServer web1 -HostKeyFingerprint $new
            (Invoke-AegirVerify server_web1 -ErrorAction Stop).Status | Should -Be 'Succeeded'
            Invoke-OnTestHost $web 'ls /var/aegir/config/server_web1' | Should -Contain 'nginx.conf'
        }
        finally { $web.Fingerprint = $new }
    }

    It 'fails on a key the server does not take, naming the server and the ssh command to try' {
        $other = Join-Path $work 'other_key'
        ssh-keygen -q -t ed25519 -N '' -f $other
        $null = Set-AegirServer web1 -SshKeyPath $other
        try {
            { Invoke-AegirVerify server_web1 -ErrorAction Stop } | Should -Throw -ErrorId 'ServerUnreachable*' -ExpectedMessage "*'@server_web1' ($($web.Address))*ssh -i $other root@$($web.Address) true*"
        }
        finally { $null = Set-AegirServer web1 -SshKeyPath $web.KeyPath }
    }

    It 'logs in with a key locked by a passphrase, which stays out of every output' {
        $locked = Join-Path $work 'locked_key'
        $phrase = "pass-$(Get-Random)-phrase"
        ssh-keygen -q -t ed25519 -N $phrase -f $locked
        $null = Invoke-OnTestHost $web "echo '$(Get-Content "$locked.pub")' >> /root/.ssh/authorized_keys"
        { Set-AegirServer web1 -SshKeyPath $locked -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*passphrase*-SshKeyPassphrase*'
        { Set-AegirServer web1 -SshKeyPath $locked -SshKeyPassphrase (ConvertTo-SecureString 'wrong' -AsPlainText -Force) -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*passphrase is wrong*'
        (Get-AegirServer web1).Connection.Get('key_path') | Should -Be $web.KeyPath -Because 'a refused change changes nothing'
        $null = Set-AegirServer web1 -SshKeyPath $locked -SshKeyPassphrase (ConvertTo-SecureString $phrase -AsPlainText -Force)
        try {
            $task = Invoke-AegirVerify server_web1 -ErrorAction Stop
            $task.Status | Should -Be 'Succeeded'
            (Get-AegirServer web1 | Out-String) + ((Get-AegirServer web1).Connection.Settings.Values -join ' ') + ($task.Log.Message -join ' ') | Should -Not -Match $phrase
            [int](Get-Item (Join-Path $env:AEGIR_HOME 'contexts/server_web1.yml')).UnixFileMode | Should -Be 384
        }
        finally { $null = Set-AegirServer web1 -SshKeyPath $web.KeyPath }
    }

    It 'refuses bad connection settings by name, changing nothing' {
        $before = Get-Record
        { Set-AegirServer web1 -SshKeyPath (Join-Path $work 'no-such-key') -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*no such file*'
        $open = Join-Path $work 'open_key'
        ssh-keygen -q -t ed25519 -N '' -f $open
        chmod 644 $open
        { Set-AegirServer web1 -SshKeyPath $open -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*chmod 600*'
        chmod 600 "$open.pub"
        { Set-AegirServer web1 -SshKeyPath "$open.pub" -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*not a private key*'
        { Set-AegirServer web1 -HostKeyFingerprint 'SHA256:short' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*ssh-keygen -lf*'
        { Set-AegirServer web1 -SshPort 70000 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*'
        Get-Record | Should -Be $before
        { New-AegirServer self -RemoteHost 127.0.0.1 -SshKeyPath $web.KeyPath -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*is this machine*never over ssh*'
        foreach ($nowhere in '0.0.0.0', '::', '224.0.0.1') {
            { New-AegirServer self -RemoteHost $nowhere -SshKeyPath $web.KeyPath -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*no address of any one machine*'
        }
        { New-AegirServer self -RemoteHost $web.Address -SshKeyPath $web.KeyPath -DbServiceType mysql -DbHost 127.0.0.1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*it is this machine, while*is another*'
        $link = Join-Path $work 'key_link'
        $null = New-Item -ItemType SymbolicLink -Path $link -Target $web.KeyPath
        { Set-AegirServer web1 -SshKeyPath $link -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage "*it is a link (to $($web.KeyPath))*"
        Get-AegirServer self -ErrorAction Ignore | Should -BeNullOrEmpty
        Get-Record | Should -Be $before
    }

    It 'hosts a site of an application that keeps no database, with no master recorded, and runs its commands there' {
        $hello = Join-Path $work 'hello'
        Write-Tree $hello @{
            '.aegir.yml' = "name: Hello`ndatabase: none`nversion_command: [echo, 1.0]`n"
            'index.php'  = '<?php echo "hello from ", gethostname(), " for ", $_SERVER["aegir_site"];'
        }
        Copy-ToTestHost $web $hello /srv/platforms
        $null = New-AegirPlatform hello -Root /srv/platforms/hello -WebServer web1 -ErrorAction Stop
        (New-AegirSite hello.test -Platform hello -ErrorAction Stop).DbServerName | Should -BeNullOrEmpty
        (Invoke-WebRequest -Headers @{ Host = 'hello.test' } "http://$($web.Address)/").Content | Should -Be 'hello from web1 for hello.test'
        Invoke-AegirSiteCommand hello.test -- hostname | Should -Be 'web1'
        Invoke-AegirSiteCommand hello.test -- id -un | Should -Be (Get-AegirSite hello.test).UnixUser -Because 'a site runs as its own account there too'
        Invoke-OnTestHost $web 'ls /var/aegir/logs/server_web1' | Should -Contain 'hello.test.access.log'
        # Its page is checked by the reload at the end of the pipeline, from the web server and from here.
        (Get-AegirTask -Target server_web1 -Type reload -First 1).Log.Message -join "`n" | Should -Match 'hello.test/ answers from this machine too'
    }

    It 'warns when a site answers on its web server but not from this machine' {
        # Listening on the server's loopback only: its own check passes, visitors elsewhere reach nothing.
        $null = Set-AegirServer web1 -HttpSetting @{ listen_address = '127.0.0.1' }
        try {
            $task = Invoke-AegirVerify hello.test -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
            $task.Status | Should -Be 'Warning'
            "$warned" | Should -Match "hello.test/ answers on '@server_web1' but not from this machine \(127\.0\.0\.1:80\).*firewall"
        }
        finally { $null = Set-AegirServer web1 -HttpSetting @{ listen_address = '*' } }
        (Invoke-AegirVerify hello.test -ErrorAction Stop).Status | Should -Be 'Succeeded'
    }

    It 'fails a site answered by the distribution''s default page, when nginx there does not load Aegir''s config, naming the fix' {
        # Debian's default site answers every host with HTTP 200 once the include of Aegir's config is gone.
        $off = 'ln -sf /etc/nginx/sites-available/default /etc/nginx/sites-enabled/default && mv /etc/nginx/conf.d/aegir.conf /etc/nginx/aegir.conf.off && nginx -s reload'
        $on = 'rm -f /etc/nginx/sites-enabled/default && mv /etc/nginx/aegir.conf.off /etc/nginx/conf.d/aegir.conf && nginx -s reload'
        $null = Invoke-OnTestHost $web $off
        try {
            $null = Invoke-OnTestHost $web 'for i in $(seq 50); do curl -s -H "Host: hello.test" http://127.0.0.1/ | grep -q -e "Welcome to nginx" -e "Apache2 Debian Default Page" && exit 0; sleep 0.1; done; exit 1'
            $task = Invoke-AegirVerify hello.test -ErrorAction SilentlyContinue -ErrorVariable errs
            $task.Status | Should -Be 'Failed'
            $errs[0].Exception.Message | Should -Match "the site's vhost is not what answers \(/\.well-known/aegir-site answers HTTP 404.*includes Aegir's"
        }
        finally { $null = Invoke-OnTestHost $web $on }
        (Invoke-AegirVerify hello.test -ErrorAction Stop).Status | Should -Be 'Succeeded'
        (Invoke-WebRequest -Headers @{ Host = 'hello.test' } "http://$($web.Address)/").Content | Should -Be 'hello from web1 for hello.test'
    }

    It 'passes a site whose admin''s own rule sends every request to https on its name, as it did before' {
        $rule = '/var/aegir/config/server_web1/nginx/site.d/hello.test/https.conf'
        $null = Invoke-OnTestHost $web "mkdir -p `$(dirname $rule) && printf 'if (`$http_x_forwarded_proto != https) { return 301 https://`$host`$request_uri; }\n' > $rule"
        try {
            (Invoke-AegirVerify hello.test -ErrorAction Stop).Status | Should -Be 'Succeeded'
            $answer = Invoke-WebRequest -Headers @{ Host = 'hello.test' } "http://$($web.Address)/" -MaximumRedirection 0 -SkipHttpErrorCheck -ErrorAction SilentlyContinue
            $answer.StatusCode | Should -Be 301
            "$($answer.Headers.Location)" | Should -Be 'https://hello.test/'
        }
        finally { $null = Invoke-OnTestHost $web "rm -rf `$(dirname $rule)" }
        (Invoke-AegirVerify hello.test -ErrorAction Stop).Status | Should -Be 'Succeeded'
    }

    It 'serves a site over HTTPS there, its certificate and key root''s 0600, checked over HTTPS through ssh and from here, and removed with it' {
        $site = New-AegirSite hs.test -Platform hello -Https Required -CertificateSource SelfSigned -ErrorAction Stop
        $site.Status | Should -Be 'Installed'
        $cert = Get-AegirCertificate hs.test
        $pem = (Get-ChildItem -Recurse "$env:AEGIR_HOME/certificates/hs.test" -Filter fullchain.pem | Select-Object -First 1).FullName
        # From this machine to the host's address, trusting the stored certificate alone.
        $body = & curl -sS --max-time 20 --cacert $pem --resolve "hs.test:443:$($web.Address)" -w '|%{http_code}' https://hs.test/ 2>&1
        "$body" | Should -Be 'hello from web1 for hs.test|200'
        $http = Invoke-WebRequest -Headers @{ Host = 'hs.test' } "http://$($web.Address)/a?b=c" -MaximumRedirection 0 -SkipHttpErrorCheck -ErrorAction SilentlyContinue
        $http.StatusCode | Should -Be 301
        "$($http.Headers.Location)" | Should -Be 'https://hs.test/a?b=c'
        Invoke-OnTestHost $web 'stat -c "%U:%G %a" /var/aegir/config/server_web1/tls/hs.test.crt /var/aegir/config/server_web1/tls/hs.test.key' | Should -Be @('root:root 600', 'root:root 600')
        (Invoke-OnTestHost $web 'openssl x509 -noout -fingerprint -sha256 -in /var/aegir/config/server_web1/tls/hs.test.crt') -replace '.*=|:', '' | Should -Be $cert.Thumbprint
        # The page check asked over HTTPS on the server (through ssh) and from this machine, at the HTTPS port.
        (Get-AegirTask -Target server_web1 -Type reload -First 1).Log.Message -join "`n" | Should -Match 'https://hs\.test/ answers from this machine too \(10\.231\.\d+\.2:443\)'
        $task = Invoke-AegirVerify hs.test -ErrorAction Stop
        $task.Status | Should -Be 'Succeeded'
        ($task.Log.Message -join "`n") | Should -Match 'Checking that https://hs\.test/ answers'
        # A page check over HTTPS that the server's sshd will not carry fails naming the setting (a second sshd there, without forwarding).
        $null = Invoke-OnTestHost $web "/usr/sbin/sshd -o ListenAddress=$($web.Address):2222 -o AllowTcpForwarding=no -o PermitRootLogin=prohibit-password -o PasswordAuthentication=no -o HostKey=/etc/ssh/ssh_host_ed25519_key -o PidFile=/run/sshd-noforward.pid"
        $null = Set-AegirServer web1 -SshPort 2222
        try {
            [Aegir.Core.Transport.TransportFactory]::CloseIdle()
            { Invoke-AegirVerify hs.test -ErrorAction Stop } | Should -Throw -ErrorId 'SshForwardingRefused*' -ExpectedMessage '*AllowTcpForwarding yes*'
        }
        finally {
            $null = Set-AegirServer web1 -SshPort 22
            [Aegir.Core.Transport.TransportFactory]::CloseIdle()
            $null = Invoke-OnTestHost $web 'kill $(cat /run/sshd-noforward.pid)'
        }
        $null = Remove-AegirSite hs.test -Confirm:$false -ErrorAction Stop
        Invoke-OnTestHost $web 'ls -A /var/aegir/config/server_web1/tls' | Where-Object { $_ -like 'hs.test.*' } | Should -BeNullOrEmpty
        Invoke-OnTestHost $web 'ls -A /var/aegir/config/server_web1/nginx/vhost.d' | Should -Not -Contain 'hs.test.conf'
    }

    It 'pushes a platform kept here with rsync, reports and puts back what was changed there, and leaves its sites'' folders alone' {
        $source = Join-Path $work 'build/kept'
        Write-Tree $source @{
            '.aegir.yml' = "name: Kept`ndatabase: none`nsite_folders: ['uploads/{uri}']`nversion_command: [cat, VERSION]`n"
            'VERSION'    = '1.0'
            'index.php'  = '<?php echo "kept ", trim(file_get_contents(__DIR__ . "/VERSION")), " for ", $_SERVER["aegir_site"];'
        }
        $null = New-AegirPlatform kept -Root /srv/platforms/kept -WebServer web1 -Source $source -ErrorAction Stop
        $null = New-AegirSite kept.test -Platform kept -ErrorAction Stop
        function Get-Kept { (Invoke-WebRequest -Headers @{ Host = 'kept.test' } "http://$($web.Address)/").Content }
        Get-Kept | Should -Be 'kept 1.0 for kept.test'
        Invoke-OnTestHost $web 'stat -c %U:%G /srv/platforms/kept/uploads/kept.test' | Should -Be "$((Get-AegirSite kept.test).UnixUser):www-data"

        # A new release here; a hand edit and a stray file there.
        Set-Content (Join-Path $source 'VERSION') '2.0'
        $null = Invoke-OnTestHost $web 'echo "<?php echo 1;" > /srv/platforms/kept/index.php; touch /srv/platforms/kept/stray.php; echo kept > /srv/platforms/kept/uploads/kept.test/upload.txt'
        $task = Invoke-AegirVerify platform_kept -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
        "$warned" | Should -Match 'differ from .*kept.*index\.php'
        "$warned" | Should -Match 'deleted stray\.php'
        "$warned" | Should -Not -Match 'upload'
        (Get-AegirPlatform kept).Version | Should -Be '2.0'
        Get-Kept | Should -Be 'kept 2.0 for kept.test'
        Invoke-OnTestHost $web 'cat /srv/platforms/kept/uploads/kept.test/upload.txt' | Should -Be 'kept' -Because 'a site''s own files are never the push''s to delete'
        Invoke-OnTestHost $web 'ls /srv/platforms/kept' | Should -Not -Contain 'stray.php'

        # Nothing differs the next time.
        $null = Invoke-AegirVerify platform_kept -WarningVariable again -WarningAction SilentlyContinue -ErrorAction Stop
        "$again" | Should -BeNullOrEmpty
    }

    It 'refuses a source that is not there, and a source for a platform on this machine' {
        { New-AegirPlatform nosrc -Root /srv/platforms/nosrc -WebServer web1 -Source (Join-Path $work 'no-such') -ErrorAction Stop } | Should -Throw -ExpectedMessage '*no such folder on this machine*'
        $null = New-AegirServer master -HttpServiceType nginx
        $here = Join-Path $work 'here'
        $null = New-Item -ItemType Directory $here
        { New-AegirPlatform here -Root $here -Source $here -ErrorAction Stop } | Should -Throw -ExpectedMessage '*is this machine*Leave out -Source*'
        Get-AegirPlatform nosrc, here -ErrorAction Ignore | Should -BeNullOrEmpty
    }

    It 'works as root through sudo for another ssh user, and prints the sudoers rule it needs when there is none' {
        Install-TestPackage sudo
        # The test host keeps its own /etc, copied when it was made: sudo's config (installed since, maybe) and the
        # ssh user are put there.
        if (-not (Test-Path "$($web.Dir)/fs/etc/sudoers")) { cp -a /etc/sudoers "$($web.Dir)/fs/etc/sudoers" }
        $null = Invoke-OnTestHost $web "mkdir -p /etc/sudoers.d && chmod 750 /etc/sudoers.d && (getent passwd aegirdeploy || useradd --system --home-dir /srv/deploy --shell /bin/sh aegirdeploy)"
        $null = Invoke-OnTestHost $web "mkdir -p /srv/deploy/.ssh && cp /root/.ssh/authorized_keys /srv/deploy/.ssh/ && chown -R aegirdeploy /srv/deploy && chmod 700 /srv/deploy/.ssh"
        $null = Set-AegirServer web1 -SshUser aegirdeploy
        try {
            [Aegir.Core.Transport.TransportFactory]::CloseIdle()
            { Invoke-AegirVerify server_web1 -ErrorAction Stop } | Should -Throw -ErrorId 'ServerUnreachable*' -ExpectedMessage '*aegirdeploy is not root there*-SshPrivilege sudo*aegirdeploy ALL=(root) NOPASSWD: /usr/bin/perl, /usr/bin/rsync*'
            $null = Set-AegirServer web1 -SshPrivilege sudo
            $rule = 'aegirdeploy ALL=(root) NOPASSWD: /usr/bin/perl, /usr/bin/rsync'
            { Invoke-AegirVerify server_web1 -ErrorAction Stop } | Should -Throw -ErrorId 'SudoRefused*' -ExpectedMessage "*/etc/sudoers.d*$rule*"
            $null = Invoke-OnTestHost $web "echo '$rule' > /etc/sudoers.d/aegir && chmod 440 /etc/sudoers.d/aegir && visudo -cf /etc/sudoers.d/aegir"
            $task = Invoke-AegirVerify server_web1 -ErrorAction Stop
            ($task.Log.Message -join "`n") | Should -Match 'as aegirdeploy, working as root through sudo'
            # Work that needs root (owners, the web server's reload, a push with rsync) goes through sudo.
            Set-Content (Join-Path $work 'build/kept/VERSION') '3.0'
            $null = Invoke-AegirVerify platform_kept -ErrorAction Stop -WarningAction SilentlyContinue
            (Invoke-WebRequest -Headers @{ Host = 'kept.test' } "http://$($web.Address)/").Content | Should -Be 'kept 3.0 for kept.test'
            $null = Invoke-AegirVerify kept.test -ErrorAction Stop
            Invoke-OnTestHost $web 'stat -c %U:%G /srv/platforms/kept/uploads/kept.test' | Should -Be "$((Get-AegirSite kept.test).UnixUser):www-data"

            # A command run through sudo still ends with its connection.
            $child = Start-AegirChild -Script "`$env:AEGIR_HOME = '$env:AEGIR_HOME'; Invoke-AegirSiteCommand kept.test -- sleep 377"
            try {
                $clock = [Diagnostics.Stopwatch]::StartNew()
                while (-not (Invoke-OnTestHost $web 'pgrep -x -f "sleep 377" || true') -and $clock.Elapsed.TotalSeconds -lt 30) { Start-Sleep -Milliseconds 100 }
                Invoke-OnTestHost $web 'pgrep -x -f "sleep 377" || true' | Should -Not -BeNullOrEmpty
                $ns = Get-Content (Join-Path $web.Dir 'netns')
                foreach ($p in (ip netns pids $ns)) {
                    if (((Get-Content -Raw "/proc/$p/cmdline" -ErrorAction Ignore) -replace "`0", ' ') -match '^sshd: aegirdeploy@notty') { kill -9 $p }
                }
                $clock.Restart()
                while ((Invoke-OnTestHost $web 'pgrep -x -f "sleep 377" || true') -and $clock.Elapsed.TotalSeconds -lt 10) { Start-Sleep -Milliseconds 200 }
                Invoke-OnTestHost $web 'pgrep -x -f "sleep 377" || true' | Should -BeNullOrEmpty -Because 'the command goes with the connection that ran it'
            }
            finally { if (-not $child.HasExited) { $child.Kill($true) } }
        }
        finally {
            $null = Set-AegirServer web1 -SshUser root -SshPrivilege root
            [Aegir.Core.Transport.TransportFactory]::CloseIdle()
        }
    }

    It 'shows a plan to pin a key without reaching the server, and refuses one that could not run' {
        $null = New-AegirServer web8 -RemoteHost 192.0.2.8 -SshKeyPath $web.KeyPath -HttpServiceType nginx
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $plan = Invoke-AegirVerify server_web8 -TrustHostKey -Plan
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5 -Because '192.0.2.8 answers nobody: nothing was asked of it'
        $plan[0].Description | Should -Match 'pin the host key @server_web8 offers'
        { Invoke-AegirVerify server_web8 -Plan -ErrorAction Stop } | Should -Throw -ExpectedMessage '*no host key pinned*-TrustHostKey*'
    }

    It 'refuses a platform on a server recorded with its key but never verified, naming the verify, and touches nothing' {
        $null = New-AegirServer web9 -RemoteHost $web.Address -SshUser root -SshKeyPath $web.KeyPath -HostKeyFingerprint $web.Fingerprint -AegirRoot /srv/aegir9 -HttpServiceType nginx
        try {
            $null = Invoke-OnTestHost $web 'cp -a /srv/platforms/hello /srv/platforms/hello9 && chmod 0777 /srv/platforms/hello9/index.php'
            { New-AegirPlatform hello9 -Root /srv/platforms/hello9 -WebServer web9 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ServerNotVerified*' -ExpectedMessage "*'@server_web9' has not been verified yet: its config folder /srv/aegir9/config/server_web9/nginx/platform.d is not there*Invoke-AegirVerify server_web9*"
            Get-AegirPlatform hello9 -ErrorAction Ignore | Should -BeNullOrEmpty
            Invoke-OnTestHost $web 'stat -c %a /srv/platforms/hello9/index.php' | Should -Be '777' -Because 'nothing of the codebase was touched'
            Invoke-OnTestHost $web 'ls -A /srv/aegir9 2>/dev/null || true' | Should -BeNullOrEmpty
        }
        finally {
            $null = Invoke-OnTestHost $web 'rm -rf /srv/platforms/hello9'
            Remove-AegirServer web9 -Force
        }
    }

    It 'warns when a backup finds a site''s folder replaced by a link on the server, and follows nothing' {
        $null = Invoke-OnTestHost $web 'mv /srv/platforms/kept/uploads/kept.test /srv/kept-real && ln -s /etc /srv/platforms/kept/uploads/kept.test'
        try {
            $backup = Backup-AegirSite kept.test -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
            "$warned" | Should -Match 'uploads/kept.test on .@server_web1. is a link, not a folder: it is not followed'
            (zstd -dc $backup.Path | tar -t) -join ' ' | Should -Not -Match 'passwd|uploads'
        }
        finally { $null = Invoke-OnTestHost $web 'rm /srv/platforms/kept/uploads/kept.test && mv /srv/kept-real /srv/platforms/kept/uploads/kept.test' }
    }

    It 'says how to connect to another machine whose record has no SSH settings' {
        $null = New-AegirServer web9 -RemoteHost 192.0.2.9 -HttpServiceType nginx
        { Invoke-AegirVerify server_web9 -ErrorAction Stop } | Should -Throw -ErrorId 'ServerUnreachable*' -ExpectedMessage '*Set-AegirServer server_web9 -SshUser root -SshKeyPath*'
        # A server recorded with no services takes a web service later.
        $null = New-AegirServer plain -RemoteHost 192.0.2.5
        (Set-AegirServer plain -HttpServiceType nginx -PassThru -ErrorAction Stop).Http.Type | Should -Be 'nginx'
    }
}

Describe 'Sites on web server A with their databases on database server B, moved to web server C' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        Install-TestPackage wordpress
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $a = New-TestHost weba
        $b = New-TestHost dbb
        $c = New-TestHost webc
        $admin = Initialize-RemoteTrio $a $b $c
        $null = Invoke-AegirVerify server_weba, server_webc, server_dbb -ErrorAction Stop

        # WordPress, and an application known by its manifest only, whose installer makes its table from the environment.
        $null = Invoke-OnTestHost $a 'mkdir -p /srv/platforms && cp -rL /usr/share/wordpress /srv/platforms/wp'
        $app = Join-Path $work 'notes'
        Write-NotesApp $app
        Copy-ToTestHost $a $app /srv/platforms
        Copy-ToTestHost $c $app /srv/platforms
        $null = New-AegirPlatform wp -Root /srv/platforms/wp -WebServer weba -ErrorAction Stop
        $null = New-AegirPlatform notes -Root /srv/platforms/notes -WebServer weba -ErrorAction Stop
        $null = New-AegirPlatform notesc -Root /srv/platforms/notes -WebServer webc -ErrorAction Stop
        $null = New-AegirSite wp.test -Platform wp -DbServer dbb -Title 'Remote WP' -ErrorAction Stop
        $null = New-AegirSite notes.test -Platform notes -DbServer dbb -ErrorAction Stop

        function Get-Page([string] $Site, $On = $a) {
            $r = Invoke-WebRequest -Headers @{ Host = $Site } "http://$($On.Address)/" -SkipHttpErrorCheck -MaximumRedirection 0
            [pscustomobject]@{ Status = [int]$r.StatusCode; Body = "$($r.Content)" }
        }
        function Get-Grants([string] $User) { @(Invoke-TestHostSql $b "SELECT Host FROM mysql.user WHERE User = '$User' ORDER BY Host") }
        $ownAddress = ((ip -o route get $b.Address) -split ' ')[((ip -o route get $b.Address) -split ' ').IndexOf('src') + 1]
    }
    AfterAll {
        Remove-TestHost $a
        Remove-TestHost $b
        Remove-TestHost $c
        Remove-Item -Recurse -Force $work -ErrorAction Ignore
    }

    It 'installs both on A, their data on B, answering over HTTP through A' {
        (Get-Page wp.test).Body | Should -Match '<title>Remote WP</title>'
        (Get-Page notes.test).Body | Should -Be 'notes of notes.test: first note (weba)'
        Invoke-TestHostSql $b "SELECT option_value FROM wptest.wp_options WHERE option_name = 'blogname'" | Should -Be 'Remote WP'
        Invoke-TestHostSql $b 'SELECT body FROM notestest.notes' | Should -Be 'first note'
        Invoke-OnTestHost $a 'ls /var/aegir/config/server_weba/nginx/vhost.d' | Should -Be @('notes.test.conf', 'wp.test.conf')
    }

    It 'grants each site''s account to the addresses B sees A and the control machine come from, never loopback' {
        Get-Grants wptest | Should -Be (@($a.Address, $ownAddress) | Sort-Object)
        Get-Grants notestest | Should -Be (@($a.Address, $ownAddress) | Sort-Object)
    }

    It 'backs up to the control machine and restores across the two' {
        $backup = Backup-AegirSite wp.test -ErrorAction Stop
        $backup.Path | Should -BeLike "$env:AEGIR_HOME/backups/*"
        $null = Invoke-TestHostSql $b "UPDATE wptest.wp_options SET option_value = 'Changed' WHERE option_name = 'blogname'"
        (Get-Page wp.test).Body | Should -Match '<title>Changed</title>'
        $null = $backup | Restore-AegirSite -Force -ErrorAction Stop
        (Get-Page wp.test).Body | Should -Match '<title>Remote WP</title>'
        Invoke-OnTestHost $a 'ls -A /tmp' | Should -BeNullOrEmpty -Because 'no copy of a dump lingers on the web server'
        Invoke-OnTestHost $b 'ls -A /tmp' | Should -BeNullOrEmpty -Because 'nor on the database server'
    }

    It 'clones across the two, and removes the clone from both' {
        $null = Copy-AegirSite notes.test notes2.test -ErrorAction Stop
        (Get-Page notes2.test).Body | Should -Be 'notes of notes2.test: first note (weba)'
        Get-Grants notes2test | Should -Be (@($a.Address, $ownAddress) | Sort-Object)
        $null = Remove-AegirSite notes2.test -Confirm:$false -ErrorAction Stop
        (Get-Page notes2.test).Body | Should -Not -Match 'notes2'
        Invoke-TestHostSql $b "SHOW DATABASES LIKE 'notes2%'" | Should -BeNullOrEmpty
        Get-Grants notes2test | Should -BeNullOrEmpty
        Invoke-OnTestHost $a 'ls /var/aegir/config/server_weba/nginx/vhost.d' | Should -Not -Contain 'notes2.test.conf'
    }

    It 'disables and enables a site there' {
        $null = Disable-AegirSite notes.test -ErrorAction Stop
        (Get-Page notes.test).Body | Should -Not -Match 'first note'
        $null = Enable-AegirSite notes.test -ErrorAction Stop
        (Get-Page notes.test).Body | Should -Be 'notes of notes.test: first note (weba)'
    }

    It 'fails an install whose database server stops midway, naming it; undone on A at once and on B once it answers again' {
        $slow = Join-Path $work 'slow'
        Write-Tree $slow @{
            '.aegir.yml'      = "name: Slow`nversion_command: [echo, 1.0]`ninstall: [php, bin/install.php]`ninstalled_tables: [slow]`n"
            'index.php'       = '<?php echo "slow";'
            'bin/install.php' = '<?php sleep(3); $db = new mysqli(getenv("db_host"), getenv("db_user"), getenv("db_passwd"), getenv("db_name"), (int)getenv("db_port")); $db->query("CREATE TABLE slow (x INT)");'
        }
        Copy-ToTestHost $a $slow /srv/platforms
        $null = New-AegirPlatform slow -Root /srv/platforms/slow -WebServer weba -ErrorAction Stop
        $child = Start-AegirChild -Script "`$env:AEGIR_HOME = '$env:AEGIR_HOME'; New-AegirSite slow.test -Platform slow -DbServer dbb -ErrorAction Stop"
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            while (-not (Invoke-OnTestHost $a 'pgrep -f "[p]hp bin/install.php" || true') -and $clock.Elapsed.TotalSeconds -lt 60) { Start-Sleep -Milliseconds 100 }
            Invoke-OnTestHost $a 'pgrep -f "[p]hp bin/install.php" || true' | Should -Not -BeNullOrEmpty -Because 'the installer runs on A'
            Stop-TestHostMariaDb $b
            $child.WaitForExit(120000) | Should -BeTrue
            $child.ExitCode | Should -Not -Be 0
        }
        finally { if (-not $child.HasExited) { $child.Kill($true) } }
        try {
            # A holds nothing of it at once; B's database waits for B.
            Invoke-OnTestHost $a 'ls -A /var/aegir/config/server_weba/nginx/vhost.d' | Should -Not -Contain 'slow.test.conf'
            $task = Get-AegirTask -Target slow.test -First 1
            $task.Status | Should -Be 'Failed'
            ($task.Log.Message -join "`n") | Should -Match '@server_dbb'
            # The database server is named as the cause, not the installer or its manifest.
            $task.Error | Should -Match "does not answer for the site's account"
            $task.Error | Should -Match "Check that the database server '@server_dbb' runs"
            $task.Error | Should -Not -Match 'manifest|\.aegir\.yml'
        }
        finally { Start-TestHostMariaDbProcess $b }
        Invoke-TestHostSql $b "SHOW DATABASES LIKE 'slowtest%'" | Should -Not -BeNullOrEmpty -Because 'B was down when the task failed: its database waits for the next task'
        { Invoke-AegirVerify slow.test -ErrorAction Stop } | Should -Throw -ExpectedMessage "No context named '@slow.test'*"
        Invoke-TestHostSql $b "SHOW DATABASES LIKE 'slowtest%'" | Should -BeNullOrEmpty
        Get-Grants slowtest | Should -BeNullOrEmpty
        (Get-Page notes.test).Body | Should -Be 'notes of notes.test: first note (weba)' -Because 'the other sites on A and B were never touched'
    }

    It 'repairs an install whose controller was killed while the installer ran on A: nothing of it is left on A or B' {
        $child = Start-AegirChild -Script "`$env:AEGIR_HOME = '$env:AEGIR_HOME'; New-AegirSite killed.test -Platform slow -DbServer dbb -ErrorAction Stop"
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            while (-not (Invoke-OnTestHost $a 'pgrep -f "[p]hp bin/install.php" || true') -and $clock.Elapsed.TotalSeconds -lt 60) { Start-Sleep -Milliseconds 100 }
            Invoke-OnTestHost $a 'pgrep -f "[p]hp bin/install.php" || true' | Should -Not -BeNullOrEmpty -Because 'the installer runs on A'
        }
        finally { $child.Kill($true); $child.WaitForExit() }
        # The installer goes with the connection that ran it.
        $clock = [Diagnostics.Stopwatch]::StartNew()
        while ((Invoke-OnTestHost $a 'pgrep -f "[p]hp bin/install.php" || true') -and $clock.Elapsed.TotalSeconds -lt 10) { Start-Sleep -Milliseconds 200 }
        Invoke-OnTestHost $a 'pgrep -f "[p]hp bin/install.php" || true' | Should -BeNullOrEmpty
        Invoke-TestHostSql $b "SHOW DATABASES LIKE 'killedtest%'" | Should -Not -BeNullOrEmpty -Because 'the kill left its database for the repair'
        # The next verify of A repairs it: nobody need know the site's name.
        $null = Invoke-AegirVerify server_weba -ErrorAction Stop -WarningVariable repaired -WarningAction SilentlyContinue
        "$repaired" | Should -Match "Repairing that task \(install on '@killed.test'\)"
        Get-AegirSite killed.test -ErrorAction Ignore | Should -BeNullOrEmpty
        Invoke-TestHostSql $b "SHOW DATABASES LIKE 'killedtest%'" | Should -BeNullOrEmpty
        Get-Grants killedtest | Should -BeNullOrEmpty
        Invoke-OnTestHost $a 'ls -A /var/aegir/config/server_weba/nginx/vhost.d' | Should -Not -Contain 'killed.test.conf'
        Invoke-OnTestHost $a 'ls -A /srv/platforms/slow/files 2>/dev/null || true' | Should -Not -Contain 'killed.test'
        Invoke-OnTestHost $a 'ls -A /tmp' | Should -BeNullOrEmpty
        Invoke-OnTestHost $b 'ls -A /tmp' | Should -BeNullOrEmpty
    }

    It 'fails a move to C while C cannot be reached, naming C; the site answers from A as before' {
        $null = Invoke-OnTestHost $c 'ip link set dev $(ls /sys/class/net | grep ^atg) down'
        try {
            [Aegir.Core.Transport.TransportFactory]::CloseIdle()
            { Move-AegirSite notes.test -Platform notesc -ErrorAction Stop } | Should -Throw -ErrorId 'ServerUnreachable*' -ExpectedMessage "*@server_webc*"
        }
        finally { $null = Invoke-OnTestHost $c "ip link set dev `$(ls /sys/class/net | grep ^atg) up && ip route replace default via $($c.Address -replace '\.2$', '.1')" }
        (Get-AegirSite notes.test).PlatformName | Should -Be 'platform_notes'
        (Get-Page notes.test).Body | Should -Be 'notes of notes.test: first note (weba)'
        Invoke-OnTestHost $c 'ls -A /var/aegir/config/server_webc/nginx/vhost.d' | Should -BeNullOrEmpty
    }

    It 'moves a site from A to C: it answers from C with its data, and nothing of it is left on A' {
        $null = Invoke-TestHostSql $b "UPDATE notestest.notes SET body = 'moved note'"
        $null = Move-AegirSite notes.test -Platform notesc -ErrorAction Stop
        (Get-Page notes.test -On $c).Body | Should -Be 'notes of notes.test: moved note (webc)'
        $db = (Get-AegirSite notes.test).DbName
        Get-Grants $db | Should -Be (@($c.Address, $ownAddress) | Sort-Object) -Because 'the grant follows the site to the web server it now runs on'
        Invoke-OnTestHost $a 'ls -A /var/aegir/config/server_weba/nginx/vhost.d' | Should -Not -Contain 'notes.test.conf'
        Invoke-OnTestHost $c 'ls -A /var/aegir/config/server_webc/nginx/vhost.d' | Should -Contain 'notes.test.conf'
        @(Invoke-TestHostSql $b "SHOW DATABASES LIKE 'notestest%'") | Should -Be @($db)
    }

    It 'clones a site on C to a platform on A: the copy answers from A with its data, the original from C' {
        $null = Copy-AegirSite notes.test notesback.test -Platform notes -ErrorAction Stop
        (Get-Page notesback.test).Body | Should -Be 'notes of notesback.test: moved note (weba)'
        (Get-Page notes.test -On $c).Body | Should -Be 'notes of notes.test: moved note (webc)'
        $db = (Get-AegirSite notesback.test).DbName
        Get-Grants $db | Should -Be (@($a.Address, $ownAddress) | Sort-Object) -Because 'the copy runs on A'
        Invoke-OnTestHost $c 'ls -A /var/aegir/config/server_webc/nginx/vhost.d' | Should -Not -Contain 'notesback.test.conf'
        $null = Remove-AegirSite notesback.test -Confirm:$false -ErrorAction Stop
        Invoke-TestHostSql $b "SHOW DATABASES LIKE '$db'" | Should -BeNullOrEmpty
        Invoke-OnTestHost $a 'ls -A /var/aegir/config/server_weba/nginx/vhost.d' | Should -Not -Contain 'notesback.test.conf'
    }

    It 'removes a site from both machines, its logs too' {
        Invoke-OnTestHost $a 'ls -A /var/aegir/logs/server_weba' | Should -Contain 'wp.test.access.log'
        $null = Remove-AegirSite wp.test -Confirm:$false -ErrorAction Stop
        Invoke-OnTestHost $a 'ls -A /var/aegir/logs/server_weba' | Where-Object { $_ -like 'wp.test.*' } | Should -BeNullOrEmpty
        Invoke-TestHostSql $b "SHOW DATABASES LIKE 'wptest'" | Should -BeNullOrEmpty
        Get-Grants wptest | Should -BeNullOrEmpty
        Invoke-OnTestHost $a 'ls -A /var/aegir/config/server_weba/nginx/vhost.d' | Should -BeNullOrEmpty
        Invoke-OnTestHost $a 'ls /srv/platforms/wp/wp-content/uploads/sites 2>/dev/null' | Should -BeNullOrEmpty
    }
}

Describe 'A site on web server A with its database on PostgreSQL server B, moved to PostgreSQL server C' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $a = New-TestHost weba
        $b = New-TestHost pgb
        $c = New-TestHost pgc
        Start-TestHostWeb $a
        $pgAdmin = Start-TestHostPostgreSql $b
        $cAdmin = Start-TestHostPostgreSql $c
        $null = New-AegirServer weba -RemoteHost $a.Address -SshKeyPath $a.KeyPath -HostKeyFingerprint $a.Fingerprint -HttpServiceType nginx
        $null = New-AegirServer pgb -RemoteHost $b.Address -SshKeyPath $b.KeyPath -HostKeyFingerprint $b.Fingerprint -DbServiceType postgresql -DbAdminCredential $pgAdmin
        $null = New-AegirServer pgc -RemoteHost $c.Address -SshKeyPath $c.KeyPath -HostKeyFingerprint $c.Fingerprint -DbServiceType postgresql -DbAdminCredential $cAdmin
        $null = Invoke-AegirVerify server_weba, server_pgb, server_pgc -ErrorAction Stop
        $app = Join-Path $work 'visits'
        Write-Tree $app @{
            'index.php' = @'
<?php
$e = static fn(string $k) => $_SERVER[$k] ?? getenv($k);
$dsn = $e('db_type') === 'pgsql' ? "pgsql:host={$e('db_host')};port={$e('db_port')};dbname={$e('db_name')}" : "mysql:host={$e('db_host')};port={$e('db_port')};dbname={$e('db_name')}";
$db = new PDO($dsn, $e('db_user'), $e('db_passwd'), [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$db->exec('CREATE TABLE IF NOT EXISTS visits (at VARCHAR(40))');
$db->prepare('INSERT INTO visits VALUES (?)')->execute([date('c')]);
echo 'type=', $e('db_type'), ' host=', $e('db_host'), ' visits=', $db->query('SELECT COUNT(*) FROM visits')->fetchColumn();
'@
        }
        Copy-ToTestHost $a $app /srv/platforms
        $null = New-AegirPlatform visits -Root /srv/platforms/visits -WebServer weba -ErrorAction Stop
        $null = New-AegirSite pg.test -Platform visits -DbServer pgb -ErrorAction Stop
        function Get-Page { (Invoke-WebRequest -Headers @{ Host = 'pg.test' } "http://$($a.Address)/").Content }
        $hba = Invoke-TestHostPgSql $b "SELECT current_setting('hba_file')"
    }
    AfterAll {
        Remove-TestHost $a
        Remove-TestHost $b
        Remove-TestHost $c
        Remove-Item -Recurse -Force $work -ErrorAction Ignore
    }

    It 'answers through A from its database on B, let in by pg_hba.conf there from A''s address only' {
        $page = Get-Page
        $page | Should -Match "^type=pgsql host=$([regex]::Escape($b.Address)) visits=\d+$"
        $db = (Get-AegirSite pg.test).DbName
        Invoke-TestHostPgSql $b 'SELECT COUNT(*) FROM visits' -Database $db | Should -Be ($page -replace '.*visits=', '')
        $rules = @(Invoke-OnTestHost $b "grep -E '^host\s+\`"?$db\`"?\s' $hba")
        $rules | Should -Not -BeNullOrEmpty
        ($rules -join "`n") | Should -Match ([regex]::Escape($a.Address))
        ($rules -join "`n") | Should -Not -Match '127\.0\.0\.1|::1'
    }

    It 'moves its database from B to C, keeping its data, and leaves nothing of it on B' {
        $before = (Get-AegirSite pg.test).DbName
        $visits = [int](Invoke-TestHostPgSql $b 'SELECT COUNT(*) FROM visits' -Database $before)
        $null = Move-AegirSite pg.test -DbServer pgc -ErrorAction Stop
        $page = Get-Page
        $page | Should -Match "^type=pgsql host=$([regex]::Escape($c.Address)) visits=\d+$"
        [int]($page -replace '.*visits=', '') | Should -BeGreaterThan $visits -Because 'the rows written on B came along'
        $after = (Get-AegirSite pg.test).DbName
        ((Invoke-OnTestHost $c "grep -E '^host\s+\`"?$after\`"?\s' $hba") -join "`n") | Should -Match ([regex]::Escape($a.Address))
        Invoke-TestHostPgSql $b "SELECT COUNT(*) FROM pg_database WHERE datname = '$before'" | Should -Be '0'
        Invoke-TestHostPgSql $b "SELECT COUNT(*) FROM pg_roles WHERE rolname = '$before'" | Should -Be '0'
        @(Invoke-OnTestHost $b "grep -cE '^host\s+\`"?$before\`"?\s' $hba || true") | Should -Be '0'
    }
}
