# Each site its own user: PHP running as site A (a file in its platform's code, as a vulnerable plugin gives an
# attacker) tries every way to reach site B's and site C's files, settings, uploads, pool, workers and database, and the
# web server's and the module's own folders, through PHP and through a shell. Every attempt fails, each a test. Two
# clients, three sites: two WordPress sites on one platform (a.test of acme, b.test of globex) and a manifest
# application (c.test of globex) on another.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Sites isolated from each other' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        $port = $server.Http.GetInt('port')
        Install-TestPackage wordpress
        $wp = New-WordPressPlatform $work wp
        # The attacker's file, in the platform's code: it runs as whichever site's name asks for it.
        [IO.File]::WriteAllText("$wp/probe.php", @'
<?php
header('Content-Type: application/json');
$target = $_GET;
$out = [];
$try = function (string $name, callable $f) use (&$out) {
    set_error_handler(fn() => true);
    try { $r = $f(); } catch (Throwable $e) { $r = false; }
    restore_error_handler();
    $out[$name] = $r === false || $r === null || $r === '' || $r === [] ? 'denied' : $r;
};
$sh = fn(string $cmd) => trim((string)shell_exec($cmd . ' 2>/dev/null'));
$try('whoami', fn() => posix_getpwuid(posix_geteuid())['name']);
$try('own_upload', fn() => file_get_contents($target['own']));
foreach (['file' => $target['file'], 'cfile' => $target['cfile']] as $k => $path) {
    $try("read_$k", fn() => file_get_contents($path));
    $try("shell_read_$k", fn() => $sh('cat ' . escapeshellarg($path)));
}
foreach (['dir' => $target['dir'], 'cdir' => $target['cdir'], 'btmp' => $target['btmp'], 'pools' => $target['pools'], 'config' => $target['config'], 'home' => $target['home'], 'logs' => $target['logs']] as $k => $path) {
    $try("list_$k", fn() => array_values(array_diff(scandir($path) ?: [], ['.', '..'])));
    $try("shell_list_$k", fn() => $sh('ls -A ' . escapeshellarg($path)));
}
$try('write_dir', fn() => file_put_contents($target['dir'] . '/planted.php', '<?php echo 1;'));
$try('shell_write_dir', fn() => $sh('touch ' . escapeshellarg($target['dir'] . '/planted2') . ' && echo written'));
$try('link_into_dir', fn() => symlink('/etc/passwd', $target['dir'] . '/link') ? 'linked' : false);
foreach (['bpool' => $target['bpool'], 'apool' => $target['apool'], 'vhost' => $target['vhost'], 'record' => $target['record']] as $k => $path) {
    $try("read_$k", fn() => file_get_contents($path));
    $try("shell_read_$k", fn() => $sh('cat ' . escapeshellarg($path)));
}
$try('socket', function () use ($target) { $s = stream_socket_client('unix://' . $target['bsock'], $no, $err, 2); return $s ? 'connected' : false; });
$try('proc_environ', function () {
    $found = [];
    foreach (glob('/proc/[0-9]*') as $p) {
        $env = @file_get_contents("$p/environ");
        if ($env !== false && str_contains($env, 'db_passwd=')) $found[] = basename($p) . ':' . str_replace("\0", ' ', $env);
    }
    return $found;
});
$try('shell_proc_environ', fn() => $sh('cat /proc/[0-9]*/environ | tr "\0" "\n" | grep db_passwd'));
$try('db_other', function () use ($target) {
    $db = new mysqli(getenv('db_host'), getenv('db_user'), getenv('db_passwd'), $target['bdb'], (int)getenv('db_port'));
    return $db->connect_errno ? false : 'connected to ' . $target['bdb'];
});
$try('db_list', function () {
    $db = new mysqli(getenv('db_host'), getenv('db_user'), getenv('db_passwd'), getenv('db_name'), (int)getenv('db_port'));
    return array_merge(...$db->query('SHOW DATABASES')->fetch_all());
});
echo json_encode($out);
'@)
        $app = Join-Path $work 'platforms/app'
        Write-Tree $app @{
            '.aegir.yml' = "name: Vault`nversion_command: [echo, 1.0]`ninstall: [php, bin/install.php]`ninstalled_tables: [notes]`nsite_folders:`n  - data/{uri}`n"
            'index.php'  = '<?php $db = new mysqli(getenv("db_host"), getenv("db_user"), getenv("db_passwd"), getenv("db_name"), (int)getenv("db_port")); echo "vault of ", $_SERVER["aegir_site"], ": ", $db->query("SELECT body FROM notes")->fetch_row()[0];'
            'bin/install.php' = '<?php $db = new mysqli(getenv("db_host"), getenv("db_user"), getenv("db_passwd"), getenv("db_name"), (int)getenv("db_port")); $db->query("CREATE TABLE notes (body TEXT)"); $db->query("INSERT INTO notes VALUES (''first note'')"); file_put_contents("data/" . getenv("aegir_site") . "/vault.txt", "C-SECRET-" . getenv("aegir_site"));'
        }
        $null = New-AegirPlatform app $app
        # Two clients, whose UNIX groups are made on this machine: names of this run's own, removed after.
        $r = Get-Random -Minimum 1000 -Maximum 9999
        $acme, $globex = "iso-acme$r", "iso-globex$r"
        $null = New-AegirClient $acme
        $null = New-AegirClient $globex
        $null = New-AegirSite a.test -Platform wp -Client $acme
        $null = New-AegirSite b.test -Platform wp -Client $globex
        $null = New-AegirSite c.test -Platform app -Client $globex
        $groups = @((Get-AegirClient $acme).UnixGroup, (Get-AegirClient $globex).UnixGroup)
        $php = (Get-AegirServer master).Http.Get('php_site_dir')
        $pools = (Get-AegirServer master).Http.Get('php_fpm_pool_dir')
        $a = Get-AegirSite a.test; $b = Get-AegirSite b.test; $c = Get-AegirSite c.test
        # What B's own PHP wrote: an upload, made as B's account.
        $bDir = "$wp/wp-content/uploads/sites/b.test"
        $ownFile = "$wp/wp-content/uploads/sites/a.test/mine.txt"
        Set-Content "$bDir/secret.txt" 'B-SECRET-UPLOAD'; chown "$($b.UnixUser):www-data" "$bDir/secret.txt"; chmod 0640 "$bDir/secret.txt"
        Set-Content $ownFile 'A-OWN-UPLOAD'; chown "$($a.UnixUser):www-data" $ownFile
        # B's worker is up while A looks for its environment in /proc.
        (Invoke-Site -Port $port -HostName b.test).Status | Should -Be 200
        $query = [ordered]@{
            own = $ownFile; file = "$bDir/secret.txt"; dir = $bDir; cfile = "$app/data/c.test/vault.txt"; cdir = "$app/data/c.test"
            btmp = "$php/$($b.UnixUser)/tmp"; bsock = "$php/$($b.UnixUser)/php.sock"; pools = $pools
            bpool = "$pools/aegir-$($b.UnixUser).conf"; apool = "$pools/aegir-$($a.UnixUser).conf"
            config = "$env:AEGIR_HOME/config"; vhost = "$env:AEGIR_HOME/config/server_master/nginx/vhost.d/b.test.conf"
            home = $env:AEGIR_HOME; record = $b.Path; logs = "$env:AEGIR_HOME/logs"; bdb = $b.DbName
        }
        $qs = ($query.GetEnumerator() | ForEach-Object { "$($_.Key)=$([uri]::EscapeDataString($_.Value))" }) -join '&'
        $probe = Invoke-Site -Port $port -HostName a.test -Path "/probe.php?$qs"
        $probe.Status | Should -Be 200 -Because $probe.Body
        $seen = $probe.Body | ConvertFrom-Json -AsHashtable
        $bPassword = Get-SitePassword b.test
    }

    AfterAll {
        foreach ($uri in 'a.test', 'b.test', 'c.test') { $null = Remove-AegirSite $uri -Confirm:$false -ErrorAction SilentlyContinue }
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        foreach ($group in $groups) { if (getent group $group) { groupdel $group } }
        Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
    }

    It 'runs the attacker''s file as site A''s own account, which reads what A''s PHP wrote' {
        $seen.whoami | Should -Be $a.UnixUser
        $seen.own_upload.Trim() | Should -Be 'A-OWN-UPLOAD'
        $a.UnixUser | Should -Not -Be $b.UnixUser
    }

    It 'keeps B''s uploaded file from A, through PHP and through a shell' {
        $seen.read_file | Should -Be 'denied'
        $seen.shell_read_file | Should -Be 'denied'
    }

    It 'keeps the list of B''s uploads from A' {
        $seen.list_dir | Should -Be 'denied'
        $seen.shell_list_dir | Should -Be 'denied'
    }

    It 'lets A write nothing into B''s uploads, nor plant a link there' {
        $seen.write_dir | Should -Be 'denied'
        $seen.shell_write_dir | Should -Be 'denied'
        $seen.link_into_dir | Should -Be 'denied'
        Get-ChildItem -Force "$wp/wp-content/uploads/sites/b.test" | ForEach-Object Name | Should -Be @('secret.txt')
    }

    It 'keeps the other client''s application site C (its own folder and what its installer wrote) from A' {
        "$app/data/c.test/vault.txt" | Should -FileContentMatchExactly 'C-SECRET-c.test'
        $seen.read_cfile | Should -Be 'denied'
        $seen.shell_read_cfile | Should -Be 'denied'
        $seen.list_cdir | Should -Be 'denied'
        $seen.shell_list_cdir | Should -Be 'denied'
    }

    It 'keeps B''s temp folder from A' {
        $seen.list_btmp | Should -Be 'denied'
        $seen.shell_list_btmp | Should -Be 'denied'
    }

    It 'keeps every pool file from every site, A''s own too (they hold database passwords)' {
        $seen.read_bpool | Should -Be 'denied'
        $seen.shell_read_bpool | Should -Be 'denied'
        $seen.read_apool | Should -Be 'denied'
        $seen.shell_read_apool | Should -Be 'denied'
        $seen.list_pools | Should -Be 'denied'
        $seen.shell_list_pools | Should -Be 'denied'
        (stat -c '%U %a' "$pools/aegir-$($b.UnixUser).conf") | Should -Be 'root 600'
        Get-Content "$pools/aegir-$($b.UnixUser).conf" | Should -Contain "env[db_passwd] = `"$bPassword`""
    }

    It 'lets A not connect to B''s PHP-FPM socket' {
        $seen.socket | Should -Be 'denied'
    }

    It 'shows A no other site''s PHP environment in /proc, though B''s worker runs' {
        Get-Process | Where-Object { $_.ProcessName -like 'php-fpm*' } | ForEach-Object { (stat -c '%U' "/proc/$($_.Id)") } | Should -Contain $b.UnixUser
        @($seen.proc_environ) | Where-Object { $_ -ne 'denied' } | ForEach-Object { $_ | Should -Not -Match ([regex]::Escape($bPassword)) }
        "$($seen.shell_proc_environ)" | Should -Not -Match ([regex]::Escape($bPassword))
    }

    It 'keeps the vhosts, the module''s records and the logs from A' {
        foreach ($k in 'list_config', 'shell_list_config', 'read_vhost', 'shell_read_vhost', 'list_home', 'shell_list_home', 'read_record', 'shell_read_record', 'list_logs', 'shell_list_logs') {
            $seen[$k] | Should -Be 'denied' -Because $k
        }
    }

    It 'lets A''s database account into A''s database only' {
        $seen.db_other | Should -Be 'denied'
        @($seen.db_list) | Should -Not -Contain $b.DbName
        @($seen.db_list) | Should -Not -Contain $c.DbName
        @($seen.db_list) | Should -Contain $a.DbName
    }

    It 'passes no database credential through the web server: the vhosts hold none' {
        foreach ($uri in 'a.test', 'b.test', 'c.test') {
            $vhost = Get-Content -Raw "$env:AEGIR_HOME/config/server_master/nginx/vhost.d/$uri.conf"
            $vhost | Should -Not -Match 'db_passwd'
            $vhost | Should -Match ([regex]::Escape("$php/$((Get-AegirSite $uri).UnixUser)/php.sock"))
        }
        (Invoke-Site -Port $port -HostName c.test).Body | Should -Be 'vault of c.test: first note'
    }
}

Describe 'A site moved into its own pool' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        $port = $server.Http.GetInt('port')
        Install-TestPackage wordpress
        $wp = New-WordPressPlatform $work wp
        [IO.File]::WriteAllText("$wp/whoami.php", '<?php echo posix_getpwuid(posix_geteuid())["name"], " ", $_SERVER["db_name"] ?? "", "\n";')
        # Sites made before each site had its own pool: in the one shared pool, as the web server's user.
        $null = Set-AegirServer master -HttpSetting @{ php_pools = 'shared' }
        $null = New-AegirSite old.test -Platform wp
        $null = New-AegirSite killed.test -Platform wp
        $null = Set-AegirServer master -HttpSetting @{ php_pools = 'per-site' }
        $pools = (Get-AegirServer master).Http.Get('php_fpm_pool_dir')
    }

    AfterAll {
        foreach ($uri in 'old.test', 'killed.test') { $null = Remove-AegirSite $uri -Confirm:$false -ErrorAction SilentlyContinue }
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
    }

    It 'moves on its next verify, with no request failing meanwhile' {
        (Invoke-Site -Port $port -HostName old.test -Path /whoami.php).Body | Should -Match '^www-data '
        Set-Content "$wp/wp-content/uploads/sites/old.test/before.txt" 'written before'
        chown www-data:www-data "$wp/wp-content/uploads/sites/old.test/before.txt"
        # Requests all along the verify, as visitors would send them.
        $job = Start-ThreadJob -ArgumentList $port {
            param($port)
            $client = [System.Net.Http.HttpClient]::new()
            $codes = [Collections.Generic.List[int]]::new()
            $until = [DateTime]::UtcNow.AddSeconds(60)
            while ([DateTime]::UtcNow -lt $until -and -not (Test-Path "/tmp/aegir-switch-done-$port")) {
                $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::Get, "http://127.0.0.1:$port/whoami.php")
                $request.Headers.Host = "old.test:$port"
                try { $codes.Add([int]$client.SendAsync($request).GetAwaiter().GetResult().StatusCode) } catch { $codes.Add(0) }
            }
            $codes
        }
        Start-Sleep -Milliseconds 300
        $verify = Invoke-AegirVerify old.test
        Start-Sleep -Milliseconds 300
        Set-Content "/tmp/aegir-switch-done-$port" ''
        $codes = @($job | Wait-Job | Receive-Job)
        Remove-Item "/tmp/aegir-switch-done-$port"
        $verify.Status | Should -Be 'Succeeded'
        $codes.Count | Should -BeGreaterThan 10
        @($codes | Where-Object { $_ -ne 200 }) | Should -BeNullOrEmpty -Because "every request during the switch is answered ($($codes.Count) sent)"
        $account = (Get-AegirSite old.test).UnixUser
        (Invoke-Site -Port $port -HostName old.test -Path /whoami.php).Body | Should -Be "$account $((Get-AegirSite old.test).DbName)`n"
        (stat -c '%U' "$wp/wp-content/uploads/sites/old.test/before.txt") | Should -Be $account -Because 'what PHP wrote as the web server is the site''s now'
        "$pools/aegir-$account.conf" | Should -Exist
        (Invoke-Site -Port $port -HostName old.test).Body | Should -Match '<title>'
    }

    It 'killed while it moves, is repaired by the next task and answers as itself' {
        $child = Start-AegirChild "Invoke-AegirVerify killed.test" -Warmup "`$env:AEGIR_HOME = '$env:AEGIR_HOME'; `$null = Get-AegirSite killed.test"
        $account = (Get-AegirSite killed.test).UnixUser
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (-not (Test-Path "$pools/aegir-$account.conf") -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 5 }
        kill -9 $child.Id
        $child.WaitForExit()
        "$pools/aegir-$account.conf" | Should -Exist -Because 'the kill came after the pool was written'
        $repair = Invoke-AegirVerify killed.test
        $repair.Status | Should -Be 'Succeeded'
        $page = Invoke-Site -Port $port -HostName killed.test -Path /whoami.php
        $page.Status | Should -Be 200
        $page.Body | Should -Match "^$account "
        (Invoke-Site -Port $port -HostName killed.test).Body | Should -Match '<title>'
    }

    It 'moves back into the shared pool when the server says so, its own pool gone' {
        $account = (Get-AegirSite old.test).UnixUser
        $null = Set-AegirServer master -HttpSetting @{ php_pools = 'shared' }
        try {
            (Invoke-AegirVerify old.test).Status | Should -Be 'Succeeded'
            "$pools/aegir-$account.conf" | Should -Not -Exist
            (Invoke-Site -Port $port -HostName old.test -Path /whoami.php).Body | Should -Match '^www-data '
        }
        finally { $null = Set-AegirServer master -HttpSetting @{ php_pools = 'per-site' } }
        (Invoke-AegirVerify old.test).Status | Should -Be 'Succeeded'
        (Invoke-Site -Port $port -HostName old.test -Path /whoami.php).Body | Should -Match "^$account "
    }
}
