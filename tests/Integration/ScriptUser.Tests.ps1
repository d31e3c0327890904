# No command run for a site runs as root: installers, crons, version commands and an admin's commands run as the
# server's script user (aegir, a system account Start-AegirLocalServer makes), which reads nothing of the module's
# home, other sites' records or the web server's config. WordPress, a Drupal-shaped codebase and a manifest
# application each record who ran their code. This is a server whose sites share one pool (php_pools shared), where
# the script user owns every site's files; Isolation.Tests.ps1 covers sites with accounts of their own.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'The script user' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        Install-TestPackage wordpress
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        $server = Set-AegirServer master -HttpSetting @{ php_pools = 'shared' } -PassThru
        $port = $server.Http.GetInt('port')
        # Where the applications' code writes who ran it: a folder every account may write into.
        $seen = Join-Path $work 'seen'
        $null = New-Item -ItemType Directory $seen
        chmod 1777 $seen
        function Get-Seen([string] $Name) { (Get-Content -Raw (Join-Path $seen $Name)).Trim() }

        # WordPress, with a must-use plugin that writes who runs it from the command line (installer, cron).
        $wp = New-WordPressPlatform $work wp
        $null = New-Item -ItemType Directory -Force "$wp/wp-content/mu-plugins"
        Set-Content "$wp/wp-content/mu-plugins/who.php" @"
<?php
if (PHP_SAPI === 'cli') {
    `$what = defined('WP_INSTALLING') && WP_INSTALLING ? 'install' : 'cli';
    file_put_contents('$seen/wp-' . `$what . '-' . `$_SERVER['aegir_site'], posix_getpwuid(posix_geteuid())['name']);
}
"@
        $null = Invoke-AegirVerify platform_wp -ErrorAction Stop

        # A Drupal-shaped codebase whose drush stand-in notes who runs it, each time.
        $d10 = Join-Path $work 'platforms/d10'
        New-DrupalShapedCodebase $d10
        $drush = Get-Content -Raw "$d10/vendor/bin/drush"
        Set-Content "$d10/vendor/bin/drush" ($drush -replace '^#!/bin/sh\n', "#!/bin/sh`nid -un >> $seen/drush`n")
        $null = New-AegirPlatform d10 $d10

        # An application whose manifest's version, install and cron commands write who ran them.
        $app = Join-Path $work 'platforms/who'
        $null = New-Item -ItemType Directory -Force "$app/bin"
        Set-Content "$app/.aegir.yml" @"
name: Who
version_command:
  - sh
  - -c
  - id -un > "`$0/version"; echo 2.0.1
  - $seen
site_folders: ["uploads/{uri}"]
install:
  - sh
  - -c
  - id -un > "`$0/install-`$1" && php bin/install.php
  - $seen
  - "{uri}"
cron:
  - sh
  - -c
  - id -un > "`$0/cron-`$1"
  - $seen
  - "{uri}"
installed_tables: [who]
"@
        Set-Content "$app/index.php" '<?php echo "who ", $_SERVER["aegir_site"];'
        Set-Content "$app/bin/install.php" @'
<?php
$db = new mysqli(getenv('db_host'), getenv('db_user'), getenv('db_passwd'), getenv('db_name'), (int)getenv('db_port'));
$db->query('CREATE TABLE who (name VARCHAR(64))');
'@
        $null = New-AegirPlatform who $app

        $null = New-AegirSite wa.test -Platform wp -Title 'Site A'
        $null = New-AegirSite wb.test -Platform wp -Title 'Site B'
        $null = New-AegirSite d.test -Platform d10
        $null = New-AegirSite who.test -Platform who
        $uid = id -u aegir
    }
    AfterAll {
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    Describe 'Start-AegirLocalServer' {
        It 'records aegir as the script user: a system account with no login shell and no home, in the web group' {
            $server.ScriptUser | Should -Be 'aegir'
            $entry = (getent passwd aegir) -split ':'
            [int]$entry[2] | Should -BeGreaterThan 0
            [int]$entry[2] | Should -BeLessThan 1000 -Because 'it is a system account'
            $entry[5] | Should -Be '/nonexistent'
            $entry[6] | Should -Be '/usr/sbin/nologin'
            (id -Gn aegir) -split ' ' | Should -Contain 'www-data'
            (id -Gn aegir) -split ' ' | Should -Not -Contain 'root'
        }
    }

    Describe 'Invoke-AegirSiteCommand' {
        It 'runs as the script user, never uid 0, with no way back to root' {
            Invoke-AegirSiteCommand wa.test -- id -u | Should -Be $uid
            Invoke-AegirSiteCommand wa.test -- id -un | Should -Be 'aegir'
            Invoke-AegirSiteCommand wa.test -- grep NoNewPrivs /proc/self/status | Should -Match 'NoNewPrivs:\s+1'
        }

        It 'runs in a session of its own, without the admin''s terminal, and leaves nothing running behind it' {
            # Its own session (sid = its pid) and no controlling terminal (tty_nr 0): nothing typed into an admin's shell (TIOCSTI).
            $stat = (Invoke-AegirSiteCommand wa.test -- sh -c 'echo $$; cat /proc/$$/stat') -join "`n"
            $fields = ($stat -split "`n")[1] -replace '^.*\) ', '' -split ' '
            $own = ($stat -split "`n")[0]
            $fields[3], $fields[4] | Should -Be @($own, '0') -Because 'session, then tty_nr'
            # What it starts in the background dies with it, nohup'd, in a session of its own (setsid -f) or double-forked,
            # so nothing of a site's command watches the next one.
            $mark = Get-Random -Minimum 100000 -Maximum 999999
            $null = Invoke-AegirSiteCommand wa.test -- sh -c "nohup sleep 301.$mark >/dev/null 2>&1 & setsid -f sleep 302.$mark </dev/null >/dev/null 2>&1; (sh -c 'sleep 303.$mark &' &); sleep 0.2"
            Start-Sleep -Milliseconds 300
            @(& pgrep -f "sleep 30[123]\.$mark") | Should -BeNullOrEmpty -Because 'none of them may outlive the command'
        }

        It 'sees no process but its own: not another site''s command, its environment or the module' {
            # Another site's command, running meanwhile as the same account, with a secret in its environment.
            $mark = Get-Random -Minimum 100000 -Maximum 999999
            $other = Start-Process -PassThru /usr/bin/setpriv -ArgumentList '--reuid=aegir', '--regid=aegir', '--init-groups', '--', '/usr/bin/env', "OTHER_SECRET=s$mark", 'sleep', "8.$mark"
            try {
                $deadline = (Get-Date).AddSeconds(10)
                while (-not (pgrep -f "^sleep 8\.$mark") -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
                pgrep -f "^sleep 8\.$mark" | Should -Not -BeNullOrEmpty -Because 'the other command runs now'
                $seen = Invoke-AegirSiteCommand wa.test -- sh -c 'for p in /proc/[0-9]*; do tr "\0" " " < $p/cmdline; echo; cat $p/environ 2>/dev/null | tr "\0" " "; echo; done'
                "$seen" | Should -Not -Match "sleep 8|s$mark|pwsh|dotnet|nginx|php-fpm|mariadbd"
            }
            finally { Stop-Process -Id $other.Id -Force -ErrorAction SilentlyContinue }
            (Invoke-AegirSiteCommand wa.test -- sh -c 'tr "\0" " " < /proc/1/cmdline') | Should -Match '^sh -c'
        }

        It 'cannot read another site''s record: permission denied, and no password shown' {
            $out = Invoke-AegirSiteCommand wa.test -ErrorVariable failed -ErrorAction SilentlyContinue -- cat "$env:AEGIR_HOME/contexts/wb.test.yml" 6>&1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'SiteCommandFailed*'
            "$out" | Should -Match 'Permission denied'
            "$out" | Should -Not -Match ([regex]::Escape((Get-SitePassword wb.test)))
        }

        It 'cannot read the web server''s config, with the database passwords of the vhosts' {
            $vhost = "$env:AEGIR_HOME/config/server_master/nginx/vhost.d/wb.test.conf"
            Get-Content -Raw $vhost | Should -Match ([regex]::Escape((Get-SitePassword wb.test))) -Because 'the vhost holds the password this test looks for'
            $out = Invoke-AegirSiteCommand wa.test -ErrorVariable failed -ErrorAction SilentlyContinue -- cat $vhost 6>&1
            $failed | Should -Not -BeNullOrEmpty
            "$out" | Should -Match 'Permission denied'
            "$out" | Should -Not -Match ([regex]::Escape((Get-SitePassword wb.test)))
        }

        It 'can read nothing of the module''s home: no folder can be listed and no file read' {
            $paths = @(Get-ChildItem -Recurse -Force $env:AEGIR_HOME | Where-Object { -not $_.LinkTarget } | ForEach-Object FullName) + $env:AEGIR_HOME
            $paths.Count | Should -BeGreaterThan 20
            $readable = Invoke-AegirSiteCommand wa.test -- sh -c 'for f; do if [ -S "$f" ]; then :; elif [ -r "$f" ]; then echo "$f"; fi; done' sh @paths
            # The ACME challenge folder is the web group's to read (any visitor fetches its files over HTTP), not to write.
            $acme = (Get-AegirServer master).Http.Get('acme_webroot')
            $readable | Where-Object { $_ -ne $acme -and -not $_.StartsWith("$acme/") } | Should -BeNullOrEmpty -Because 'the script user runs every site''s code'
            $written = Invoke-AegirSiteCommand wa.test -ErrorAction SilentlyContinue -- sh -c 'touch "$1/.well-known/acme-challenge/planted" 2>&1 || echo refused' sh $acme
            "$written" | Should -Match 'refused'
            Test-Path "$acme/.well-known/acme-challenge/planted" | Should -BeFalse
        }

        It 'runs PHP that the web server wrote into a site''s uploads as the script user' {
            $php = "$wp/wp-content/uploads/sites/wa.test/whoami.php"
            '<?php echo posix_getpwuid(posix_geteuid())["name"], "\n";' | setpriv --reuid=www-data --regid=www-data --init-groups -- sh -c "cat > $php"
            (stat -c '%U' $php) | Should -Be 'www-data'
            Invoke-AegirSiteCommand wa.test -- php wp-content/uploads/sites/wa.test/whoami.php | Should -Be 'aegir'
        }
    }

    Describe 'Application code' {
        It 'runs WordPress''s installer and cron as the script user, and the site answers' {
            Get-Seen wp-install-wa.test | Should -Be 'aegir'
            Invoke-AegirSiteCommand wa.test -Cron
            Get-Seen wp-cli-wa.test | Should -Be 'aegir'
            (Invoke-Site -Port $port -HostName wa.test).Body | Should -Match '<title>Site A'
            (stat -c '%U:%G' "$wp/wp-config.php") | Should -Be 'aegir:www-data'
            (stat -c '%a %U:%G' "$wp/wp-content/uploads/sites/wa.test") | Should -Be '2770 aegir:www-data'
        }

        It 'runs drush for a Drupal-shaped site''s install and cron as the script user, and the site answers' {
            Invoke-AegirSiteCommand d.test -Cron | Should -Be 'Cron run completed.'
            $runs = @(Get-Content "$seen/drush")
            $runs.Count | Should -BeGreaterOrEqual 3 -Because 'install, status and cron each ran drush'
            $runs | Sort-Object -Unique | Should -Be 'aegir'
            (Invoke-Site -Port $port -HostName d.test).Body | Should -Match "ok $((Get-AegirSite d.test).DbName)"
            (stat -c '%a %U:%G' "$d10/sites/d.test/settings.php") | Should -Be '440 aegir:www-data'
            (stat -c '%a %U:%G' "$d10/sites/d.test/files") | Should -Be '2770 aegir:www-data'
        }

        It 'runs a manifest''s version command, install command and cron (scheduled too) as the script user' {
            (Get-AegirPlatform who).Version | Should -Be '2.0.1'
            Get-Seen version | Should -Be 'aegir'
            Get-Seen install-who.test | Should -Be 'aegir'
            Invoke-AegirSiteCommand who.test -Cron
            Get-Seen cron-who.test | Should -Be 'aegir'
            rm -f "$seen/cron-who.test"
            Test-Path "$seen/cron-who.test" | Should -BeFalse
            Invoke-AegirQueue -Queue Cron | Out-Null
            Get-Seen cron-who.test | Should -Be 'aegir'
            (Invoke-Site -Port $port -HostName who.test).Body | Should -Be 'who who.test'
        }
    }

    Describe 'A server whose script user is root or missing' {
        It 'is refused as a setting, and changes nothing' {
            { Set-AegirServer master -ScriptUser root -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*'
            (Get-AegirServer master).ScriptUser | Should -Be 'aegir'
        }

        It 'fails verify with the useradd line when the account is missing, and runs no command for a site' {
            $null = Set-AegirServer master -ScriptUser aegir-it-none
            try {
                { Invoke-AegirVerify master -ErrorAction Stop } | Should -Throw -ErrorId 'ScriptUserMissing*' -ExpectedMessage '*useradd --system*aegir-it-none*Set-AegirServer*-ScriptUser*'
                { Invoke-AegirSiteCommand who.test -ErrorAction Stop -- id -un } | Should -Throw -ErrorId 'ScriptUserMissing*'
            }
            finally { $null = Set-AegirServer master -ScriptUser aegir }
        }

        It 'recorded as root by hand: refused by every command for a site and by verify; the next start gives it aegir, and a site''s next verify its files' {
            $record = (Get-AegirServer master).Path
            (Get-Content -Raw $record) -replace 'script_user: aegir', 'script_user: root' | Set-Content $record
            # As a site installed while commands ran as root left it.
            $null = New-Item -ItemType Directory "$d10/sites/d.test/files/css"
            Set-Content "$d10/sites/d.test/files/css/old.css" 'body {}'
            chown -R root "$d10/sites/d.test"
            $before = Invoke-AegirSiteCommand d.test -ErrorVariable refused -ErrorAction SilentlyContinue -- id -u
            $before | Should -BeNullOrEmpty
            $refused[0].FullyQualifiedErrorId | Should -BeLike 'ScriptUserPrivileged*'
            { New-AegirSite d2.test -Platform d10 -ErrorAction Stop } | Should -Throw -ErrorId 'ScriptUserPrivileged*'
            Get-AegirSite d2.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            { Invoke-AegirVerify master -ErrorAction Stop } | Should -Throw -ErrorId 'ScriptUserPrivileged*' -ExpectedMessage '*Set-AegirServer*-ScriptUser*'

            (Start-AegirLocalServer -HttpServiceType nginx).ScriptUser | Should -Be 'aegir'
            (Invoke-AegirVerify d.test).Status | Should -Be 'Succeeded'
            (stat -c '%U:%G' "$d10/sites/d.test/settings.php") | Should -Be 'aegir:www-data'
            (stat -c '%U' "$d10/sites/d.test" "$d10/sites/d.test/files/css" "$d10/sites/d.test/files/css/old.css") | Should -Be @('aegir', 'aegir', 'aegir')
            Invoke-AegirSiteCommand d.test -- id -u | Should -Be $uid
        }
    }
}
