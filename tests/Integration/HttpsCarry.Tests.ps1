# A site's certificate travels with its backup on a real local server (nginx): a site served with a certificate file
# given is backed up, removed and restored, and serves that same certificate again over real HTTPS; an archive
# altered to carry a certificate for other names, or a key not its certificate's, is taken in without it, with a
# warning that says why, and the site is served with a self-signed certificate of its own.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Certificates in backups' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        Install-TestPackage zstd
        $https = $server.Http.GetInt('https_port')
        $null = New-Item -ItemType Directory -Force "$work/platforms/carry"
        Set-Content "$work/platforms/carry/index.php" '<?php echo "site=", $_SERVER["aegir_site"], " https=", $_SERVER["HTTPS"] ?? "off", "\n";'
        $null = New-AegirPlatform carry "$work/platforms/carry"
        $uri = 'carryb.test'
        $good = New-TestCertificate -Names $uri, "www.$uri" -Dir "$work/good"
        $null = New-AegirSite $uri -Platform carry -Alias "www.$uri" -Https Required -CertificatePath $good.Chain -CertificateKeyPath $good.Key
        $backup = Backup-AegirSite $uri

        # The backup rewritten as someone else might: members replaced, checksums.json made to match, order kept.
        function New-AlteredArchive([string] $Name, [hashtable] $Replace) {
            $x = Join-Path $work "x-$Name"
            $null = New-Item -ItemType Directory $x
            tar --zstd -xf $backup.Path -C $x
            $order = @(tar --zstd -tf $backup.Path)
            $sums = Get-Content -Raw "$x/checksums.json" | ConvertFrom-Json -AsHashtable
            foreach ($member in $Replace.Keys) {
                Copy-Item -Force $Replace[$member] "$x/$member"
                $sums.members[$member] = @{ size = (Get-Item "$x/$member").Length; sha256 = (sha256sum "$x/$member").Split(' ')[0] }
            }
            $sums | ConvertTo-Json -Depth 5 | Set-Content "$x/checksums.json"
            Set-Content "$work/$Name.list" $order
            $archive = "$work/$Name.tar.zst"
            tar --zstd --format=posix --no-recursion -C $x -cf $archive -T "$work/$Name.list"
            $LASTEXITCODE | Should -Be 0
            Remove-Item -Recurse -Force $x
            $archive
        }

        # The site removed (its certificate with it), then taken in from the archive: the warnings the import gave.
        function Import-Removed([string] $Archive) {
            $null = Remove-AegirSite $uri -NoBackup -Force
            Test-Path "$env:AEGIR_HOME/certificates/$uri" | Should -BeFalse
            $null = Import-AegirSite -Platform carry -Path $Archive -Uri $uri -WarningVariable warned 3>$null
            (Get-AegirSite $uri).Status | Should -Be 'Installed'
            "$warned"
        }
    }
    AfterAll {
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    It 'keeps the certificate given and its key in the private backup archive' {
        (Get-Item $backup.Path).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
        $members = @(tar --zstd -tf $backup.Path)
        $members[0..3] | Should -Be @('manifest.json', 'certificate/certificate.json', 'certificate/fullchain.pem', 'certificate/key.pem')
        (tar --zstd -xOf $backup.Path certificate/key.pem) -join "`n" | Should -Be ((Get-Content $good.Key) -join "`n")
        ((tar --zstd -xOf $backup.Path certificate/certificate.json) -join "`n" | ConvertFrom-Json).source | Should -Be 'File'
        ((tar --zstd -xOf $backup.Path manifest.json) -join "`n" | ConvertFrom-Json).https | Should -Be 'Required'
    }

    It 'serves the certificate given again after the site is removed and restored from its backup' {
        $null = Remove-AegirSite $uri -NoBackup -Force
        Test-Path "$env:AEGIR_HOME/certificates/$uri" | Should -BeFalse
        $null = Restore-AegirSite -Path $backup.Path -Platform carry -Force -WarningVariable warned 3>$null
        "$warned" | Should -Not -Match 'certificate'
        $site = Get-AegirSite $uri
        $site.Https, $site.CertificateSource | Should -Be @('Required', 'File')
        $cert = Get-AegirCertificate $uri
        $cert.Thumbprint, $cert.Source | Should -Be @($good.Thumbprint, 'File')
        # curl trusts the test's root alone, and checks the name: the certificate given, served over real TLS.
        $answer = Invoke-Tls $uri $https $good.Root
        $answer.Exit | Should -Be 0 -Because $answer.Body
        $answer.Body | Should -Be "site=$uri https=on"
        (Get-ServedCertificate $uri $https).GetCertHashString('SHA256') | Should -Be $good.Thumbprint
        (Get-AegirTask -Target $uri -First 1).Log.Message | Should -Contain "Putting the certificate in the backup (File, $((Get-AegirCertificate $uri).Issuer), until $($cert.NotAfter.ToString('yyyy-MM-dd'))) and its key back in the certificate store"
    }

    It 'takes in an archive carrying <What> without it, warning why, and serves a self-signed certificate' -ForEach @(
        @{ What = 'a certificate for other names'; Why = "fullchain.pem is refused \(it does not cover carryb\.test" }
        @{ What = 'a key not its certificate''s'; Why = 'key.pem is refused \(it is not the key of the certificate' }
    ) {
        $other = New-TestCertificate -Names 'elsewhere.test' -Dir "$work/other-$($What.Length)"
        $replace = if ($What -like '*other names*') { @{ 'certificate/fullchain.pem' = $other.Chain; 'certificate/key.pem' = $other.Key } }
                   else { @{ 'certificate/key.pem' = $other.Key } }
        $archive = New-AlteredArchive "hostile$($What.Length)" $replace
        $warned = Import-Removed $archive
        $warned | Should -Match "The certificate in the backup is left out: $Why"
        $warned | Should -Match "$([regex]::Escape($uri)) gets the certificate it would get without it"
        $cert = Get-AegirCertificate $uri
        $cert.SelfSigned | Should -BeTrue
        $cert.Thumbprint | Should -Not -Be $good.Thumbprint
        $cert.Names | Should -Be @($uri)
        (Get-AegirSite $uri).CertificateSource | Should -Be 'SelfSigned'
        $answer = Invoke-Tls $uri $https (Get-StoredPem $uri)
        $answer.Exit | Should -Be 0 -Because $answer.Body
        $answer.Body | Should -Be "site=$uri https=on"
        (Get-ServedCertificate $uri $https).GetCertHashString('SHA256') | Should -Be $cert.Thumbprint
        # Nothing of the archive's certificate reached the store.
        Get-ChildItem -Recurse "$env:AEGIR_HOME/certificates/$uri" -Filter key.pem | ForEach-Object { Get-Content -Raw $_.FullName } |
            Should -Not -Be (Get-Content -Raw $other.Key)
    }
}
