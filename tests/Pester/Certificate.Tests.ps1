# HTTPS settings of sites and Get-AegirCertificate, against a temp AEGIR_HOME (no web server: sites only recorded).
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    # A certificate and key for names, self-signed, as PEM files in a folder of the test's own.
    function New-PemPair([string[]] $Names, [string] $Dir, [int] $Days = 90) {
        $key = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new("CN=$($Names[0])", $key, 'SHA256')
        $san = [System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder]::new()
        foreach ($n in $Names) { $san.AddDnsName($n) }
        $request.CertificateExtensions.Add($san.Build())
        $now = [DateTimeOffset]::UtcNow
        $cert = $request.CreateSelfSigned($now.AddDays(-2), $now.AddDays($Days))
        $null = New-Item -ItemType Directory -Force $Dir
        Set-Content "$Dir/cert.pem" $cert.ExportCertificatePem()
        Set-Content "$Dir/key.pem" $key.ExportPkcs8PrivateKeyPem()
        [pscustomobject]@{ Cert = "$Dir/cert.pem"; Key = "$Dir/key.pem"; Thumbprint = $cert.GetCertHashString('SHA256') }
    }
}

Describe 'HTTPS settings and certificates' {
  Describe 'Get-AegirCertificate' {
    BeforeEach {
        $null = Reset-AegirHome
        $null = New-TestMaster
        $null = New-TestPlatform
    }

    It 'records Https and the certificate source, and takes Https from the record' {
        $site = New-AegirSite -NoInstall shop.example.com -Platform wp -Https Required -CertificateSource SelfSigned
        $site.Https | Should -Be 'Required'
        $site.CertificateSource | Should -Be 'SelfSigned'
        (Get-Content -Raw $site.Path) | Should -Match "(?m)^https: Required$"
        (Get-AegirSite shop.example.com).Https | Should -Be 'Required'
        $set = Set-AegirSite shop.example.com -Https Enabled -CertificateSource LetsEncrypt -PassThru
        $set.Https | Should -Be 'Enabled'
        $set.CertificateSource | Should -Be 'LetsEncrypt'
    }

    It 'refuses a value that is no mode or source, writing nothing' {
        $null = New-AegirSite -NoInstall shop.example.com -Platform wp
        $before = Get-ContextSnapshot
        { Set-AegirSite shop.example.com -Https Sometimes -ErrorAction Stop } | Should -Throw '*Sometimes*Disabled*Enabled*Required*'
        { Set-AegirSite shop.example.com -CertificateSource Acme -ErrorAction Stop } | Should -Throw '*Acme*LetsEncrypt*SelfSigned*File*'
        { Set-AegirSite shop.example.com -CertificatePath /tmp/x.pem -ErrorAction Stop } | Should -Throw -ErrorId 'MissingValue*'
        { Set-AegirSite shop.example.com -Https Enabled -CertificateSource File -ErrorAction Stop } | Should -Throw '*holds no certificate file given*'
        Get-ContextSnapshot | Should -Be $before
    }

    It 'takes certificate files that cover every name into the store, and Get-AegirCertificate shows them' {
        $pem = New-PemPair -Names shop.example.com, www.shop.example.com -Dir "$TestDrive/good"
        $site = New-AegirSite -NoInstall shop.example.com -Platform wp -Alias www.shop.example.com -Https Required -CertificatePath $pem.Cert -CertificateKeyPath $pem.Key
        $site.CertificateSource | Should -Be 'File'
        $cert = Get-AegirCertificate shop.example.com
        $cert.Source | Should -Be 'File'
        $cert.Names | Should -Be @('shop.example.com', 'www.shop.example.com')
        $cert.Thumbprint | Should -Be $pem.Thumbprint
        $cert.DaysLeft | Should -BeIn 88, 89
        $cert.SelfSigned | Should -BeTrue
        $key = Get-ChildItem -Recurse "$env:AEGIR_HOME/certificates/shop.example.com" -Filter key.pem
        $key.UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
        (Get-AegirCertificate | Measure-Object).Count | Should -Be 1
        (Get-AegirCertificate shop.example.com | Out-String) | Should -Match 'shop\.example\.com\s+File\s+self-signed'
    }
  }

  Describe 'New-AegirSite and Set-AegirSite -CertificatePath' {
    BeforeEach {
        $null = Reset-AegirHome
        $null = New-TestMaster
        $null = New-TestPlatform
    }

    It 'refuses files for other names, a key of another certificate and a link, leaving the record and the store as they were' {
        $null = New-AegirSite -NoInstall shop.example.com -Platform wp -Alias www.shop.example.com
        $before = Get-ContextSnapshot
        $other = New-PemPair -Names shop.example.com -Dir "$TestDrive/other"
        { Set-AegirSite shop.example.com -Https Required -CertificatePath $other.Cert -CertificateKeyPath $other.Key -ErrorAction Stop } |
            Should -Throw '*does not cover www.shop.example.com*'
        $good = New-PemPair -Names shop.example.com, www.shop.example.com -Dir "$TestDrive/good"
        { Set-AegirSite shop.example.com -Https Required -CertificatePath $good.Cert -CertificateKeyPath $other.Key -ErrorAction Stop } |
            Should -Throw -ErrorId 'CertificateRefused*'
        $null = New-Item -ItemType SymbolicLink "$TestDrive/live.pem" -Target $good.Cert
        { Set-AegirSite shop.example.com -Https Required -CertificatePath "$TestDrive/live.pem" -CertificateKeyPath $good.Key -ErrorAction Stop } |
            Should -Throw '*symbolic link*'
        Get-ContextSnapshot | Should -Be $before
        Test-Path "$env:AEGIR_HOME/certificates" | Should -BeFalse
        Get-AegirCertificate | Should -BeNullOrEmpty
    }

    It 'refuses an https_port that is the HTTP port' {
        { Set-AegirServer master -HttpSetting @{ https_port = 80 } -ErrorAction Stop } | Should -Throw '*https_port*HTTP port is the same*'
        (Get-AegirServer master).Http.Get('https_port') | Should -Be '443'
    }

    It 'gives a site served over HTTPS an https Url on the https_port' {
        Set-AegirServer master -HttpSetting @{ https_port = 8443 }
        $site = New-AegirSite -NoInstall shop.example.com -Platform wp -Https Enabled
        $site.Url | Should -Be 'https://shop.example.com:8443/'
    }
  }

  Describe 'ACME' {
    BeforeEach {
        $null = Reset-AegirHome
        $null = New-TestMaster
        $null = New-TestPlatform
    }

    Describe 'Set-AegirServer -AcmeDirectory -AcmeEmail -AcmeRootCertificate' {

      It 'records the ACME directory and email, and copies the roots file into the store, private' {
          $root = New-PemPair -Names 'ca.internal' -Dir "$TestDrive/roots"
          Set-AegirServer master -AcmeRootCertificate $root.Cert -WhatIf
          (Get-AegirServer master).Http.Get('acme_roots') | Should -BeNullOrEmpty
          Test-Path "$env:AEGIR_HOME/certificates/_acme" | Should -BeFalse -Because '-WhatIf writes nothing'
          Set-AegirServer master -AcmeDirectory 'https://ca.internal:9000/acme/acme/directory' -AcmeEmail 'ops@example.com' -AcmeRootCertificate $root.Cert
          $http = (Get-AegirServer master).Http
          $http.Get('acme_directory') | Should -Be 'https://ca.internal:9000/acme/acme/directory'
          $http.Get('acme_email') | Should -Be 'ops@example.com'
          $copy = $http.Get('acme_roots')
          $copy | Should -BeLike "$env:AEGIR_HOME/certificates/_acme/roots-*.pem"
          (Get-Item $copy).UnixMode | Should -Be '-rw-------'
          (Get-Content -Raw $copy) | Should -Match 'BEGIN CERTIFICATE'
          Set-AegirServer master -AcmeRootCertificate ''
          (Get-AegirServer master).Http.Get('acme_roots') | Should -BeNullOrEmpty
      }

      It 'removes a former roots file from the store once no server names it' {
          $first = New-PemPair -Names 'ca-one.internal' -Dir "$TestDrive/first"
          $second = New-PemPair -Names 'ca-two.internal' -Dir "$TestDrive/second"
          $null = New-AegirServer -Name other -RemoteHost other.example.test -HttpServiceType nginx
          Set-AegirServer master -AcmeRootCertificate $first.Cert
          $one = (Get-AegirServer master).Http.Get('acme_roots')
          Set-AegirServer other -AcmeRootCertificate $first.Cert
          Set-AegirServer master -AcmeRootCertificate $second.Cert
          $two = (Get-AegirServer master).Http.Get('acme_roots')
          Test-Path $one | Should -BeTrue -Because "server 'other' still names it"
          Set-AegirServer other -AcmeRootCertificate $second.Cert
          Test-Path $one | Should -BeFalse -Because 'no server names it any more'
          Set-AegirServer master -AcmeRootCertificate ''
          Test-Path $two | Should -BeTrue -Because "server 'other' still names it"
          Set-AegirServer other -AcmeRootCertificate '' -WhatIf
          Test-Path $two | Should -BeTrue -Because '-WhatIf removes nothing'
          Set-AegirServer other -AcmeRootCertificate ''
          Test-Path $two | Should -BeFalse
          @(Get-ChildItem "$env:AEGIR_HOME/certificates/_acme" -Filter 'roots-*.pem').Count | Should -Be 0
      }

      It 'refuses a DER roots file as no PEM text, saying how to convert it' {
          $pem = New-PemPair -Names 'ca.internal' -Dir "$TestDrive/der"
          $der = "$TestDrive/der/root.der"
          [IO.File]::WriteAllBytes($der, [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem((Get-Content -Raw $pem.Cert)).RawData)
          { Set-AegirServer master -AcmeRootCertificate $der -ErrorAction Stop } | Should -Throw "*not PEM text (a DER or PKCS#12 file?)*openssl x509 -inform der -in $der -out $der.pem*"
      }

      It 'refuses a directory that is no https address, an email that is none and a roots file with a key, changing nothing' {
          $before = Get-ContextSnapshot
          { Set-AegirServer master -AcmeDirectory 'http://ca.internal/dir' -ErrorAction Stop } | Should -Throw '*AcmeDirectory*https://*'
          { Set-AegirServer master -AcmeEmail 'ops' -ErrorAction Stop } | Should -Throw '*AcmeEmail*email*'
          $pem = New-PemPair -Names 'ca.internal' -Dir "$TestDrive/keyed"
          Set-Content "$TestDrive/keyed/both.pem" ((Get-Content -Raw $pem.Cert) + (Get-Content -Raw $pem.Key))
          { Set-AegirServer master -AcmeRootCertificate "$TestDrive/keyed/both.pem" -ErrorAction Stop } | Should -Throw -ErrorId 'CertificateRefused*'
          Get-ContextSnapshot | Should -Be $before
      }

    }

    Describe 'Update-AegirCertificate' {

      It 'refuses to renew a site that is not installed, naming what to do' {
          $null = New-AegirSite -NoInstall shop.example.com -Platform wp -Https Enabled
          { Update-AegirCertificate shop.example.com -ErrorAction Stop } | Should -Throw '*not installed*Install-AegirSite*'
          { Update-AegirCertificate nosuch.example.com -ErrorAction Stop } | Should -Throw -ErrorId 'ContextNotFound*'
          Get-AegirCertificate shop.example.com | Should -BeNullOrEmpty
      }

      It 'refuses a site no CA can be asked for before any task starts, leaving no Failed task' {
          # Recorded as installed (no web server here): the refusal comes from the settings, before a task would run.
          function New-InstalledSite([string] $Uri, [hashtable] $Settings) {
              $site = New-AegirSite -NoInstall $Uri -Platform wp @Settings
              (Get-Content -Raw $site.Path) -replace 'status: NotInstalled', 'status: Installed' | Set-Content -NoNewline $site.Path
          }
          New-InstalledSite plain.example.com @{ Https = 'Disabled' }
          New-InstalledSite own.example.com @{ Https = 'Enabled'; CertificateSource = 'SelfSigned' }
          New-InstalledSite acme.example.com @{ Https = 'Enabled'; CertificateSource = 'LetsEncrypt' }
          { Update-AegirCertificate plain.example.com -ErrorAction Stop } | Should -Throw -ErrorId 'AcmeUnavailable*' -ExpectedMessage '*served over HTTP only*Set-AegirSite plain.example.com -Https Enabled*'
          { Update-AegirCertificate own.example.com -ErrorAction Stop } | Should -Throw -ErrorId 'AcmeUnavailable*' -ExpectedMessage '*certificate source is SelfSigned*'
          { Update-AegirCertificate acme.example.com -Force -ErrorAction Stop } | Should -Throw -ErrorId 'AcmeUnavailable*' -ExpectedMessage '*has no ACME account email*Set-AegirServer server_master -AcmeEmail*'
          Get-AegirTask | Should -BeNullOrEmpty
      }

      It 'runs the certificate renewals as a queue of Invoke-AegirQueue' {
          (Get-Command Invoke-AegirQueue).Parameters['Queue'].Attributes.ValidValues | Should -Contain 'Certificate'
          $null = New-AegirSite -NoInstall shop.example.com -Platform wp -Https Enabled
          Invoke-AegirQueue -Queue Certificate -WarningVariable warned 3>$null | Should -BeNullOrEmpty
          "$warned" | Should -BeNullOrEmpty
      }
    }
  }
}
