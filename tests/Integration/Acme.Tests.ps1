# ACME on real local servers (nginx, and Apache) against private Pebbles on 127.0.0.1 (Debian's pebble, with pebble-challtestsrv as the
# DNS that answers every name with 127.0.0.1): each Pebble validates HTTP-01 at a local web server's port, their roots are
# trusted only inside this test (-AcmeRootCertificate). Certificates are issued for a site and its aliases, served
# (curl with Pebble's root), renewed by Update-AegirCertificate -Force and by the queue's schedule, and a failed
# challenge (a second Pebble that validates at a port nothing listens on) leaves the old certificate serving and the
# site flagged unhealthy. Pebble's certificates last 10 days here: every one is within the 30 days that make it due,
# and within the 14 that make a failing renewal an unhealthy site.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'ACME with Pebble' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        Install-TestPackage lego
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $null = Start-AegirLocalServer master -HttpServiceType nginx
        $null = Start-AegirLocalServer acmeapache -HttpServiceType apache -NoDatabase
        $null = New-Item -ItemType Directory -Force "$work/platforms/acmen"
        Set-Content "$work/platforms/acmen/index.php" '<?php echo "site=", $_SERVER["aegir_site"], " https=", $_SERVER["HTTPS"] ?? "off", "\n";'
        $null = New-AegirPlatform acmen "$work/platforms/acmen"
        $null = New-Item -ItemType Directory -Force "$work/platforms/acmea"
        Copy-Item "$work/platforms/acmen/index.php" "$work/platforms/acmea/index.php"
        $null = New-AegirPlatform acmea "$work/platforms/acmea" -WebServer acmeapache
        $server = Get-AegirServer master
        $ports = [pscustomobject]@{ Http = $server.Http.GetInt('port'); Https = $server.Http.GetInt('https_port') }

        # The Pebbles' API certificate, DNS and processes (Pebble.ps1, shared with bench/Https.Bench.ps1).
        . $PSScriptRoot/Pebble.ps1
        $pki = Join-Path $work 'pebble'
        $lab = Start-PebbleLab $pki
        $api = $lab.Api
        $good = Start-Pebble $lab 'good' $ports.Http
        $bad = Start-Pebble $lab 'bad' (Get-FreePort $lab)
        $apache = Get-AegirServer acmeapache
        $apachePorts = [pscustomobject]@{ Http = $apache.Http.GetInt('port'); Https = $apache.Http.GetInt('https_port') }
        $forApache = Start-Pebble $lab 'apache' $apachePorts.Http
        # What the servers trust: the CA of Pebble's API and the roots the Pebbles issue under; curl trusts one Pebble's root alone.
        Set-Content "$pki/roots.pem" ((Get-Content -Raw $api.Root), (Get-Content -Raw $good.Root), (Get-Content -Raw $bad.Root), (Get-Content -Raw $forApache.Root) -join "`n")

        # The shared Invoke-Tls, with the status of its answer read from the headers.
        function Invoke-SiteTls([string] $HostName, [string] $CaFile, [int] $Port = $ports.Https) {
            $answer = Invoke-Tls $HostName $Port $CaFile
            $answer | Add-Member -PassThru Status ("$($answer.Headers)" -split "`r?`n" | Select-Object -First 1 | ForEach-Object { ($_ -split ' ')[1] })
        }
    }
    AfterAll {
        Stop-PebbleLab $lab
        Stop-AegirLocalServer acmeapache -RemoveData -Confirm:$false
        Stop-AegirLocalServer master -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    It 'refuses bad ACME settings with a clear error and changes nothing' {
        { Set-AegirServer master -AcmeDirectory 'http://127.0.0.1/dir' -ErrorAction Stop } | Should -Throw '*https://*'
        { Set-AegirServer master -AcmeEmail 'not-an-address' -ErrorAction Stop } | Should -Throw '*AcmeEmail*email*'
        Set-Content "$work/key-in-roots.pem" ((Get-Content -Raw $api.Root) + (Get-Content -Raw $api.Key))
        { Set-AegirServer master -AcmeRootCertificate "$work/key-in-roots.pem" -ErrorAction Stop } | Should -Throw '*private key*'
        $s = Get-AegirServer master
        $s.Http.Get('acme_directory') | Should -Be 'https://acme-v02.api.letsencrypt.org/directory'
        $s.Http.Get('acme_email') | Should -BeNullOrEmpty
        $s.Http.Get('acme_roots') | Should -BeNullOrEmpty
    }

    It 'keeps a self-signed certificate with a warning while no ACME email is set' {
        $site = New-AegirSite 'early.test' -Platform acmen -Https Enabled -WarningVariable warned 3>$null
        $site.Status | Should -Be 'Installed'
        "$warned" | Should -Match 'no public CA signs early.test'
        { Update-AegirCertificate early.test -ErrorAction Stop } | Should -Throw '*no public CA signs early.test*'
        (Get-AegirCertificate early.test).SelfSigned | Should -BeTrue
    }

    It 'issues a certificate for a site and its aliases from the private directory and serves it' {
        Set-AegirServer master -AcmeDirectory $good.Directory -AcmeEmail 'ops@example.com' -AcmeRootCertificate "$pki/roots.pem"
        $s = Get-AegirServer master
        $s.Http.Get('acme_directory') | Should -Be $good.Directory
        $roots = $s.Http.Get('acme_roots')
        $roots | Should -BeLike "$env:AEGIR_HOME/certificates/_acme/roots-*.pem"
        (Get-Item $roots).UnixMode | Should -Be '-rw-------'

        # New-AegirSite asks for the certificate once its reload serves the site with its placeholder, and serves it.
        $null = New-AegirSite 'shop.test' -Platform acmen -Alias 'www.shop.test' -Https Required
        $task = Get-AegirTask -Type certificate -Target shop.test | Select-Object -First 1
        $task.Status | Should -Be 'Succeeded'
        ($task.Log.Message -join "`n") | Should -Match 'Asking https://127\.0\.0\.1:\d+/dir for a certificate for shop\.test, www\.shop\.test'
        $cert = Get-AegirCertificate shop.test
        $cert.SelfSigned | Should -BeFalse
        $cert.Source | Should -Be 'LetsEncrypt'
        $cert.Names | Should -Be @('shop.test', 'www.shop.test')
        $cert.Issuer | Should -Match 'Pebble'
        $cert.LastRenewal | Should -BeLike 'succeeded*'
        foreach ($name in 'shop.test', 'www.shop.test') {
            $answer = Invoke-SiteTls $name $good.Root
            $answer.Exit | Should -Be 0 -Because $answer.Body
            $answer.Status | Should -Be '200'
            $answer.Body | Should -Match 'site=shop.test https=on'
            (Get-ServedCertificate $name $ports.Https).GetCertHashString('SHA256') | Should -Be $cert.Thumbprint
        }
        # The account key and lego's folder stay private; no site key or run folder is left in lego's folder.
        $acme = "$env:AEGIR_HOME/certificates/_acme"
        (Get-Item $acme).UnixMode | Should -Be 'drwx------'
        $files = Get-ChildItem -Recurse -File $acme
        $files | Where-Object { $_.UnixMode -ne '-rw-------' } | Should -BeNullOrEmpty
        @($files | Where-Object Name -like '*.key').Count | Should -Be 1 -Because 'the account key alone'
        Get-ChildItem $acme -Directory -Filter 'run-*' | Should -BeNullOrEmpty
        # Nothing secret in the task's log.
        ($task.Log.Message -join "`n") | Should -Not -Match 'PRIVATE KEY'
    }

    It 'renews now with -Force: a new serial serves' {
        $before = Get-AegirCertificate shop.test
        $served = Get-ServedCertificate shop.test $ports.Https
        $cert = Update-AegirCertificate shop.test -Force -PassThru
        $cert.Thumbprint | Should -Not -Be $before.Thumbprint
        $now = Get-ServedCertificate shop.test $ports.Https
        $now.SerialNumber | Should -Not -Be $served.SerialNumber
        $now.GetCertHashString('SHA256') | Should -Be $cert.Thumbprint
        (Invoke-SiteTls 'www.shop.test' $good.Root).Status | Should -Be '200'
    }

    It 'renews a certificate near its end from the queue''s schedule' {
        $before = Get-AegirCertificate shop.test
        $before.DaysLeft | Should -BeLessThan 30 -Because 'Pebble issues for 10 days here'
        $null = Invoke-AegirQueue -Queue Certificate -WarningVariable warned 3>$null
        "$warned" | Should -BeNullOrEmpty
        $after = Get-AegirCertificate shop.test
        $after.Thumbprint | Should -Not -Be $before.Thumbprint
        (Get-ServedCertificate shop.test $ports.Https).GetCertHashString('SHA256') | Should -Be $after.Thumbprint
        (Get-AegirTask -Type certificate | Select-Object -First 1).Status | Should -Be 'Succeeded'
    }

    It 'fails a renewal whose challenge fails with the ACME error, keeps the old certificate serving, and flags the site' {
        $before = Get-AegirCertificate shop.test
        Set-AegirServer master -AcmeDirectory $bad.Directory
        $task = Update-AegirCertificate shop.test -Force -ErrorAction SilentlyContinue -ErrorVariable failed
        $task.Status | Should -Be 'Failed'
        "$failed" | Should -Match 'urn:ietf:params:acme:error'
        "$failed" | Should -Match 'keeps serving'
        $after = Get-AegirCertificate shop.test
        $after.Thumbprint | Should -Be $before.Thumbprint
        $after.LastRenewal | Should -Match '^failed: .*acme'
        $after.RenewalFailures | Should -Be 1
        (Get-ServedCertificate shop.test $ports.Https).GetCertHashString('SHA256') | Should -Be $before.Thumbprint
        (Invoke-SiteTls 'shop.test' $good.Root).Status | Should -Be '200'
        # One generation in use, the one before it at most: nothing of the failed attempt stays in the store.
        @(Get-ChildItem -Directory "$env:AEGIR_HOME/certificates/shop.test").Count | Should -BeLessOrEqual 2
        $unhealthy = Get-AegirSite -Unhealthy | Where-Object Uri -eq 'shop.test'
        $unhealthy | Should -Not -BeNullOrEmpty
        "$($unhealthy.Health)" | Should -Match 'renewal failed 1 time.*acme'
        # The schedule backs off: within the hour after a failure it does not try again.
        $null = Invoke-AegirQueue -Queue Certificate -ErrorAction SilentlyContinue 3>$null
        (Get-AegirCertificate shop.test).RenewalFailures | Should -Be 1
    }

    It 'says an ACME directory that cannot be reached is so, in few words, without lego''s account-key lines or the advice on names' {
        Set-AegirServer master -AcmeDirectory 'https://127.0.0.1:9/nothing'
        $task = Update-AegirCertificate shop.test -Force -ErrorAction SilentlyContinue -ErrorVariable failed
        $task.Status | Should -Be 'Failed'
        "$failed" | Should -Match 'The ACME directory https://127\.0\.0\.1:9/nothing cannot be reached \(connection refused\)'
        "$failed" | Should -Match 'Set-AegirServer -AcmeDirectory'
        "$failed" | Should -Not -Match 'No key found|Saved key|run-|acme-challenge|points at'
        (Get-AegirCertificate shop.test).LastRenewal | Should -Not -Match 'No key found|Saved key'
        Get-ChildItem "$env:AEGIR_HOME/certificates/_acme" -Directory -Filter 'run-*' | Should -BeNullOrEmpty
    }

    It 'is healthy again once a renewal succeeds' {
        Set-AegirServer master -AcmeDirectory $good.Directory
        $task = Update-AegirCertificate shop.test
        $task.Status | Should -Be 'Succeeded' -Because ($task.Log.Message -join "`n")
        (Get-AegirCertificate shop.test).RenewalFailures | Should -Be 0
        Get-AegirSite -Unhealthy | Where-Object Uri -eq 'shop.test' | Should -BeNullOrEmpty
    }

    It 'leaves the CA''s certificate to the schedule on a verify, and asks at once for one covering a new alias' {
        $before = Get-AegirCertificate shop.test
        $before.DaysLeft | Should -BeLessThan 30 -Because 'a verify leaves even a certificate due for renewal to the schedule'
        $null = Invoke-AegirVerify shop.test
        (Get-AegirCertificate shop.test).Thumbprint | Should -Be $before.Thumbprint -Because 'no self-signed certificate replaces the CA''s, and a verify asks the CA nothing'
        (Get-ServedCertificate shop.test $ports.Https).GetCertHashString('SHA256') | Should -Be $before.Thumbprint
        $null = Set-AegirSite shop.test -AddAlias 'shop2.test' -WarningVariable warned 3>$null
        "$warned" | Should -Match 'does not cover shop2.test yet'
        $cert = Get-AegirCertificate shop.test
        $cert.Thumbprint | Should -Not -Be $before.Thumbprint
        $cert.SelfSigned | Should -BeFalse
        ($cert.Names | Sort-Object) | Should -Be @('shop.test', 'shop2.test', 'www.shop.test')
        $answer = Invoke-SiteTls 'shop2.test' $good.Root
        $answer.Status | Should -Be '200' -Because $answer.Body
        (Get-ServedCertificate shop2.test $ports.Https).GetCertHashString('SHA256') | Should -Be $cert.Thumbprint
    }

    It 'installs a site whose CA refuses it with a warning, serving its placeholder, and asks again only after the backoff' {
        Set-AegirServer master -AcmeDirectory $bad.Directory
        try {
            $site = New-AegirSite 'refused.test' -Platform acmen -Https Enabled -WarningVariable warned 3>$null
            $site.Status | Should -Be 'Installed'
            "$warned" | Should -Match 'refused.test keeps its self-signed certificate: .*urn:ietf:params:acme:error'
            $cert = Get-AegirCertificate refused.test
            $cert.SelfSigned | Should -BeTrue
            $cert.RenewalFailures | Should -Be 1
            (Get-ServedCertificate refused.test $ports.Https).GetCertHashString('SHA256') | Should -Be $cert.Thumbprint
            # Visitors get a certificate warning: the site is unhealthy until its CA issues one.
            "$((Get-AegirSite -Unhealthy | Where-Object Uri -eq 'refused.test').Health)" | Should -Match 'self-signed placeholder.*urn:ietf:params:acme:error'
            $null = Invoke-AegirQueue -Queue Certificate 3>$null
            (Get-AegirCertificate refused.test).RenewalFailures | Should -Be 1 -Because 'the schedule waits out the backoff too'
            $page = & curl -sS --max-time 20 "http://127.0.0.1:$($ports.Http)/" -H 'Host: refused.test'
            "$page" | Should -Match 'site=refused.test'
            # Within the backoff a verify does not ask the CA again.
            $task = Invoke-AegirVerify refused.test
            ($task.Log.Message -join "`n") | Should -Match 'asks its CA again after'
            (Get-AegirCertificate refused.test).RenewalFailures | Should -Be 1
        }
        finally { Set-AegirServer master -AcmeDirectory $good.Directory }
        # Asked now, the CA issues.
        $now = Update-AegirCertificate refused.test -PassThru
        $now.SelfSigned | Should -BeFalse
        $now.RenewalFailures | Should -Be 0
        Get-AegirSite -Unhealthy | Where-Object Uri -eq 'refused.test' | Should -BeNullOrEmpty
        Remove-AegirSite refused.test -Confirm:$false
    }

    It 'gives each site a pipeline makes its certificate once the pipeline''s reload serves them' {
        $sites = 'pipe1.test', 'pipe2.test', 'pipe3.test' | New-AegirSite -Platform acmen -Https Required
        @($sites).Count | Should -Be 3
        foreach ($name in 'pipe1.test', 'pipe2.test', 'pipe3.test') {
            $cert = Get-AegirCertificate $name
            $cert.SelfSigned | Should -BeFalse -Because "$name gets its CA's certificate"
            $cert.Issuer | Should -Match 'Pebble'
            $answer = Invoke-SiteTls $name $good.Root
            $answer.Status | Should -Be '200' -Because $answer.Body
            $answer.Body | Should -Match "site=$([regex]::Escape($name)) https=on"
            (Get-ServedCertificate $name $ports.Https).GetCertHashString('SHA256') | Should -Be $cert.Thumbprint
        }
        foreach ($name in 'pipe1.test', 'pipe2.test', 'pipe3.test') { Remove-AegirSite $name -Confirm:$false }
    }

    It 'issues and serves on Apache too, from the directory of its own server' {
        Set-AegirServer acmeapache -AcmeDirectory $forApache.Directory -AcmeEmail 'ops@example.com' -AcmeRootCertificate "$pki/roots.pem"
        $null = New-AegirSite 'apache.test' -Platform acmea -Alias 'www.apache.test' -Https Required
        $cert = Get-AegirCertificate apache.test
        $cert.SelfSigned | Should -BeFalse
        $cert.Names | Should -Be @('apache.test', 'www.apache.test')
        foreach ($name in 'apache.test', 'www.apache.test') {
            $answer = Invoke-SiteTls $name $forApache.Root $apachePorts.Https
            $answer.Exit | Should -Be 0 -Because $answer.Body
            $answer.Status | Should -Be '200'
            $answer.Body | Should -Match 'site=apache.test https=on'
            (Get-ServedCertificate $name $apachePorts.Https).GetCertHashString('SHA256') | Should -Be $cert.Thumbprint
        }
        # A failed challenge on Apache keeps its certificate serving too.
        Set-AegirServer acmeapache -AcmeDirectory $bad.Directory
        $task = Update-AegirCertificate apache.test -Force -ErrorAction SilentlyContinue -ErrorVariable failed
        $task.Status | Should -Be 'Failed'
        "$failed" | Should -Match 'urn:ietf:params:acme:error'
        (Get-ServedCertificate 'apache.test' $apachePorts.Https).GetCertHashString('SHA256') | Should -Be $cert.Thumbprint
        (Invoke-SiteTls 'www.apache.test' $forApache.Root $apachePorts.Https).Status | Should -Be '200'
    }
}
