# HTTPS on a real local server: nginx and Apache serve sites over TLS with the store's certificate, send HTTP to
# HTTPS with HSTS when it is required, serve one ACME challenge folder for every site whatever its state, and give no
# site's certificate to a name no site has. Requests are real (curl and .NET over TLS to 127.0.0.1).
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'HTTPS' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $null = Start-AegirLocalServer master -HttpServiceType nginx
        $null = Start-AegirLocalServer apachebox -HttpServiceType apache -NoDatabase
        $app = '<?php echo "site=", $_SERVER["aegir_site"], " https=", $_SERVER["HTTPS"] ?? "off", " url=", $_SERVER["aegir_url"], "\n";'
        foreach ($name in 'tlsn', 'tlsa') {
            $null = New-Item -ItemType Directory -Force "$work/platforms/$name"
            Set-Content "$work/platforms/$name/index.php" $app
        }
        $null = New-AegirPlatform tlsn "$work/platforms/tlsn"
        $null = New-AegirPlatform tlsa "$work/platforms/tlsa" -WebServer apachebox

        function Get-Ports([string] $Server) {
            $s = Get-AegirServer $Server
            [pscustomobject]@{ Http = $s.Http.GetInt('port'); Https = $s.Http.GetInt('https_port'); Acme = $s.Http.Get('acme_webroot') }
        }
    }
    AfterAll {
        Stop-AegirLocalServer apachebox -RemoveData -Confirm:$false
        Stop-AegirLocalServer master -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    Describe 'On <Server>' -ForEach @(
        @{ Server = 'master'; Platform = 'tlsn'; X = 'n' }
        @{ Server = 'apachebox'; Platform = 'tlsa'; X = 'a' }
    ) {
        BeforeAll { $ports = Get-Ports $Server }

        It 'serves a Required site and its alias over HTTPS with a certificate for both, and sends HTTP there with a 301 and HSTS' {
            $uri = "req$X.test"
            $site = New-AegirSite $uri -Platform $Platform -Alias "www.$uri" -Https Required -WarningVariable warned 3>$null
            $site.Status | Should -Be 'Installed'
            "$warned" | Should -Match "no public CA signs $([regex]::Escape($uri))"
            $cert = Get-AegirCertificate $uri
            $cert.Names | Should -Be @($uri, "www.$uri")
            $cert.Source | Should -Be 'LetsEncrypt'
            $cert.SelfSigned | Should -BeTrue
            $cert.DaysLeft | Should -BeGreaterThan 300
            $pem = Get-StoredPem $uri
            foreach ($name in $uri, "www.$uri") {
                # curl checks the certificate's names against the host it asked for, trusting the stored certificate alone.
                $answer = Invoke-Tls $name $ports.Https $pem
                $answer.Exit | Should -Be 0 -Because $answer.Body
                $answer.Headers | Should -Match '^HTTP/2 200'
                $answer.Headers | Should -Match '(?mi)^strict-transport-security: max-age=31536000'
                $answer.Body | Should -Be "site=$uri https=on url=https://${uri}:$($ports.Https)"
                (Get-ServedCertificate $name $ports.Https).GetCertHashString('SHA256') | Should -Be $cert.Thumbprint
            }
            $http = Invoke-Site -Port $ports.Http -HostName "www.$uri" -Path '/a/b?c=d'
            $http.Status | Should -Be 301
            $http.Location | Should -Be "https://www.${uri}:$($ports.Https)/a/b?c=d"
            # The key as the web server reads it: root's alone.
            $key = Get-Item "$env:AEGIR_HOME/config/server_$Server/tls/$uri.key"
            $key.UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
            (stat -c '%U' $key.FullName) | Should -Be 'root'
        }

        It 'serves the one ACME challenge folder to every name over HTTP, unredirected, even on a disabled site' {
            $uri = "req$X.test"
            $token = "tok$X-$([guid]::NewGuid().ToString('N'))"
            Set-Content "$($ports.Acme)/.well-known/acme-challenge/$token" "answer-$token"
            foreach ($name in $uri, "www.$uri") {
                $answer = Invoke-Site -Port $ports.Http -HostName $name -Path "/.well-known/acme-challenge/$token"
                $answer.Status | Should -Be 200
                $answer.Body.Trim() | Should -Be "answer-$token"
            }
            $null = Disable-AegirSite $uri
            (Invoke-Tls $uri $ports.Https (Get-StoredPem $uri)).Headers | Should -Match '^HTTP/2 503'
            (Invoke-Site -Port $ports.Http -HostName $uri -Path "/.well-known/acme-challenge/$token").Body.Trim() | Should -Be "answer-$token"
            (Invoke-Site -Port $ports.Http -HostName $uri -Path '/.well-known/acme-challenge/none').Status | Should -Be 404
            $null = Enable-AegirSite $uri
            (Invoke-Tls $uri $ports.Https (Get-StoredPem $uri)).Headers | Should -Match '^HTTP/2 200'
        }

        It 'serves an Enabled site over both HTTP and HTTPS, without HSTS' {
            $uri = "both$X.test"
            $null = New-AegirSite $uri -Platform $Platform -Https Enabled -CertificateSource SelfSigned -WarningVariable warned 3>$null
            "$warned" | Should -Not -Match 'self-signed certificate'
            (Get-AegirCertificate $uri).Source | Should -Be 'SelfSigned'
            $http = Invoke-Site -Port $ports.Http -HostName $uri
            $http.Status | Should -Be 200
            $http.Body.Trim() | Should -Be "site=$uri https=off url=https://${uri}:$($ports.Https)"
            $tls = Invoke-Tls $uri $ports.Https (Get-StoredPem $uri)
            $tls.Headers | Should -Match '^HTTP/2 200'
            $tls.Headers | Should -Not -Match '(?i)strict-transport-security'
        }

        It 'serves a certificate file given, and refuses a hostile one with the site served as before' {
            $uri = "file$X.test"
            $good = New-TestCertificate -Names $uri -Dir "$TestDrive/good$X"
            $null = New-AegirSite $uri -Platform $Platform -Https Required -CertificatePath $good.Chain -CertificateKeyPath $good.Key
            (Get-AegirCertificate $uri).Source | Should -Be 'File'
            $answer = Invoke-Tls $uri $ports.Https $good.Root
            $answer.Exit | Should -Be 0 -Because $answer.Body
            $answer.Body | Should -Match "^site=$([regex]::Escape($uri)) https=on"
            (Get-ServedCertificate $uri $ports.Https).GetCertHashString('SHA256') | Should -Be $good.Thumbprint

            $vhost = Get-ChildItem -Recurse "$env:AEGIR_HOME/config/server_$Server" -Filter "$uri.conf" | Select-Object -First 1
            $before = Get-FileHash $vhost.FullName
            $other = New-TestCertificate -Names $uri -Dir "$TestDrive/other$X"
            { Set-AegirSite $uri -CertificatePath $good.Chain -CertificateKeyPath $other.Key -ErrorAction Stop } | Should -Throw -ErrorId 'CertificateRefused*'
            $elsewhere = New-TestCertificate -Names "elsewhere$X.test" -Dir "$TestDrive/names$X"
            { Set-AegirSite $uri -CertificatePath $elsewhere.Chain -CertificateKeyPath $elsewhere.Key -ErrorAction Stop } | Should -Throw "*does not cover $uri*"
            $link = "$TestDrive/link$X.pem"
            $null = New-Item -ItemType SymbolicLink $link -Target $good.Chain
            { Set-AegirSite $uri -CertificatePath $link -CertificateKeyPath $good.Key -ErrorAction Stop } | Should -Throw '*symbolic link*'
            (Get-FileHash $vhost.FullName).Hash | Should -Be $before.Hash
            (Get-AegirCertificate $uri).Thumbprint | Should -Be $good.Thumbprint
            (Get-ServedCertificate $uri $ports.Https).GetCertHashString('SHA256') | Should -Be $good.Thumbprint
        }

        It 'gives a copy of a site whose certificate file was for its own name a certificate for the copy''s' {
            $uri = "file$X.test"
            $copy = "copy$X.test"
            $null = Copy-AegirSite $uri -NewUri $copy
            $site = Get-AegirSite $copy
            $site.Https | Should -Be 'Required'
            $site.CertificateSource | Should -Be 'SelfSigned'
            $cert = Get-AegirCertificate $copy
            $cert.Names | Should -Be @($copy)
            (Invoke-Tls $copy $ports.Https (Get-StoredPem $copy)).Body | Should -Match "^site=$([regex]::Escape($copy)) https=on"
            # The original keeps its own, the file given.
            (Get-ServedCertificate $uri $ports.Https).GetCertHashString('SHA256') | Should -Be (Get-AegirCertificate $uri).Thumbprint
            (Get-AegirCertificate $uri).Source | Should -Be 'File'
        }

        It 'turns HTTPS on and off for an installed site, its certificate pushed and taken away with its vhost' {
            $uri = "later$X.test"
            $null = New-AegirSite $uri -Platform $Platform
            (Invoke-Site -Port $ports.Http -HostName $uri).Status | Should -Be 200
            $set = Set-AegirSite $uri -Https Required -CertificateSource SelfSigned -PassThru
            $set.Https | Should -Be 'Required'
            $set.Url | Should -Be "https://${uri}:$($ports.Https)/"
            (Get-AegirTask -Target $uri -First 1).Log.Message | Should -Contain "Checking that https://$uri/ answers"
            (Invoke-Tls $uri $ports.Https (Get-StoredPem $uri)).Body | Should -Be "site=$uri https=on url=https://${uri}:$($ports.Https)"
            (Invoke-Site -Port $ports.Http -HostName $uri).Status | Should -Be 301
            $null = Set-AegirSite $uri -Https Disabled
            (Invoke-Site -Port $ports.Http -HostName $uri).Body.Trim() | Should -Be "site=$uri https=off url=http://${uri}:$($ports.Http)"
            Test-Path "$env:AEGIR_HOME/config/server_$Server/tls/$uri.key" | Should -BeFalse
            # Its name over TLS is now a name no site serves there.
            if ($Server -eq 'master') { { Get-ServedCertificate $uri $ports.Https } | Should -Throw }
            else { (Get-ServedCertificate $uri $ports.Https).Subject | Should -Be 'CN=default.invalid' }
        }

        It 'gives no site''s certificate to a name no site has' {
            if ($Server -eq 'master') {
                { Get-ServedCertificate "nobody$X.test" $ports.Https } | Should -Throw
            }
            else {
                $served = Get-ServedCertificate "nobody$X.test" $ports.Https
                $served.Subject | Should -Be 'CN=default.invalid'
                $status = & curl -sS -k -o /dev/null -w '%{http_code}' --resolve "nobody$X.test:$($ports.Https):127.0.0.1" "https://nobody$X.test:$($ports.Https)/"
                $status | Should -Be '404'
            }
        }

        It 'gives a renamed site a certificate for its new name, and removing a site removes its certificate and key' {
            $uri = "both$X.test"
            $new = "renamed$X.test"
            $null = Rename-AegirSite $uri -NewUri $new -Force
            (Get-AegirCertificate $new).Names | Should -Be @($new)
            Test-Path "$env:AEGIR_HOME/certificates/$uri" | Should -BeFalse
            (Invoke-Tls $new $ports.Https (Get-StoredPem $new)).Headers | Should -Match '^HTTP/2 200'
            $null = Remove-AegirSite $new -NoBackup -Force
            Test-Path "$env:AEGIR_HOME/certificates/$new" | Should -BeFalse
            Test-Path "$env:AEGIR_HOME/config/server_$Server/tls/$new.key" | Should -BeFalse
            Test-Path "$env:AEGIR_HOME/config/server_$Server/tls/$new.crt" | Should -BeFalse
        }
    }
}
