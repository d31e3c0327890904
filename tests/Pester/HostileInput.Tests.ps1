BeforeAll { . $PSScriptRoot/TestHelpers.ps1 }

# Each case runs against a home with master, a platform and a site, and must be refused
# with an error that says what is wrong, leaving every context file as it was.
BeforeDiscovery {
    $long = 'a' * 300
    $cases = @(
        @{ Name = 'uri with a newline'; Run = { New-AegirSite "a`nb.example" -Platform wp } }
        @{ Name = 'uri with ;'; Run = { New-AegirSite 'a;b.example' -Platform wp } }
        @{ Name = 'uri with {'; Run = { New-AegirSite 'a{b.example' -Platform wp } }
        @{ Name = 'uri with }'; Run = { New-AegirSite 'a}b.example' -Platform wp } }
        @{ Name = 'uri with a double quote'; Run = { New-AegirSite 'a"b.example' -Platform wp } }
        @{ Name = 'uri with a single quote'; Run = { New-AegirSite "a'b.example" -Platform wp } }
        @{ Name = 'uri that climbs with ../'; Run = { New-AegirSite '../etc/passwd' -Platform wp } }
        @{ Name = 'uri with a space'; Run = { New-AegirSite 'a b.example' -Platform wp } }
        @{ Name = 'uri with a tab'; Run = { New-AegirSite "`tab.example" -Platform wp } }
        @{ Name = 'uri with a right-to-left override'; Run = { New-AegirSite "evil$([char]0x202E)elpmaxe.com" -Platform wp } }
        @{ Name = 'uri with a zero-width space'; Run = { New-AegirSite "zero$([char]0x200B)width.example" -Platform wp } }
        @{ Name = 'uri with a NUL'; Run = { New-AegirSite "nul$([char]0)byte.example" -Platform wp } }
        @{ Name = 'uri with an escape character'; Run = { New-AegirSite "esc$([char]27)[31m.example" -Platform wp } }
        @{ Name = 'over-long uri'; Run = { New-AegirSite "$long.example" -Platform wp } }
        @{ Name = 'over-long uri of short labels'; Run = { New-AegirSite ((1..60 | ForEach-Object { 'abcd' }) -join '.') -Platform wp } }
        @{ Name = 'empty uri'; Run = { New-AegirSite '' -Platform wp } }
        @{ Name = 'blank uri'; Run = { New-AegirSite '   ' -Platform wp } }
        @{ Name = 'uri that is a URL'; Run = { New-AegirSite 'http://example.com' -Platform wp } }
        @{ Name = 'uri with a path'; Run = { New-AegirSite 'example.com/admin' -Platform wp } }
        @{ Name = 'uri with a port'; Run = { New-AegirSite 'example.com:8080' -Platform wp } }
        @{ Name = 'uri with a wildcard'; Run = { New-AegirSite '*.example.com' -Platform wp } }
        @{ Name = 'uri with $'; Run = { New-AegirSite 'exa$mple.com' -Platform wp } }
        @{ Name = 'uri with an empty label'; Run = { New-AegirSite 'example..com' -Platform wp } }
        @{ Name = 'uri with a leading hyphen'; Run = { New-AegirSite '-example.com' -Platform wp } }
        @{ Name = 'uri that is an IP address'; Run = { New-AegirSite '10.1.2.3' -Platform wp } }
        @{ Name = 'uri with a trailing dot'; Run = { New-AegirSite 'example.com.' -Platform wp } }
        @{ Name = 'uri with a backtick'; Run = { New-AegirSite 'ex`ample.com' -Platform wp } }
        @{ Name = 'uri with an underscore'; Run = { New-AegirSite 'server_x.example' -Platform wp } }
        @{ Name = 'alias with ;'; Run = { Set-AegirSite taken.example -AddAlias 'www.a.example;rm' } }
        @{ Name = 'alias with CRLF header injection'; Run = { Set-AegirSite taken.example -AddAlias "a.example`r`nX-Evil: 1" } }
        @{ Name = 'alias that is the uri'; Run = { Set-AegirSite taken.example -AddAlias 'taken.example' } }
        @{ Name = 'redirection to a stranger'; Run = { Set-AegirSite taken.example -Redirection 'elsewhere.example' } }
        @{ Name = 'platform name with ;'; Run = { New-AegirPlatform 'wp;x' /srv/x } }
        @{ Name = 'platform name with ../'; Run = { New-AegirPlatform '../wp' /srv/x } }
        @{ Name = 'platform name with a newline'; Run = { New-AegirPlatform "wp`nx" /srv/x } }
        @{ Name = 'over-long platform name'; Run = { New-AegirPlatform ('p' * 100) /srv/x } }
        @{ Name = 'relative root'; Run = { New-AegirPlatform x 'platforms/x' } }
        @{ Name = 'root that climbs with ..'; Run = { New-AegirPlatform x '/var/aegir/../../etc' } }
        @{ Name = 'root with a space'; Run = { New-AegirPlatform x '/var/a b' } }
        @{ Name = 'root with ;'; Run = { New-AegirPlatform x '/var/x;rm -rf /' } }
        @{ Name = 'root with { }'; Run = { New-AegirPlatform x '/var/{x}' } }
        @{ Name = 'root with $'; Run = { New-AegirPlatform x '/var/$HOME' } }
        @{ Name = 'root with a newline'; Run = { New-AegirPlatform x "/var/x`nserver { }" } }
        @{ Name = 'root that is /'; Run = { New-AegirPlatform x '/' } }
        @{ Name = 'remote host with ;'; Run = { New-AegirServer -RemoteHost 'host;rm -rf /' } }
        @{ Name = 'remote host with a space'; Run = { New-AegirServer -RemoteHost 'host name.example' } }
        @{ Name = 'client name with ;'; Run = { New-AegirClient 'acme; drop' } }
        @{ Name = 'email with a header injection'; Run = { New-AegirClient acme -Email "a@b.example`nBcc: c@d.example" } }
        @{ Name = 'email in angle brackets'; Run = { New-AegirClient acme -Email '<a@b.example>' } }
        @{ Name = 'language with ;'; Run = { Set-AegirSite taken.example -Language 'en;rm' } }
        @{ Name = 'profile with a path'; Run = { Set-AegirSite taken.example -Profile 'standard/../x' } }
        @{ Name = 'restart command with ;'; Run = { Set-AegirServer master -HttpSetting @{ restart_command = 'nginx -s reload; rm -rf /' } } }
        @{ Name = 'config test command with $( )'; Run = { Set-AegirServer master -HttpSetting @{ config_test_command = 'nginx $(id)' } } }
        @{ Name = 'script user with ;'; Run = { Set-AegirServer master -ScriptUser 'root;id' } }
        @{ Name = 'port 0'; Run = { Set-AegirServer master -HttpPort 0 } }
        @{ Name = 'port 70000'; Run = { Set-AegirServer master -DbPort 70000 } }
        @{ Name = 'admin password with a newline'; Run = { Set-AegirServer master -DbAdminCredential ([pscredential]::new('root', (ConvertTo-SecureString "pw`nmore" -AsPlainText -Force))) } }
        @{ Name = 'unknown http setting'; Run = { Set-AegirServer master -HttpSetting @{ 'include /etc/shadow' = 'x' } } }
        @{ Name = 'web group with a space'; Run = { Set-AegirServer master -HttpSetting @{ web_group = 'www data' } } }
        @{ Name = 'php socket with a newline'; Run = { Set-AegirServer master -HttpSetting @{ php_fpm_socket = "/run/x.sock`nfastcgi_pass evil" } } }

        # Sites: every character a vhost, a folder name or a database name would choke on.
        foreach ($c in '\', '|', '&', '<', '>', '(', ')', '#', '?', '=', ',', '!', '~', '+', '@', '%', '^', '[', ']', ':') {
            @{ Name = "uri with $c"; Run = [scriptblock]::Create("New-AegirSite 'a$($c)b.example' -Platform wp -NoInstall") }
        }
        @{ Name = 'uri with a 64-letter label'; Run = { New-AegirSite "$('a' * 64).example" -Platform wp -NoInstall } }
        @{ Name = 'uri with percent-encoded dots'; Run = { New-AegirSite 'a%2e%2e.example' -Platform wp -NoInstall } }
        @{ Name = 'uri in brackets'; Run = { New-AegirSite '[::1]' -Platform wp -NoInstall } }
        @{ Name = 'uri that is an IPv6 address'; Run = { New-AegirSite '::1' -Platform wp -NoInstall } }
        @{ Name = 'uri with a carriage return'; Run = { New-AegirSite "a.example`rserver_name evil" -Platform wp -NoInstall } }
        @{ Name = 'uri with a vertical tab'; Run = { New-AegirSite "a$([char]11).example" -Platform wp -NoInstall } }
        @{ Name = 'uri with a line separator'; Run = { New-AegirSite "a$([char]0x2028)b.example" -Platform wp -NoInstall } }
        @{ Name = 'uri with a soft hyphen'; Run = { New-AegirSite "ex$([char]0xAD)ample.com" -Platform wp -NoInstall } }
        @{ Name = 'uri with a byte-order mark'; Run = { New-AegirSite "$([char]0xFEFF)a.example" -Platform wp -NoInstall } }
        @{ Name = 'uri that another site has'; Run = { New-AegirSite taken.example -Platform wp -NoInstall } }
        @{ Name = 'uri that is another site''s alias'; Run = { New-AegirSite www.taken.example -Platform wp -NoInstall } }
        foreach ($bad in @(' www.a.example', "www.a.example`n", 'www.a.example:8080', 'http://www.a.example', 'www.a.example/x', '*.a.example', '10.0.0.1', 'a..example', 'a_b.example', "$('b' * 64).example", 'a"b.example', "a'b.example", 'a{b}.example', 'a$b.example', 'www.taken.example')) {
            @{ Name = "alias $(($bad -replace '\s', '~'))"; Run = [scriptblock]::Create("Set-AegirSite other.example -AddAlias '$($bad -replace "'", "''")'") }
        }
        @{ Name = 'alias list with a hostile second item'; Run = { Set-AegirSite other.example -Alias 'ok.example', "bad;one.example" } }

        # Names no site may own (RFC 6761 special-use names, the web servers' catch-all), as uri, alias or redirection.
        foreach ($special in 'localhost', 'LOCALHOST', 'shop.localhost', 'invalid', 'default.invalid', '1.0.0.127.in-addr.arpa', '1.0.0.0.ip6.arpa') {
            @{ Name = "uri $special"; Run = [scriptblock]::Create("New-AegirSite '$special' -Platform wp -NoInstall") }
            @{ Name = "alias $special"; Run = [scriptblock]::Create("Set-AegirSite other.example -AddAlias '$special'") }
        }
        @{ Name = 'alias localhost of a new site'; Run = { New-AegirSite new.example -Platform wp -Alias localhost -NoInstall } }
        @{ Name = 'alias list with localhost second'; Run = { Set-AegirSite other.example -Alias 'ok.example', 'www.localhost' } }
        @{ Name = 'redirection to localhost'; Run = { Set-AegirSite taken.example -Redirection localhost } }
        @{ Name = 'new uri localhost for a copy'; Run = { Copy-AegirSite installed.example -NewUri localhost } }
        @{ Name = 'new uri localhost for a rename'; Run = { Rename-AegirSite installed.example -NewUri localhost } }
        @{ Name = 'alias another site uses, given as the whole list'; Run = { Set-AegirSite other.example -Alias 'fine.example', 'www.taken.example' } }
        @{ Name = 'redirection with a newline'; Run = { Set-AegirSite taken.example -Redirection "taken.example`nreturn 200" } }
        @{ Name = 'redirection to a URL'; Run = { Set-AegirSite taken.example -Redirection 'https://evil.example/' } }
        @{ Name = 'redirection to another site''s uri'; Run = { Set-AegirSite taken.example -Redirection 'other.example' } }
        @{ Name = 'client with ;'; Run = { Set-AegirSite taken.example -Client 'acme;drop' } }
        @{ Name = 'client that climbs with ../'; Run = { Set-AegirSite taken.example -Client '../acme' } }
        @{ Name = 'client that does not exist'; Run = { Set-AegirSite taken.example -Client nobody } }
        @{ Name = 'client that is a platform'; Run = { Set-AegirSite taken.example -Client '@platform_wp' } }
        @{ Name = 'platform that is a client'; Run = { New-AegirSite new.example -Platform '@client_acme' -NoInstall } }
        @{ Name = 'platform with ;'; Run = { New-AegirSite new.example -Platform 'wp;rm' -NoInstall } }
        @{ Name = 'db server that is a platform'; Run = { New-AegirSite new.example -Platform wp -DbServer '@platform_wp' -NoInstall } }
        @{ Name = 'db server with a newline'; Run = { New-AegirSite new.example -Platform wp -DbServer "master`nx" -NoInstall } }
        @{ Name = 'profile with a space'; Run = { Set-AegirSite taken.example -Profile 'standard x' } }
        @{ Name = 'profile with $'; Run = { Set-AegirSite taken.example -Profile '$(id)' } }
        @{ Name = 'profile with a newline'; Run = { Set-AegirSite taken.example -Profile "standard`n--db-url=x" } }
        @{ Name = 'profile that is an option'; Run = { Set-AegirSite taken.example -Profile '--db-url=mysql://x' } }
        @{ Name = 'language that is an option'; Run = { Set-AegirSite taken.example -Language '--yes' } }
        @{ Name = 'language with a newline'; Run = { Set-AegirSite taken.example -Language "en`nde" } }
        @{ Name = 'over-long language'; Run = { Set-AegirSite taken.example -Language ('en-' + ('x' * 40)) } }
        @{ Name = 'title with a newline'; Run = { New-AegirSite new.example -Platform wp -Title "Blog`n<script>" } }
        @{ Name = 'over-long title'; Run = { New-AegirSite new.example -Platform wp -Title ('T' * 300) } }
        @{ Name = 'title with a NUL'; Run = { New-AegirSite new.example -Platform wp -Title "Blog$([char]0)x" } }
        @{ Name = 'admin email with a newline'; Run = { New-AegirSite new.example -Platform wp -AdminEmail "a@b.example`nBcc: c@d.example" } }
        @{ Name = 'admin email without @'; Run = { New-AegirSite new.example -Platform wp -AdminEmail 'admin.example' } }
        @{ Name = 'admin email that is an option'; Run = { New-AegirSite new.example -Platform wp -AdminEmail '--account-pass=x' } }
        @{ Name = 'moving an installed site by its record'; Run = { Set-AegirSite installed.example -Platform wp } }
        @{ Name = 'moving an installed site''s database by its record'; Run = { Set-AegirSite installed.example -DbServer master2 } }

        # Platforms: roots that would put a recursive permission change somewhere it must never go.
        foreach ($root in '/etc', '/etc/nginx', '/proc/self/root', '/usr', '/usr/share/wordpress', '/var/lib/mysql', '/boot', '/sys/kernel', '/dev/shm', '/run/php', '/bin', '/srv', '/home', '/var', '/tmp') {
            @{ Name = "root $root"; Run = [scriptblock]::Create("New-AegirPlatform sys '$root'") }
        }
        foreach ($c in '\', '|', '&', '<', '>', '(', ')', '#', '*', '?', '[', '`', '"', "'", '%', '!') {
            @{ Name = "root with $c"; Run = [scriptblock]::Create("New-AegirPlatform x '/var/aegir/a$($c -replace "'", "''")b'") }
        }
        @{ Name = 'root with a tab'; Run = { New-AegirPlatform x "/var/aegir/a`tb" } }
        @{ Name = 'root with a NUL'; Run = { New-AegirPlatform x "/var/aegir/a$([char]0)b" } }
        @{ Name = 'root that is AEGIR_HOME'; Run = { New-AegirPlatform x $env:AEGIR_HOME } }
        @{ Name = 'root inside AEGIR_HOME'; Run = { New-AegirPlatform x (Join-Path $env:AEGIR_HOME 'contexts') } }
        @{ Name = 'root through a link to /'; Run = { New-AegirPlatform x (Join-Path $links 'link-to-root') } }
        @{ Name = 'root through a link to /etc'; Run = { New-AegirPlatform x (Join-Path $links 'link-to-etc/nginx') } }
        @{ Name = 'root through a link to another platform''s code'; Run = { New-AegirPlatform x (Join-Path $links 'link-to-code') } }
        @{ Name = 'root another platform has'; Run = { New-AegirPlatform x (Join-Path $TestDrive 'code') } }
        @{ Name = 'changed root that is /etc'; Run = { Set-AegirPlatform wp2 -Root /etc } }
        @{ Name = 'web server that is a site'; Run = { New-AegirPlatform x /var/aegir/x -WebServer taken.example } }
        @{ Name = 'web server without http'; Run = { New-AegirPlatform x /var/aegir/x -WebServer dbonly } }
        @{ Name = 'platform name with a space'; Run = { New-AegirPlatform 'w p' /var/aegir/x } }
        @{ Name = 'platform name with @ inside'; Run = { New-AegirPlatform 'w@p' /var/aegir/x } }
        @{ Name = 'platform name with /'; Run = { New-AegirPlatform 'w/p' /var/aegir/x } }

        # Servers: hosts, users, ports and every setting that reaches a config file or a command.
        foreach ($h in 'http://host.example', 'host.example/path', 'host.example:22', "host$([char]0).example", '$(id).example', 'host`nexample', '-oProxyCommand=x') {
            @{ Name = "remote host $h"; Run = [scriptblock]::Create("New-AegirServer -RemoteHost '$($h -replace "'", "''")'") }
        }
        foreach ($u in 'root user', 'Root', ('u' * 33), '1root', 'a/b', '-oX', "root`n") {
            @{ Name = "script user $(($u -replace '\s', '~'))"; Run = [scriptblock]::Create("Set-AegirServer master -ScriptUser '$u'") }
        }
        @{ Name = 'unknown http service type'; Run = { Set-AegirServer master -HttpServiceType caddy } }
        @{ Name = 'unknown db service type'; Run = { Set-AegirServer master -DbServiceType oracle } }
        @{ Name = 'http service type with ;'; Run = { Set-AegirServer master -HttpServiceType 'nginx;rm' } }
        @{ Name = 'negative port'; Run = { Set-AegirServer master -HttpPort -1 } }
        @{ Name = 'port 65536'; Run = { Set-AegirServer master -HttpPort 65536 } }
        @{ Name = 'http port the database has'; Run = { Set-AegirServer master -HttpPort 3306 } }
        @{ Name = 'db port the web server has'; Run = { Set-AegirServer master -DbPort 80 } }
        @{ Name = 'port setting that is no number'; Run = { Set-AegirServer master -HttpSetting @{ port = '80; include /etc/shadow' } } }
        foreach ($a in '[::1]', 'localhost', '0.0.0.0/0', '*;', 'fe80::1%eth0', '127.0.0.1:80', '') {
            @{ Name = "listen address '$a'"; Run = [scriptblock]::Create("Set-AegirServer master -HttpSetting @{ listen_address = '$a' }") }
        }
        foreach ($g in 'www data', 'root;', '-g', ('g' * 33), "www`n") {
            @{ Name = "web group $(($g -replace '\s', '~'))"; Run = [scriptblock]::Create("Set-AegirServer master -HttpSetting @{ web_group = '$g' }") }
        }
        # A PHP-FPM socket must be a socket: on this machine a file or a folder is refused when it is given.
        foreach ($socket in 'run/php.sock', '/run/php.sock; include /etc/passwd', '/run/php sock', '/run/{php}.sock', '/run/../etc/shadow', '/etc/passwd', '/etc', '/dev/null') {
            @{ Name = "php socket '$socket'"; Run = [scriptblock]::Create("Set-AegirServer master -HttpSetting @{ php_fpm_socket = '$socket' }") }
        }
        @{ Name = 'relative pid file'; Run = { Set-AegirServer master -HttpSetting @{ pid_file = 'nginx.pid' } } }
        foreach ($cmd in 'true', '/bin/true', 'sh -c true', 'echo ok', 'nginx -s reload', 'bash nginx -t', '/tmp/nginx -t') {
            @{ Name = "config test command '$cmd'"; Run = [scriptblock]::Create("Set-AegirServer master -HttpSetting @{ config_test_command = '$cmd' }") }
        }
        foreach ($cmd in 'rm -rf /srv', 'systemctl stop nginx', 'nginx -s stop', 'systemctl reload sshd', 'sh -c nginx', 'service nginx restart', 'kill -HUP 1', 'nginx -s quit') {
            @{ Name = "restart command '$cmd'"; Run = [scriptblock]::Create("Set-AegirServer master -HttpSetting @{ restart_command = '$cmd' }") }
        }
        @{ Name = 'setting name with a newline'; Run = { Set-AegirServer master -HttpSetting @{ "port`nx" = '80' } } }
        @{ Name = 'empty setting name'; Run = { Set-AegirServer master -HttpSetting @{ '' = '80' } } }
        @{ Name = 'db host with a space'; Run = { Set-AegirServer master -DbHost 'db host' } }
        @{ Name = 'db host that is a URL'; Run = { Set-AegirServer master -DbHost 'mysql://db.example' } }
        @{ Name = 'db admin user with a newline'; Run = { Set-AegirServer master -DbSetting @{ admin_user = "root`npassword=x" } } }
        @{ Name = 'db admin password with a control character'; Run = { Set-AegirServer master -DbAdminCredential ([pscredential]::new('root', (ConvertTo-SecureString "pw$([char]7)x" -AsPlainText -Force))) } }
        @{ Name = 'over-long db admin password'; Run = { Set-AegirServer master -DbAdminCredential ([pscredential]::new('root', (ConvertTo-SecureString ('p' * 300) -AsPlainText -Force))) } }
        @{ Name = 'db setting that does not exist'; Run = { Set-AegirServer master -DbSetting @{ 'init_command' = 'DROP DATABASE mysql' } } }
        @{ Name = 'switching off the http service sites use'; Run = { Set-AegirServer master -HttpServiceType none } }

        # Clients.
        foreach ($e in 'acme.example', 'a@@b.example', 'a b@c.example', "a@b.example`r`nBcc: x@y.example", ('a' * 70) + '@b.example', 'a@', '@b.example', 'a@b', 'a@-b.example') {
            @{ Name = "email '$(($e -replace '\s', '~'))'"; Run = [scriptblock]::Create("New-AegirClient acme2 -Email '$($e -replace "`r`n", '`r`n')'") }
        }
        foreach ($g in 'acme group', 'acme;', 'Acme', ('g' * 33), '1acme', '-acme') {
            @{ Name = "unix group '$g'"; Run = [scriptblock]::Create("New-AegirClient acme3 -UnixGroup '$g'") }
        }
        @{ Name = 'client name with /'; Run = { New-AegirClient 'ac/me' } }
        @{ Name = 'client name with a NUL'; Run = { New-AegirClient "ac$([char]0)me" } }
        @{ Name = 'removing a client a site uses'; Run = { Remove-AegirClient acme -Force } }
        @{ Name = 'removing a platform a site uses'; Run = { Remove-AegirPlatform wp -Force } }
        @{ Name = 'removing a server a platform uses'; Run = { Remove-AegirServer master -Force } }

        # Template overrides that anyone else could have written: refused, by name, before anything runs.
        @{ Name = 'world-writable template override'; Setup = { Set-Override 666 755 }; Run = { Invoke-AegirVerify master -ErrorAction Stop } }
        @{ Name = 'template override in a world-writable folder'; Setup = { Set-Override 644 777 }; Run = { Invoke-AegirVerify master -ErrorAction Stop } }
        @{ Name = 'template override owned by nobody'; Setup = { Set-Override 644 755 nobody }; Run = { Invoke-AegirVerify master -ErrorAction Stop } }
        @{ Name = 'template override that is a symlink'; Setup = { Set-Override 644 755 -Link }; Run = { Invoke-AegirVerify master -ErrorAction Stop } }
    )
}

Describe 'Hostile input' {
    BeforeAll {
        $null = Reset-AegirHome
        $null = New-TestMaster
        $null = New-TestPlatform
        $null = New-AegirServer -RemoteHost dbonly.example -DbServiceType mysql
        $null = New-AegirClient acme
        $null = New-AegirSite -NoInstall taken.example -Platform wp -Alias www.taken.example -Client acme
        $null = New-AegirSite -NoInstall other.example -Platform wp
        $code = Join-Path $TestDrive 'code'
        $null = New-Item -ItemType Directory -Force $code
        $null = New-AegirPlatform wp2 $code -NoVerify 3>$null
        $null = New-AegirSite -NoInstall installed.example -Platform wp2
        # As if installed: an installed site's record may not move by a change of its record.
        $record = (Get-AegirSite installed.example).Path
        (Get-Content -Raw $record) -replace 'status: NotInstalled', "status: Installed`ndb_name: installedexample" | Set-Content -NoNewline $record
        $null = New-AegirServer master2 -RemoteHost 127.0.0.1 -DbServiceType mysql -DbPort 3307
        # Links live outside TestDrive, whose cleanup would walk into them.
        $script:links = Join-Path ([IO.Path]::GetTempPath()) "aegir-hostile-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $null = New-Item -ItemType Directory $links
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $links 'link-to-root') -Target /
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $links 'link-to-etc') -Target /etc
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $links 'link-to-code') -Target $code
        $script:before = Get-ContextSnapshot

        function Set-Override([string] $FileMode, [string] $FolderMode, [string] $Owner, [switch] $Link) {
            $folder = Join-Path $env:AEGIR_HOME 'templates'
            $null = New-Item -ItemType Directory -Force $folder
            $file = Join-Path $folder 'nginx-server.conf.sbn'
            if ($Link) {
                Set-Content (Join-Path $TestDrive 'elsewhere.sbn') '# {{ server }}'
                $null = New-Item -ItemType SymbolicLink -Path $file -Target (Join-Path $TestDrive 'elsewhere.sbn')
            }
            else { Set-Content $file '# {{ server }}'; chmod $FileMode $file }
            chmod $FolderMode $folder
            if ($Owner) { chown $Owner $file }
        }
    }
    AfterEach { Remove-Item -Recurse -Force (Join-Path $env:AEGIR_HOME 'templates') -ErrorAction SilentlyContinue }
    AfterAll { Get-ChildItem $links | ForEach-Object { [IO.File]::Delete($_.FullName) }; [IO.Directory]::Delete($links) }

    It 'has at least 290 cases' -ForEach @(@{ Count = $cases.Count }) {
        $Count | Should -BeGreaterOrEqual 290
    }

    It 'refuses <Name> and writes nothing' -ForEach $cases {
        if ($Setup) { & $Setup }
        $failure = $null
        $ErrorActionPreference = 'Stop'
        try { & $Run | Out-Null } catch { $failure = $_ }
        $failure | Should -Not -BeNullOrEmpty -Because 'hostile input must be refused'
        $failure.Exception.Message | Should -Match '(not valid|is required|empty|cannot|not allowed|has no setting|argument|already|is not used|not one of|No .* named|is not a|is a .*, not a|listens on|is used by)' -Because 'the error must say what is wrong'
        $failure.Exception.Message | Should -Not -Match 'Pester-Admin-Secret'
        Get-ContextSnapshot | Should -Be $script:before
        Get-ChildItem (Join-Path $env:AEGIR_HOME 'config') -Recurse -File -ErrorAction SilentlyContinue | Should -BeNullOrEmpty -Because 'no config file may be written'
    }
}
