# All sites of one client as one account (php_accounts per-client): on a real local server (nginx, PHP-FPM, MariaDB),
# two sites of one client run as the client's account, each in its own pool with its own socket and credentials; they
# read each other's files (the trade), a site of another client reads neither, a site without a client keeps its own
# account. Switching the setting, or a site's client, moves a site's pool and files on its next verify with no request
# failing; an account no site runs as any more is deleted; a kill during a move is repaired by the next verify.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'All sites of a client as one account' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        $port = $server.Http.GetInt('port')
        $app = Join-Path $work 'platforms/app'
        # An application whose installer and cron record who ran them; probe.php, in the platform's code, runs as
        # whichever site's name asks for it and reads what it is given, as a vulnerable plugin lets an attacker.
        Write-Tree $app @{
            '.aegir.yml' = "name: Notes`nversion_command: [echo, 1.0]`ninstall: [php, bin/install.php]`ncron: [php, bin/cron.php]`ninstalled_tables: [notes]`nsite_folders:`n  - data/{uri}`nsettings:`n  path: conf/{uri}.php`n  template: aegir/settings.php.sbn`n"
            'aegir/settings.php.sbn' = "<?php // the settings of {{ uri }}`n"
            'index.php' = '<?php $db = new mysqli(getenv("db_host"), getenv("db_user"), getenv("db_passwd"), getenv("db_name"), (int)getenv("db_port")); echo posix_getpwuid(posix_geteuid())["name"], " ", getenv("db_name"), " ", $db->query("SELECT body FROM notes")->fetch_row()[0], "\n";'
            'probe.php' = '<?php set_error_handler(fn() => true); $r = file_get_contents($_GET["read"]); echo $r === false ? "denied" : $r;'
            'bin/install.php' = '<?php $db = new mysqli(getenv("db_host"), getenv("db_user"), getenv("db_passwd"), getenv("db_name"), (int)getenv("db_port")); $db->query("CREATE TABLE notes (body TEXT)"); $db->query("INSERT INTO notes VALUES (''note of " . getenv("aegir_site") . "'')"); file_put_contents("data/" . getenv("aegir_site") . "/secret.txt", "SECRET-" . getenv("aegir_site")); file_put_contents("data/" . getenv("aegir_site") . "/installed-by.txt", posix_getpwuid(posix_geteuid())["name"]);'
            'bin/cron.php' = '<?php file_put_contents("data/" . getenv("aegir_site") . "/cron-by.txt", posix_getpwuid(posix_geteuid())["name"]);'
        }
        $null = New-AegirPlatform app $app
        $r = Get-Random -Minimum 1000 -Maximum 9999
        $acme, $globex = "ca-acme$r", "ca-globex$r"
        $null = New-AegirClient $acme
        $null = New-AegirClient $globex
        $groups = @((Get-AegirClient $acme).UnixGroup, (Get-AegirClient $globex).UnixGroup)
        $null = Set-AegirServer master -HttpSetting @{ php_accounts = 'per-client' }
        $null = New-AegirSite a1.test -Platform app -Client $acme
        $null = New-AegirSite a2.test -Platform app -Client $acme
        $null = New-AegirSite g1.test -Platform app -Client $globex
        $null = New-AegirSite n1.test -Platform app
        $php = (Get-AegirServer master).Http.Get('php_site_dir')
        $pools = (Get-AegirServer master).Http.Get('php_fpm_pool_dir')
        $acmeAccount = [Aegir.Core.Contexts.AccountNames]::ForClient((Get-AegirClient $acme).ShortName, $env:AEGIR_HOME)
        $globexAccount = [Aegir.Core.Contexts.AccountNames]::ForClient((Get-AegirClient $globex).ShortName, $env:AEGIR_HOME)
        function Own([string] $Uri) { [Aegir.Core.Contexts.AccountNames]::ForSite($Uri, $env:AEGIR_HOME) }
        function Get-Whoami([string] $Uri) { (Invoke-Site -Port $port -HostName $Uri).Body }
        function Read-As([string] $Uri, [string] $Path) { (Invoke-Site -Port $port -HostName $Uri -Path "/probe.php?read=$([uri]::EscapeDataString($Path))").Body }
        function Test-Account([string] $Name) { [bool](getent passwd $Name) }
        # The users the PHP-FPM workers run as, from /proc.
        function Get-WorkerUser { Get-Process | Where-Object { $_.ProcessName -like 'php-fpm*' } | ForEach-Object { stat -c '%U' "/proc/$($_.Id)" 2>$null } }
        # Named users' ACL entries left in a site's folders (a move's, which must be gone once it ends).
        function Get-UserAcl([string] $Uri) { @(getfacl -R -p --skip-base "$app/data/$Uri" "$php/$(Own $Uri)" 2>$null | Where-Object { $_ -match '^(default:)?user:[^:]+:' }) }
        # Verifies a site while requests go to it all along, as visitors would send them; returns the task and the codes.
        function Invoke-VerifyUnderLoad([string] $Uri) {
            $flag = Join-Path $work "done-$Uri"
            $job = Start-ThreadJob -ArgumentList $port, $Uri, $flag {
                param($port, $uri, $flag)
                $client = [System.Net.Http.HttpClient]::new()
                $codes = [Collections.Generic.List[int]]::new()
                $until = [DateTime]::UtcNow.AddSeconds(90)
                while ([DateTime]::UtcNow -lt $until -and -not (Test-Path $flag)) {
                    $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::Get, "http://127.0.0.1:$port/")
                    $request.Headers.Host = "${uri}:$port"
                    # Each on a new connection, as a new visitor's: one kept alive may be closed by a graceful reload
                    # as it is reused, which HTTP clients send again (RFC 9112, 9.3.1) and is no refused request.
                    $request.Headers.ConnectionClose = $true
                    try {
                        $response = $client.SendAsync($request).GetAwaiter().GetResult()
                        $body = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
                        # A page that answers without its note (the settings or the database unreadable) fails too.
                        if ($body -match ' note of ') { $codes.Add([int]$response.StatusCode) } else { $codes.Add(599); Write-Output "$([int]$response.StatusCode): $body" }
                    }
                    catch { $codes.Add(0); Write-Output "failed: $_" }
                }
                $codes
            }
            Start-Sleep -Milliseconds 300
            $task = Invoke-AegirVerify $Uri
            Start-Sleep -Milliseconds 300
            Set-Content $flag ''
            $out = @($job | Wait-Job | Receive-Job)
            Remove-Item $flag
            $codes = @($out | Where-Object { $_ -is [int] })
            $failures = @($out | Where-Object { $_ -isnot [int] } | Select-Object -First 3)
            [pscustomobject]@{ Task = $task; Codes = $codes; Failures = $failures -join ' | ' }
        }
    }

    AfterAll {
        foreach ($uri in 'a1.test', 'a2.test', 'g1.test', 'n1.test') { $null = Remove-AegirSite $uri -Confirm:$false -ErrorAction SilentlyContinue }
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        foreach ($name in @($acmeAccount, $globexAccount) + @('a1.test', 'a2.test', 'g1.test', 'n1.test' | ForEach-Object { Own $_ })) {
            if ($name -and (getent passwd $name)) { userdel --force $name; if (getent group $name) { groupdel $name } }
        }
        foreach ($group in $groups) { if (getent group $group) { groupdel $group } }
        Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
    }

    It 'runs both sites of the client as its one account, named and marked for the client and this home' {
        (Get-AegirSite a1.test).UnixUser | Should -Be $acmeAccount
        (Get-AegirSite a2.test).UnixUser | Should -Be $acmeAccount
        $acmeAccount | Should -Match "^caacme$r-[0-9a-f]{6}$"
        (getent passwd $acmeAccount) -split ':' | Select-Object -Index 4 | Should -BeLike "Aegir client $((Get-AegirClient $acme).ShortName) (home *)"
        Get-Whoami a1.test | Should -Be "$acmeAccount $((Get-AegirSite a1.test).DbName) note of a1.test`n"
        Get-Whoami a2.test | Should -Be "$acmeAccount $((Get-AegirSite a2.test).DbName) note of a2.test`n"
        Get-WorkerUser | Should -Contain $acmeAccount
        Test-Account (Own a1.test) | Should -BeFalse -Because 'a site of a client run per client has no account of its own'
    }

    It 'keeps a pool for each site: its own file, socket, folders and database credentials, only its user the client''s' {
        foreach ($uri in 'a1.test', 'a2.test') {
            $site = Get-AegirSite $uri
            $site.PhpPool | Should -Be (Own $uri)
            $file = "$pools/aegir-$($site.PhpPool).conf"
            (stat -c '%U %a' $file) | Should -Be 'root 600'
            $text = Get-Content $file
            $text | Should -Contain "[$($site.PhpPool)]"
            $text | Should -Contain "user = $acmeAccount"
            $text | Should -Contain "listen = $php/$($site.PhpPool)/php.sock"
            $text | Should -Contain "env[db_name] = `"$($site.DbName)`""
            $text | Should -Contain "env[db_passwd] = `"$(Get-SitePassword $uri)`""
            (stat -c '%U %a' "$php/$($site.PhpPool)/tmp") | Should -Be "$acmeAccount 700"
            (stat -c '%U' "$php/$($site.PhpPool)/php.sock") | Should -Be 'www-data'
            Test-Path "$php/$($site.PhpPool)/handover" | Should -BeFalse -Because 'the note made before its pool first ran as the account is ended by the install'
        }
        (Get-AegirSite a1.test).DbName | Should -Not -Be (Get-AegirSite a2.test).DbName
    }

    It 'runs the installer, the settings, the cron and site commands as the client''s account' {
        (Get-Content "$app/data/a1.test/installed-by.txt") | Should -Be $acmeAccount
        (stat -c '%U' "$app/data/a1.test/secret.txt") | Should -Be $acmeAccount
        (stat -c '%U %G %a' "$app/conf/a1.test.php") | Should -Be "$acmeAccount www-data 440"
        Invoke-AegirSiteCommand a1.test -- id -un | Should -Be $acmeAccount
        $null = Invoke-AegirSiteCommand a1.test -Cron
        (Get-Content "$app/data/a1.test/cron-by.txt") | Should -Be $acmeAccount
    }

    It 'lets the client''s sites read each other (the same user), and no other client''s site read either' {
        Read-As a2.test "$app/data/a1.test/secret.txt" | Should -Be 'SECRET-a1.test'
        Read-As g1.test "$app/data/a1.test/secret.txt" | Should -Be 'denied'
        Read-As g1.test "$app/data/a2.test/secret.txt" | Should -Be 'denied'
        Read-As a1.test "$app/data/g1.test/secret.txt" | Should -Be 'denied'
        Read-As n1.test "$app/data/a1.test/secret.txt" | Should -Be 'denied'
        Get-Whoami g1.test | Should -Match "^$globexAccount "
    }

    It 'keeps a site without a client in its own account' {
        (Get-AegirSite n1.test).UnixUser | Should -Be (Own n1.test)
        Get-Whoami n1.test | Should -Match "^$(Own n1.test) "
        (getent passwd (Own n1.test)) -split ':' | Select-Object -Index 4 | Should -BeLike 'Aegir site n1.test (home *)'
    }

    It 'moves each site to its own account when the server runs sites per site, no request failing, and deletes the client''s account after its last site' {
        $null = Set-AegirServer master -HttpSetting @{ php_accounts = 'per-site' }
        $moved = Invoke-VerifyUnderLoad a1.test
        $moved.Task.Status | Should -Be 'Succeeded'
        $moved.Codes.Count | Should -BeGreaterThan 10
        @($moved.Codes | Where-Object { $_ -ne 200 }) | Should -BeNullOrEmpty -Because "every request during the move is answered as the site ($($moved.Codes.Count) sent; $($moved.Failures))"
        Get-Whoami a1.test | Should -Match "^$(Own a1.test) "
        (stat -c '%U' "$app/data/a1.test/secret.txt") | Should -Be (Own a1.test)
        (stat -c '%U' "$app/conf/a1.test.php") | Should -Be (Own a1.test)
        Test-Account $acmeAccount | Should -BeTrue -Because 'a2.test still runs as it'
        Get-UserAcl a1.test | Should -BeNullOrEmpty
        Test-Path "$php/$(Own a1.test)/handover" | Should -BeFalse
        Read-As a2.test "$app/data/a1.test/secret.txt" | Should -Be 'denied'

        (Invoke-AegirVerify a2.test).Status | Should -Be 'Succeeded'
        Get-Whoami a2.test | Should -Match "^$(Own a2.test) "
        Test-Account $acmeAccount | Should -BeFalse -Because 'no site runs as it any more'
        (Invoke-AegirVerify g1.test).Status | Should -Be 'Succeeded'
        Test-Account $globexAccount | Should -BeFalse
    }

    It 'moves them back into the client''s account, no request failing, their own accounts deleted' {
        $null = Set-AegirServer master -HttpSetting @{ php_accounts = 'per-client' }
        $moved = Invoke-VerifyUnderLoad a1.test
        $moved.Task.Status | Should -Be 'Succeeded'
        @($moved.Codes | Where-Object { $_ -ne 200 }) | Should -BeNullOrEmpty -Because "every request during the move is answered as the site ($($moved.Codes.Count) sent; $($moved.Failures))"
        Get-Whoami a1.test | Should -Match "^$acmeAccount "
        Test-Account (Own a1.test) | Should -BeFalse
        (stat -c '%U' "$app/data/a1.test/secret.txt") | Should -Be $acmeAccount
        @(find "$app/data/a1.test" "$app/conf/a1.test.php" "$php/$(Own a1.test)" -nouser) | Should -BeNullOrEmpty -Because 'nothing is left to the deleted account'
        foreach ($uri in 'a2.test', 'g1.test') { (Invoke-AegirVerify $uri).Status | Should -Be 'Succeeded' }
        Get-Whoami a2.test | Should -Match "^$acmeAccount "
        Get-Whoami g1.test | Should -Match "^$globexAccount "
        Read-As a2.test "$app/data/a1.test/secret.txt" | Should -Be 'SECRET-a1.test'
    }

    It 'moves a site to its new client''s account when its client changes, the former client''s staying for its other site' {
        $null = Set-AegirSite a2.test -Client $globex
        Get-Whoami a2.test | Should -Match "^$globexAccount "
        (stat -c '%U' "$app/data/a2.test/secret.txt") | Should -Be $globexAccount
        Test-Account $acmeAccount | Should -BeTrue -Because 'a1.test runs as it'
        Read-As g1.test "$app/data/a2.test/secret.txt" | Should -Be 'SECRET-a2.test'
        Read-As a1.test "$app/data/a2.test/secret.txt" | Should -Be 'denied'
        Get-UserAcl a2.test | Should -BeNullOrEmpty
    }

    It 'killed during a move (<moment>), is repaired by the next verify and answers as the right account' -ForEach @(
        @{ moment = 'once the move is noted'; own = $true }
        @{ moment = 'once the pool runs as the new account'; own = $false }
    ) {
        # From the client's account to its own, or back: both sites of acme start where the setting puts them.
        $null = Set-AegirServer master -HttpSetting @{ php_accounts = $(if ($own) { 'per-client' } else { 'per-site' }) }
        $null = Set-AegirSite a2.test -Client $acme
        foreach ($uri in 'a1.test', 'a2.test') { (Invoke-AegirVerify $uri).Status | Should -Be 'Succeeded' }
        Get-Whoami a1.test | Should -Match "^$(if ($own) { $acmeAccount } else { Own a1.test }) "
        $to = if ($own) { Own a1.test } else { $acmeAccount }
        $null = Set-AegirServer master -HttpSetting @{ php_accounts = $(if ($own) { 'per-site' } else { 'per-client' }) }
        $note = "$php/$(Own a1.test)/handover"
        $pool = "$pools/aegir-$(Own a1.test).conf"
        $child = Start-AegirChild "Invoke-AegirVerify a1.test" -Warmup "`$env:AEGIR_HOME = '$env:AEGIR_HOME'; `$null = Get-AegirSite a1.test"
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        $reached = { if ($own) { Test-Path $note } else { (Get-Content $pool) -contains "user = $to" } }
        while (-not (& $reached) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 5 }
        Start-Sleep -Milliseconds (Get-Random -Minimum 0 -Maximum 200)
        kill -9 $child.Id
        $child.WaitForExit()
        $repair = Invoke-AegirVerify a1.test
        $repair.Status | Should -Be 'Succeeded'
        Get-Whoami a1.test | Should -Match "^$to "
        (stat -c '%U' "$app/data/a1.test/secret.txt") | Should -Be $to
        @(find "$app/data/a1.test" "$app/conf/a1.test.php" "$php/$(Own a1.test)" -nouser) | Should -BeNullOrEmpty
        Test-Path $note | Should -BeFalse
        Get-UserAcl a1.test | Should -BeNullOrEmpty
        Test-Account $(if ($own) { $acmeAccount } else { Own a1.test }) | Should -Be $own -Because 'the client''s account stays for a2.test; a1.test''s own goes'
        (Invoke-AegirVerify a2.test).Status | Should -Be 'Succeeded'
    }

    It 'removes the client''s account with its last site, and leaves no account behind' {
        $null = Remove-AegirSite a1.test -Confirm:$false
        Test-Account $acmeAccount | Should -BeTrue -Because 'a2.test still runs as it'
        $null = Remove-AegirSite a2.test -Confirm:$false
        Test-Account $acmeAccount | Should -BeFalse
        $null = Remove-AegirSite g1.test -Confirm:$false
        Test-Account $globexAccount | Should -BeFalse
        $null = Remove-AegirSite n1.test -Confirm:$false
        foreach ($uri in 'a1.test', 'a2.test', 'g1.test', 'n1.test') { Test-Account (Own $uri) | Should -BeFalse -Because $uri }
        @(Get-ChildItem $pools -Filter 'aegir-*.conf') | Should -BeNullOrEmpty
    }
}
