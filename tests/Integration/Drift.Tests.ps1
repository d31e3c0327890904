# Drift reports: a real local server (nginx, PHP-FPM, MariaDB) with one installed site of a PHP application, edited by
# hand in each way an admin or an intruder would (vhost, pool, settings, owners and modes, database grants, the code,
# the packages, a folder removed), each told with its kind and place by Test-Aegir*, which changes nothing; and nothing
# told once Invoke-AegirVerify has put it right.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Drift reports' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        $root = Join-Path $work 'platforms/drift'
        Write-Tree $root @{
            '.aegir.yml'         = "name: Drift`nversion: 1.0`nsite_folders: ['uploads/{uri}']`nsettings:`n  path: config/{uri}.php`n  template: aegir/site.php.sbn`n"
            'aegir/site.php.sbn' = "<?php const DRIFT_SITE = '{{ uri }}';"
            'index.php'          = '<?php echo "drift ", $_SERVER["aegir_site"];'
            'lib/util.php'       = '<?php function util() { return 1; }'
        }
        $null = New-AegirPlatform drift $root -ErrorAction Stop
        $null = New-AegirSite dr1.test -Platform drift -ErrorAction Stop
        $site = Get-AegirSite dr1.test
        $vhost = Join-Path $env:AEGIR_HOME 'config/server_master/nginx/vhost.d/dr1.test.conf'
        $include = Join-Path $env:AEGIR_HOME 'config/server_master/nginx.conf'
        $pool = Join-Path $server.Http.Get('php_fpm_pool_dir') "aegir-$([Aegir.Core.Contexts.AccountNames]::ForSite('dr1.test', $env:AEGIR_HOME)).conf"
        $settings = "$root/config/dr1.test.php"
        $uploads = "$root/uploads/dr1.test"
        $db = $site.DbName
        function Drift($Kind, $Where) { @($found | Where-Object { $_.Kind -eq $Kind -and $_.Where -like $Where }) }
    }
    AfterAll {
        Invoke-Sql -Sql 'DROP DATABASE IF EXISTS drextra' -ErrorAction SilentlyContinue
        Invoke-Sql -Sql "DROP USER IF EXISTS 'drintruder'@'%'" -ErrorAction SilentlyContinue
        Stop-AegirLocalServer pgbox -RemoveData -Confirm:$false -ErrorAction SilentlyContinue
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    It 'finds nothing on a server, platform and site as their verify left them' {
        Test-Path $pool | Should -BeTrue -Because 'the site runs in a pool of its own'
        Test-AegirServer master | Should -BeNullOrEmpty
        Test-AegirPlatform drift | Should -BeNullOrEmpty
        Test-AegirSite dr1.test | Should -BeNullOrEmpty
        Get-AegirSite dr1.test | Test-AegirSite -Quiet | Should -BeTrue
        Test-AegirSite -Quiet | Should -BeTrue -Because 'with no name every installed site is tested'
        (Get-Item (Join-Path $env:AEGIR_HOME 'state/platforms/platform_drift.sha256')).UnixMode | Should -Be '-rw-------'
    }

    It 'tells a vhost, pool and settings edited, a file chmod-ed and chown-ed, a grant added and one revoked; verify puts all right' {
        Add-Content $vhost '# edited by hand'
        (Get-Content -Raw $pool) -replace 'pm.max_children = \d+', 'pm.max_children = 99' | Set-Content -NoNewline $pool
        Add-Content $settings '// edited'
        chmod 0644 $settings
        Set-Content "$uploads/photo.jpg" 'x'
        chown root:root "$uploads/photo.jpg"
        Invoke-Sql -Sql "CREATE DATABASE drextra; GRANT SELECT ON drextra.* TO '$db'@'localhost'; REVOKE DELETE ON ``$db``.* FROM '$db'@'127.0.0.1'"
        $before = (Get-FileHash $vhost).Hash
        $tasks = @(Get-AegirTask).Count

        $found = @(Test-AegirSite dr1.test -ErrorVariable errs -ErrorAction SilentlyContinue)
        Drift Vhost $vhost | Should -HaveCount 1
        Drift Pool $pool | Should -HaveCount 1
        (Drift Settings $settings).Found | Should -Match 'edited from line 1 on'
        (Drift Mode $settings).Found | Should -Be '0644'
        (Drift Owner "$uploads/photo.jpg").Found | Should -Contain 'another group'
        (Drift Grant "'$db'@'localhost'*").Found | Should -Contain 'SELECT ON `drextra`.*'
        (Drift Grant "'$db'@'127.0.0.1'*").Expected | Should -Match "ALL PRIVILEGES ON ``$([regex]::Escape($db.Replace('_', '\_')))``"
        ($found | Where-Object Kind -eq Pool).Found + ($found | Where-Object Kind -eq Settings).Found | Should -Not -Match 'max_children|DRIFT_SITE'
        $found.Fix | Sort-Object -Unique | Should -Be 'Invoke-AegirVerify dr1.test'
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'DriftFound,*'
        $errs[0].Exception.Message | Should -Match "$($found.Count) differences on dr1.test.*Invoke-AegirVerify dr1.test"
        Test-AegirSite dr1.test -Quiet | Should -BeFalse
        { Test-AegirSite dr1.test -ErrorAction Stop } | Should -Throw '*differences on dr1.test*'
        (Get-FileHash $vhost).Hash | Should -Be $before -Because 'a test changes nothing'
        @(Get-AegirTask).Count | Should -Be $tasks -Because 'a test is no task'

        (Invoke-AegirVerify dr1.test).Status | Should -Be 'Succeeded'
        Test-AegirSite dr1.test | Should -BeNullOrEmpty
        Test-AegirSite dr1.test -Quiet | Should -BeTrue
    }

    It 'tells files of the code changed and added and a package gone and one new; the platform''s verify takes them' {
        Add-Content "$root/lib/util.php" '// patched'
        Set-Content "$root/backdoor.php" '<?php system($_GET["c"]);'
        (Get-Content -Raw "$root/.aegir.yml").Replace('name: Drift', 'name: Drifted') | Set-Content -NoNewline "$root/.aegir.yml"
        Set-Content "$uploads/upload.txt" 'a visitor''s upload is no drift of the code'

        $found = @(Test-AegirPlatform drift -ErrorAction SilentlyContinue)
        (Drift PlatformFile "$root/lib/util.php").Found | Should -Match 'changed'
        (Drift PlatformFile "$root/backdoor.php").Found | Should -Match 'added'
        Drift PlatformFile "$root/uploads/*" | Should -BeNullOrEmpty
        (Drift Package "$root/.").Found | Should -Be @('none (removed)', 'core Drifted (no version) (added)')
        Test-AegirPlatform -Quiet | Should -BeFalse

        Remove-Item "$root/backdoor.php"
        (Invoke-AegirVerify drift).Status | Should -Be 'Succeeded'
        Test-AegirPlatform drift | Should -BeNullOrEmpty
    }

    It 'tells a site folder removed, and a server include edited; their verify puts them back' {
        Remove-Item -Recurse -Force $uploads
        $found = @(Test-AegirSite dr1.test -ErrorAction SilentlyContinue)
        (Drift SiteFolder $uploads).Found | Should -Be 'nothing there'
        Add-Content $include '# edited'
        $found = @(Test-AegirServer master -ErrorAction SilentlyContinue)
        Drift ServerConfig $include | Should -HaveCount 1
        (Invoke-AegirVerify master).Status | Should -Be 'Succeeded'
        (Invoke-AegirVerify dr1.test).Status | Should -Be 'Succeeded'
        Test-AegirServer master | Should -BeNullOrEmpty
        Test-AegirSite dr1.test | Should -BeNullOrEmpty
    }

    It 'names another account on the site''s database, a pool run as root, a link out of the site and a hand-made vhost; verify fixes only the pool' {
        $handmade = Join-Path (Split-Path $vhost) 'zz-handmade.conf'
        try {
            $account = [Aegir.Core.Contexts.AccountNames]::ForSite('dr1.test', $env:AEGIR_HOME)
            Invoke-Sql -Sql "CREATE USER 'drintruder'@'%' IDENTIFIED BY 'x'; GRANT ALL ON ``$db``.* TO 'drintruder'@'%'"
            (Get-Content -Raw $pool) -replace '(?m)^user = .*$', 'user = root' | Set-Content -NoNewline $pool
            runuser -u $account -- ln -s /etc/passwd "$uploads/x"
            # Only a comment: what it holds is not what is told, and a server block of its own would change what nginx listens on.
            Set-Content $handmade '# made by hand'

            $found = @(Test-AegirSite dr1.test -ErrorAction SilentlyContinue)
            $intruder = Drift Grant "'drintruder'@'%'*"
            $intruder.Found | Should -Be "ALL PRIVILEGES ON ``$db``.*"
            $intruder.Fix | Should -Match 'REVOKE'
            (Drift Pool $pool).Found | Should -Contain 'runs as root (user = root)'
            (Drift Symlink "$uploads/x").Found | Should -Be '/etc/passwd'
            $found = @(Test-AegirServer master -ErrorAction SilentlyContinue)
            (Drift Extra $handmade).Fix | Should -Match 'not yours'

            $task = Invoke-AegirVerify dr1.test
            $task.Status | Should -Be 'Succeeded' -Because (($task.Log | Where-Object Level -eq 'Warning').Message -join '; ')
            $found = @(Test-AegirSite dr1.test -ErrorAction SilentlyContinue)
            Drift Pool $pool | Should -BeNullOrEmpty
            $found.Kind | Sort-Object -Unique | Should -Be @('Grant', 'Symlink') -Because 'verify leaves other accounts and the site''s own links alone'
            Invoke-Sql -Sql "DROP USER 'drintruder'@'%'"
            rm -f "$uploads/x" $handmade   # rm, not Remove-Item: that refuses a link to a file of root's
            Test-AegirSite dr1.test | Should -BeNullOrEmpty
            Test-AegirServer master | Should -BeNullOrEmpty
        }
        finally {
            # Whatever failed above, the next tests find the site as its verify leaves it.
            Invoke-Sql -Sql "DROP USER IF EXISTS 'drintruder'@'%'" -ErrorAction SilentlyContinue
            rm -f "$uploads/x" $handmade
            $null = Invoke-AegirVerify dr1.test
        }
    }

    It 'tells a certificate that ends within 14 days, and nothing else of a site served over HTTPS' {
        $key = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=dr1.test', $key, 'SHA256')
        $san = [System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder]::new()
        $san.AddDnsName('dr1.test')
        $request.CertificateExtensions.Add($san.Build())
        $now = [DateTimeOffset]::UtcNow
        $cert = $request.CreateSelfSigned($now.AddDays(-80), $now.AddDays(5))
        Set-Content "$work/short.pem" $cert.ExportCertificatePem()
        Set-Content "$work/short.key" $key.ExportPkcs8PrivateKeyPem()
        $null = Set-AegirSite dr1.test -Https Enabled -CertificatePath "$work/short.pem" -CertificateKeyPath "$work/short.key" -ErrorAction Stop -WarningAction SilentlyContinue
        $found = @(Test-AegirSite dr1.test -ErrorAction SilentlyContinue)
        $found | Should -HaveCount 1 -Because ($found | Out-String)
        $found[0].Kind | Should -Be 'Certificate'
        $found[0].Found | Should -Match "expires on $($cert.NotAfter.ToUniversalTime().ToString('yyyy-MM-dd')) .*\(4 days\)"
        $found[0].Fix | Should -Match '^Update-AegirCertificate dr1.test'
        $null = Set-AegirSite dr1.test -Https Disabled -ErrorAction Stop
        Test-AegirSite dr1.test | Should -BeNullOrEmpty
    }

    It 'tells a PostgreSQL role given powers, another database and PUBLIC access to its own; verify takes them away' {
        $null = Start-AegirLocalServer pgbox -DbServiceType postgresql
        $null = New-AegirSite dr2.test -Platform drift -DbServer pgbox -ErrorAction Stop
        $role = (Get-AegirSite dr2.test).DbName
        Test-AegirSite dr2.test | Should -BeNullOrEmpty
        Invoke-PgSql -Server pgbox -Sql "ALTER ROLE $role CREATEDB; GRANT CONNECT ON DATABASE postgres TO $role; GRANT CONNECT ON DATABASE $role TO PUBLIC"
        $found = @(Test-AegirSite dr2.test -ErrorAction SilentlyContinue)
        (Drift Grant "role $role on $role*").Found | Should -Be @('CREATEDB', 'CONNECT on postgres')
        (Drift Grant "PUBLIC on $role*").Found | Should -Be 'CONNECT'
        $found | Should -HaveCount 3
        (Invoke-AegirVerify dr2.test).Status | Should -Be 'Succeeded'
        Test-AegirSite dr2.test | Should -BeNullOrEmpty
    }
}
