# IPv6 on a real local server: with listen_address * on a machine whose kernel has IPv6, nginx and Apache serve a
# site over IPv6 as well as IPv4, over HTTP and HTTPS, and a name no site has gets no site there either; an address
# given is listened on alone. Requests are real (curl to [::1] and 127.0.0.1).
BeforeDiscovery {
    . $PSScriptRoot/IntegrationHelpers.ps1
    $ipv6 = (Test-Path /proc/net/if_inet6) -and "$(Get-Content /proc/sys/net/ipv6/conf/all/disable_ipv6 -ErrorAction Ignore)".Trim() -eq '0'
    $skip = -not (Test-IsRoot) -or -not $ipv6
}

Describe 'IPv6' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        # Every address, as a production server listens by default (a local server's own default is 127.0.0.1).
        $null = Start-AegirLocalServer master -HttpServiceType nginx -ListenAddress '*'
        $null = Start-AegirLocalServer v6apache -HttpServiceType apache -NoDatabase -ListenAddress '*'
        $null = Start-AegirLocalServer v6four -HttpServiceType nginx -NoDatabase
        # Each page says which site answered, over which scheme, and from which family the request came.
        $app = '<?php echo "site=", $_SERVER["aegir_site"], " https=", $_SERVER["HTTPS"] ?? "off", " from=", $_SERVER["REMOTE_ADDR"], "\n";'
        foreach ($name in 'v6n', 'v6a', 'v6f') {
            $null = New-Item -ItemType Directory -Force "$work/platforms/$name"
            Set-Content "$work/platforms/$name/index.php" $app
        }
        $null = New-AegirPlatform v6n "$work/platforms/v6n"
        $null = New-AegirPlatform v6a "$work/platforms/v6a" -WebServer v6apache
        $null = New-AegirPlatform v6f "$work/platforms/v6f" -WebServer v6four

        # curl to an address as a visitor of the name (-g: [::1] is an address, not a glob); status and body.
        # Certificates are checked by Https.Tests.ps1: -k here, the page's content is what is asserted.
        function Invoke-Curl([string] $Address, [string] $HostName, [int] $Port, [switch] $Tls) {
            $scheme = if ($Tls) { 'https' } else { 'http' }
            $body = Join-Path $TestDrive "b-$([guid]::NewGuid().ToString('N')).txt"
            $status = & curl -g -sS -k --max-time 20 -o $body -w '%{http_code}' --connect-to "${HostName}:${Port}:${Address}:$Port" "${scheme}://${HostName}:$Port/" 2>&1
            [pscustomobject]@{ Exit = $LASTEXITCODE; Status = "$status"; Body = $(if (Test-Path $body) { (Get-Content -Raw $body).Trim() } else { '' }) }
        }
    }
    AfterAll {
        Stop-AegirLocalServer v6four -RemoveData -Confirm:$false
        Stop-AegirLocalServer v6apache -RemoveData -Confirm:$false
        Stop-AegirLocalServer master -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    Describe 'On <Server>' -ForEach @(
        @{ Server = 'master'; Platform = 'v6n'; X = 'n' }
        @{ Server = 'v6apache'; Platform = 'v6a'; X = 'a' }
    ) {
        BeforeAll {
            $s = Get-AegirServer $Server
            $ports = [pscustomobject]@{ Http = $s.Http.GetInt('port'); Https = $s.Http.GetInt('https_port') }
        }

        It 'serves a site over IPv6 and IPv4 alike' {
            $uri = "v6plain$X.test"
            (New-AegirSite $uri -Platform $Platform).Status | Should -Be 'Installed'
            $v6 = Invoke-Curl '[::1]' $uri $ports.Http
            $v6.Exit | Should -Be 0 -Because $v6.Status
            $v6.Status | Should -Be '200'
            $v6.Body | Should -Be "site=$uri https=off from=::1"
            $v4 = Invoke-Curl '127.0.0.1' $uri $ports.Http
            $v4.Status | Should -Be '200'
            $v4.Body | Should -Be "site=$uri https=off from=127.0.0.1"
        }

        It 'serves an HTTPS site over IPv6 and IPv4, on both schemes' {
            $uri = "v6tls$X.test"
            (New-AegirSite $uri -Platform $Platform -Https Enabled -CertificateSource SelfSigned).Status | Should -Be 'Installed'
            foreach ($address in '[::1]', '127.0.0.1') {
                $from = $address.Trim('[', ']')
                $tls = Invoke-Curl $address $uri $ports.Https -Tls
                $tls.Exit | Should -Be 0 -Because $tls.Status
                $tls.Status | Should -Be '200'
                $tls.Body | Should -Be "site=$uri https=on from=$from"
                $http = Invoke-Curl $address $uri $ports.Http
                $http.Status | Should -Be '200'
                $http.Body | Should -Be "site=$uri https=off from=$from"
            }
        }

        It 'gives a name no site has no site''s page over IPv6' {
            $http = Invoke-Curl '[::1]' "nobody$X.test" $ports.Http
            $http.Status | Should -Be '404'
            $http.Body | Should -Not -Match 'site='
            $tls = Invoke-Curl '[::1]' "nobody$X.test" $ports.Https -Tls
            if ($Server -eq 'master') { $tls.Exit | Should -Not -Be 0 -Because 'nginx refuses the handshake for a name no site has' }
            else { $tls.Status | Should -Be '404'; $tls.Body | Should -Not -Match 'site=' }
        }
    }

    It 'listens on an IPv4 address given alone, and nowhere else' {
        $uri = 'v6four.test'
        (New-AegirSite $uri -Platform v6f).Status | Should -Be 'Installed'
        (Get-AegirServer v6four).Http.Get('listen_address') | Should -Be '127.0.0.1'
        $port = (Get-AegirServer v6four).Http.GetInt('port')
        (Invoke-Curl '127.0.0.1' $uri $port).Body | Should -Be "site=$uri https=off from=127.0.0.1"
        $v6 = Invoke-Curl '[::1]' $uri $port
        $v6.Exit | Should -Be 7 -Because "nothing listens on [::1]:$port ($($v6.Status) $($v6.Body))"
    }

    It 'refuses to move a started server to another listen address, and changes nothing' {
        $before = Get-Content -Raw (Get-AegirServer v6four).Path
        { Start-AegirLocalServer v6four -HttpServiceType nginx -NoDatabase -ListenAddress '*' -ErrorAction Stop } | Should -Throw '*a reload cannot move its listeners*'
        Get-Content -Raw (Get-AegirServer v6four).Path | Should -Be $before
        (Invoke-Curl '127.0.0.1' 'v6four.test' (Get-AegirServer v6four).Http.GetInt('port')).Status | Should -Be '200'
    }
}
