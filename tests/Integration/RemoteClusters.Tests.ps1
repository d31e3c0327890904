# A cluster of web servers: hosts A and C (nginx) serve the same platforms and sites, with their databases on host B
# (MariaDB). Each site's settings, folders and vhost are written to, tested on and reloaded on every member; a member
# whose config test fails fails the task, undone on every member; verify names the member that drifted and puts it right.
# Each site runs as its own account in its own PHP-FPM pool on each member (same name, its own uid there), unless that
# member's sites share its pool.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'A cluster of web servers A and C with their sites'' databases on B' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $a = New-TestHost weba
        $b = New-TestHost dbb
        $c = New-TestHost webc
        $admin = Initialize-RemoteTrio $a $b $c
        $null = Invoke-AegirVerify server_dbb -ErrorAction Stop

        # An application known by its manifest only, whose installer makes its table from the environment: it runs once,
        # on one member; each member answers from its own copy of the code.
        $app = Join-Path $work 'notes'
        Write-NotesApp $app
        # A file of the platform's code, run as whichever site's name asks for it: who runs it, and what it can do in
        # a site's folder (write its own secret, read another's).
        Write-Tree $app @{ 'probe.php' = @'
<?php
set_error_handler(fn() => true);
$own = __DIR__ . '/files/' . $_SERVER['aegir_site'];
if (isset($_GET['write'])) { echo file_put_contents("$own/secret.txt", 'secret of ' . $_SERVER['aegir_site']) === false ? 'not written' : 'written'; exit; }
if (isset($_GET['read'])) {
    $dir = __DIR__ . '/files/' . basename($_GET['read']);
    $text = file_get_contents("$dir/secret.txt");
    $list = scandir($dir);
    echo $text === false ? 'unreadable' : $text, ', ', $list === false ? 'unlistable' : 'listed', ', ', trim((string)shell_exec('cat ' . escapeshellarg("$dir/secret.txt") . ' 2>&1')) ?: 'nothing';
    exit;
}
echo posix_getpwuid(posix_geteuid())['name'];
'@ }

        # A member with no vhost left listens on no port: that is nothing of the site either.
        function Get-Page([string] $Site, $On, [string] $Path = '/') {
            try { $r = Invoke-WebRequest -Headers @{ Host = $Site } "http://$($On.Address)$Path" -SkipHttpErrorCheck -MaximumRedirection 0 }
            catch [System.Net.Http.HttpRequestException] { return [pscustomobject]@{ Status = 0; Body = '' } }
            [pscustomobject]@{ Status = [int]$r.StatusCode; Body = "$($r.Content)" }
        }
        # After a reload by hand, old workers answer for a moment: asks until the page is not what it was.
        function Wait-PageChange([string] $Site, $On, [string] $Was) {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            while ((Get-Page $Site $On).Body -eq $Was -and $clock.Elapsed.TotalSeconds -lt 10) { Start-Sleep -Milliseconds 100 }
        }
        function Get-Grants([string] $User) { @(Invoke-TestHostSql $b "SELECT Host FROM mysql.user WHERE User = '$User' ORDER BY Host") }
        function Get-Vhosts($On) { @(Invoke-OnTestHost $On "ls -A /var/aegir/config/server_$($On.Name)/nginx/vhost.d") }
        $ownAddress = ((ip -o route get $b.Address) -split ' ')[((ip -o route get $b.Address) -split ' ').IndexOf('src') + 1]
        # What of a site's own account and pool a member holds: its passwd entry, pool file and PHP folder.
        function Get-SiteTraces([string] $Account, $On) {
            @(Invoke-OnTestHost $On "getent passwd $Account; ls -d /etc/php/8.2/fpm/pool.d/aegir-$Account.conf /var/lib/aegir/php/$Account 2>/dev/null; true")
        }
        # C has an account A lacks, so each site's account gets another uid on C than on A: files are owned by name.
        $null = Invoke-OnTestHost $c 'useradd --system --no-create-home --shell /usr/sbin/nologin cpadding'
    }
    AfterAll {
        Remove-TestHost $a
        Remove-TestHost $b
        Remove-TestHost $c
        Remove-Item -Recurse -Force $work -ErrorAction Ignore
    }

    It 'records a cluster of A and C, with no address of its own, refusing members it cannot have' {
        $null = New-AegirServer dbonly -RemoteHost 192.0.2.30 -DbServiceType mysql -DbAdminCredential $admin
        { New-AegirServer webfarm -HttpServiceType cluster -ClusterMembers weba, nosuch -ErrorAction Stop } |
            Should -Throw -ErrorId 'ClusterMemberInvalid*' -ExpectedMessage "*'@server_nosuch' cannot be a member*no server of that name*"
        { New-AegirServer webfarm -HttpServiceType cluster -ClusterMembers weba, dbonly -ErrorAction Stop } |
            Should -Throw -ErrorId 'ClusterMemberInvalid*' -ExpectedMessage "*'@server_dbonly'*has no web service*Set-AegirServer server_dbonly -HttpServiceType nginx*"
        { New-AegirServer webfarm -HttpServiceType cluster -ClusterMembers weba -RemoteHost 192.0.2.31 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*-RemoteHost*a cluster is no machine of its own*'
        { New-AegirServer weba2 -RemoteHost 192.0.2.32 -HttpServiceType nginx -ClusterMembers weba -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*is not a cluster*-HttpServiceType cluster*'
        Get-AegirServer webfarm, weba2 -ErrorAction Ignore | Should -BeNullOrEmpty

        $farm = New-AegirServer webfarm -HttpServiceType cluster -ClusterMembers weba -ErrorAction Stop
        $farm.IsCluster | Should -BeTrue
        { New-AegirServer bigfarm -HttpServiceType cluster -ClusterMembers webfarm -ErrorAction Stop } |
            Should -Throw -ErrorId 'ClusterMemberInvalid*' -ExpectedMessage '*it is a cluster itself*'
        (Set-AegirServer webfarm -ClusterMembers weba, webc -PassThru -ErrorAction Stop).Http.Get('members') | Should -Be 'server_weba,server_webc'
        { Remove-AegirServer webc -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ContextInUse*' -ExpectedMessage '*@server_webfarm*'
        $task = Invoke-AegirVerify server_webfarm -ErrorAction Stop
        $task.Status | Should -Be 'Succeeded'
        foreach ($member in $a, $c) {
            Invoke-OnTestHost $member "nginx -T 2>/dev/null | grep -c 'configuration file /var/aegir/config/server_$($member.Name)/nginx.conf'" | Should -Be '1'
        }
    }

    It 'refuses a platform whose code is missing on a member, naming the member' {
        Copy-ToTestHost $a $app /srv/platforms
        { New-AegirPlatform notes -Root /srv/platforms/notes -WebServer webfarm -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "*no such folder*'@server_webc'*"
        Get-AegirPlatform notes -ErrorAction Ignore | Should -BeNullOrEmpty
        Copy-ToTestHost $c $app /srv/platforms
        $null = New-AegirPlatform notes -Root /srv/platforms/notes -WebServer webfarm -ErrorAction Stop
        foreach ($member in $a, $c) {
            Invoke-OnTestHost $member "ls /var/aegir/config/server_$($member.Name)/nginx/platform.d" | Should -Contain 'platform_notes.conf'
        }
        # Without -Source the code is checked on each member: one without it is named.
        $null = Invoke-OnTestHost $c 'mv /srv/platforms/notes /srv/notes-away'
        try { { Invoke-AegirVerify platform_notes -ErrorAction Stop } | Should -Throw -ErrorId 'CodebaseMissing*' -ExpectedMessage "*not at /srv/platforms/notes on member '@server_webc'*" }
        finally { $null = Invoke-OnTestHost $c 'mv /srv/notes-away /srv/platforms/notes' }
    }

    It 'installs a site on the cluster: it answers on A and on C, its data on B, granted to both members' {
        $null = New-AegirSite notes.test -Platform notes -DbServer dbb -ErrorAction Stop
        (Get-Page notes.test $a).Body | Should -Be 'notes of notes.test: first note (weba)'
        (Get-Page notes.test $c).Body | Should -Be 'notes of notes.test: first note (webc)'
        Invoke-TestHostSql $b 'SELECT body FROM notestest.notes' | Should -Be 'first note'
        Get-Grants notestest | Should -Be (@($a.Address, $c.Address, $ownAddress) | Sort-Object)
        Get-Vhosts $a | Should -Contain 'notes.test.conf'
        Get-Vhosts $c | Should -Contain 'notes.test.conf'
    }

    It 'runs the site on A and on C as its own account, in a pool of each member''s own, its files owned by name' {
        $account = (Get-AegirSite notes.test).UnixUser
        $account | Should -Match '^notes-test-[0-9a-f]{6}$'
        $uids = foreach ($member in $a, $c) {
            (Get-Page notes.test $member /probe.php).Body | Should -Be $account -Because "PHP on $($member.Name) runs as the site's account"
            $uid = Invoke-OnTestHost $member "id -u $account"
            # The worker that answered, a child of this member's PHP-FPM master, in the site's pool as its uid.
            Invoke-OnTestHost $member "ps --ppid `$(cat /run/php/php8.2-fpm.pid) -o uid=,args= | grep 'pool $account' | awk '{print `$1}' | sort -u" | Should -Be $uid
            Invoke-OnTestHost $member "stat -c '%U %a' /var/lib/aegir/php/$account/php.sock" | Should -Be 'www-data 600'
            Invoke-OnTestHost $member "stat -c '%U:%G %u %a' /etc/php/8.2/fpm/pool.d/aegir-$account.conf" | Should -Be 'root:root 0 600'
            Invoke-OnTestHost $member "stat -c '%U:%G %u' /srv/platforms/notes/files/notes.test" | Should -Be "${account}:www-data $uid"
            Invoke-OnTestHost $member "grep -c 'unix:/var/lib/aegir/php/$account/php.sock' /var/aegir/config/server_$($member.Name)/nginx/vhost.d/notes.test.conf" | Should -Be '1'
            Invoke-OnTestHost $member "grep -c db_passwd /var/aegir/config/server_$($member.Name)/nginx/vhost.d/notes.test.conf || true" | Should -Be '0' -Because 'its credentials are in its own pool''s environment'
            $uid
        }
        $uids[0] | Should -Not -Be $uids[1] -Because 'C made another account first'
    }

    It 'keeps a second site on the cluster out of the first''s files on A and on C' {
        $null = New-AegirSite peer.test -Platform notes -DbServer dbb -ErrorAction Stop
        foreach ($member in $a, $c) {
            (Get-Page notes.test $member '/probe.php?write=1').Body | Should -Be 'written'
            (Get-Page notes.test $member '/probe.php?read=notes.test').Body | Should -Be 'secret of notes.test, listed, secret of notes.test' -Because 'the site reads its own'
            (Get-Page peer.test $member /probe.php).Body | Should -Be (Get-AegirSite peer.test).UnixUser
            $peek = (Get-Page peer.test $member '/probe.php?read=notes.test').Body
            $peek | Should -Match '^unreadable, unlistable, .*Permission denied$' -Because "on $($member.Name) peer.test's PHP cannot read or list notes.test's folder, nor cat its file"
        }
    }

    It 'installs WordPress on the cluster: it answers on A and on C from its database on B' {
        foreach ($member in $a, $c) { $null = Invoke-OnTestHost $member 'mkdir -p /srv/platforms && cp -rL /usr/share/wordpress /srv/platforms/wp' }
        $null = New-AegirPlatform wp -Root /srv/platforms/wp -WebServer webfarm -ErrorAction Stop
        $null = New-AegirSite wp.test -Platform wp -DbServer dbb -Title 'Cluster WP' -ErrorAction Stop
        (Get-Page wp.test $a).Body | Should -Match '<title>Cluster WP</title>'
        (Get-Page wp.test $c).Body | Should -Match '<title>Cluster WP</title>'
        Invoke-TestHostSql $b "SELECT option_value FROM wptest.wp_options WHERE option_name = 'blogname'" | Should -Be 'Cluster WP'
        Get-Grants wptest | Should -Be (@($a.Address, $c.Address, $ownAddress) | Sort-Object)
        $account = (Get-AegirSite wp.test).UnixUser
        foreach ($member in $a, $c) { Invoke-OnTestHost $member 'stat -c %U:%G /srv/platforms/wp/wp-content/uploads/sites/wp.test' | Should -Be "${account}:www-data" -Because 'each member runs the site as its own account' }
    }

    It 'clones a site on the cluster: the copy answers on A and on C, granted to both, and goes from both' {
        $task = Copy-AegirSite notes.test notes2.test -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
        "$warned" | Should -Match "loaded on '@server_weba' only: the other members of '@server_webfarm' keep their own"
        (Get-Page notes2.test $a).Body | Should -Be 'notes of notes2.test: first note (weba)'
        (Get-Page notes2.test $c).Body | Should -Be 'notes of notes2.test: first note (webc)'
        Get-Grants notes2test | Should -Be (@($a.Address, $c.Address, $ownAddress) | Sort-Object)
        # The copy of notes.test's file came through the backup onto A, owned there by the clone's account by name.
        $copy = (Get-AegirSite notes2.test).UnixUser
        Invoke-OnTestHost $a "stat -c '%U %u' /srv/platforms/notes/files/notes2.test/secret.txt" | Should -Be "$copy $(Invoke-OnTestHost $a "id -u $copy")"
        foreach ($member in $a, $c) { (Get-Page notes2.test $member /probe.php).Body | Should -Be $copy }
        $null = Remove-AegirSite notes2.test -Confirm:$false -ErrorAction Stop
        foreach ($member in $a, $c) {
            Get-Vhosts $member | Should -Not -Contain 'notes2.test.conf'
            Invoke-OnTestHost $member 'ls -A /srv/platforms/notes/files' | Should -Not -Contain 'notes2.test'
            Get-SiteTraces $copy $member | Should -BeNullOrEmpty -Because "the clone's account, pool and PHP folder go from $($member.Name)"
        }
        Get-Grants notes2test | Should -BeNullOrEmpty
    }

    It 'fails an install whose config test fails on C, leaving nothing of the site on A, C or B' {
        $null = Invoke-OnTestHost $c 'echo "this is not nginx;" > /etc/nginx/conf.d/broken.conf.off'
        $null = Invoke-OnTestHost $c "echo 'include /etc/nginx/conf.d/broken.conf.off;' > /var/aegir/config/server_webc/nginx/vhost.d/zz-broken.conf"
        try {
            { New-AegirSite broken.test -Platform notes -DbServer dbb -ErrorAction Stop } | Should -Throw -ExpectedMessage "*@server_webc*"
        }
        finally { $null = Invoke-OnTestHost $c 'rm -f /var/aegir/config/server_webc/nginx/vhost.d/zz-broken.conf /etc/nginx/conf.d/broken.conf.off' }
        $task = Get-AegirTask -Target broken.test -First 1
        $task.Status | Should -Be 'Failed'
        ($task.Log.Message -join "`n") | Should -Match "Undid: Writing the nginx vhost of broken\.test on '@server_weba'" -Because 'A took the vhost before C failed its test'
        Get-AegirSite broken.test -ErrorAction Ignore | Should -BeNullOrEmpty
        Get-Vhosts $a | Should -Not -Contain 'broken.test.conf'
        Get-Vhosts $c | Should -Not -Contain 'broken.test.conf'
        foreach ($member in $a, $c) {
            Invoke-OnTestHost $member 'ls -A /srv/platforms/notes/files' | Should -Not -Contain 'broken.test'
            Invoke-OnTestHost $member "getent passwd | grep -c 'Aegir site broken.test ' || true" | Should -Be '0' -Because "the account made on $($member.Name) was undone"
            Invoke-OnTestHost $member 'ls -A /etc/php/8.2/fpm/pool.d /var/lib/aegir/php | grep -c "broken-test" || true' | Should -Be '0'
        }
        Invoke-TestHostSql $b "SHOW DATABASES LIKE 'brokentest%'" | Should -BeNullOrEmpty
        Get-Grants brokentest | Should -BeNullOrEmpty
        (Get-Page broken.test $a).Body | Should -Not -Match 'broken.test'
        (Get-Page notes.test $a).Body | Should -Be 'notes of notes.test: first note (weba)' -Because 'the other site was never touched'
        (Get-Page notes.test $c).Body | Should -Be 'notes of notes.test: first note (webc)'
    }

    It 'verify of the cluster names C, whose vhost and pool of a site were deleted, and puts them back' {
        $account = (Get-AegirSite notes.test).UnixUser
        $null = Invoke-OnTestHost $c "rm /var/aegir/config/server_webc/nginx/vhost.d/notes.test.conf /etc/php/8.2/fpm/pool.d/aegir-$account.conf && nginx -s reload && kill -USR2 `$(cat /run/php/php8.2-fpm.pid)"
        Wait-PageChange notes.test $c 'notes of notes.test: first note (webc)'
        (Get-Page notes.test $c).Body | Should -Not -Match 'notes of notes.test'
        $task = Invoke-AegirVerify server_webfarm -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
        $task.Status | Should -Be 'Warning'
        "$warned" | Should -Match "PHP-FPM pool of notes.test on member '@server_webc' of '@server_webfarm' is missing"
        "$warned" | Should -Match "vhost of notes.test on member '@server_webc' of '@server_webfarm' is missing"
        "$warned" | Should -Not -Match 'server_weba'
        foreach ($name in 'weba', 'webc') { ($task.Log.Message -join "`n") | Should -Match "Each site's PHP runs in a PHP-FPM pool of its own, as an account of its own, on '@server_$name'" -Because 'verify of the cluster checks the PHP-FPM of every member' }
        Get-Vhosts $c | Should -Contain 'notes.test.conf'
        (Get-Page notes.test $c).Body | Should -Be 'notes of notes.test: first note (webc)'
        (Get-Page notes.test $c /probe.php).Body | Should -Be $account
    }

    It 'verify of a site on the cluster names C, whose vhost differs, and puts it right' {
        $null = Invoke-OnTestHost $c 'sed -i "s/server_name/server_name changed.test/" /var/aegir/config/server_webc/nginx/vhost.d/notes.test.conf && nginx -s reload'
        $task = Invoke-AegirVerify notes.test -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
        "$warned" | Should -Match "vhost of notes.test on member '@server_webc' of '@server_webfarm' differs"
        Invoke-OnTestHost $c 'grep -c changed.test /var/aegir/config/server_webc/nginx/vhost.d/notes.test.conf || true' | Should -Be '0'
        (Get-Page notes.test $c).Body | Should -Be 'notes of notes.test: first note (webc)'
    }

    It 'verify of the cluster names the member whose platform code differs' {
        $null = Invoke-OnTestHost $c 'echo "<?php echo 1;" > /srv/platforms/notes/extra.php'
        try {
            $null = Invoke-AegirVerify server_webfarm -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
            "$warned" | Should -Match "code of @platform_notes on member '@server_webc' differs from '@server_weba'.*extra\.php"
        }
        finally { $null = Invoke-OnTestHost $c 'rm -f /srv/platforms/notes/extra.php' }
        $null = Invoke-AegirVerify server_webfarm -WarningVariable again -WarningAction SilentlyContinue -ErrorAction Stop
        "$again" | Should -BeNullOrEmpty
    }

    It 'pushes a platform kept here to every member, and puts back what was changed on one' {
        $source = Join-Path $work 'build/kept'
        Write-Tree $source @{
            '.aegir.yml' = "name: Kept`ndatabase: none`nversion_command: [cat, VERSION]`n"
            'VERSION'    = '1.0'
            'index.php'  = '<?php echo "kept ", trim(file_get_contents(__DIR__ . "/VERSION")), " on ", gethostname();'
        }
        $null = New-AegirPlatform kept -Root /srv/platforms/kept -WebServer webfarm -Source $source -ErrorAction Stop
        $null = New-AegirSite kept.test -Platform kept -ErrorAction Stop
        (Get-Page kept.test $a).Body | Should -Be 'kept 1.0 on weba'
        (Get-Page kept.test $c).Body | Should -Be 'kept 1.0 on webc'
        $null = Invoke-OnTestHost $c 'echo 0.9 > /srv/platforms/kept/VERSION'
        $null = Invoke-AegirVerify platform_kept -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
        "$warned" | Should -Match "differ from .*on '@server_webc'|on '@server_webc' differ from"
        "$warned" | Should -Not -Match 'server_weba'
        (Get-Page kept.test $c).Body | Should -Be 'kept 1.0 on webc'
    }

    It 'installs a pipeline of sites on the cluster with one reload of it at the end, each answering on A and on C' {
        $reloadsBefore = @(Get-AegirTask -Target server_webfarm -Type reload).Count
        $made = 'p1.test', 'p2.test' | New-AegirSite -Platform kept -ErrorAction Stop
        $made.Status | Should -Be @('Installed', 'Installed')
        @(Get-AegirTask -Target server_webfarm -Type reload).Count | Should -Be ($reloadsBefore + 1)
        foreach ($uri in 'p1.test', 'p2.test') {
            (Get-Page $uri $a).Body | Should -Be 'kept 1.0 on weba'
            (Get-Page $uri $c).Body | Should -Be 'kept 1.0 on webc'
        }
        $accounts = foreach ($uri in 'p1.test', 'p2.test') { (Get-AegirSite $uri).UnixUser }
        $null = 'p1.test', 'p2.test' | Remove-AegirSite -Confirm:$false -ErrorAction Stop
        Get-Vhosts $c | Should -Not -Contain 'p1.test.conf'
        foreach ($member in $a, $c) { foreach ($account in $accounts) { Get-SiteTraces $account $member | Should -BeNullOrEmpty -Because "a pipeline's removal leaves nothing of the site on $($member.Name)" } }
    }

    It 'keeps a site in the shared pool of a member whose sites share one, and moves it into its own there on its next verify' {
        $null = Set-AegirServer webc -HttpSetting @{ php_pools = 'shared' } -ErrorAction Stop
        try {
            $null = New-AegirSite late.test -Platform notes -DbServer dbb -ErrorAction Stop
            $account = (Get-AegirSite late.test).UnixUser
            (Get-Page late.test $a /probe.php).Body | Should -Be $account
            (Get-Page late.test $c /probe.php).Body | Should -Be 'www-data' -Because 'the sites of C share its pool'
            Get-SiteTraces $account $c | Should -BeNullOrEmpty
            Invoke-OnTestHost $c 'stat -c %U /srv/platforms/notes/files/late.test' | Should -Be 'aegir'
            (Get-Page late.test $c).Body | Should -Be 'notes of late.test: first note (webc)'
        }
        finally { $null = Set-AegirServer webc -HttpSetting @{ php_pools = 'per-site' } -ErrorAction Stop }
        $null = Invoke-AegirVerify server_webfarm -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
        "$warned" | Should -Match "late\.test has no account $account on member '@server_webc' of '@server_webfarm' yet.*Invoke-AegirVerify late\.test"
        (Get-Page late.test $c /probe.php).Body | Should -Be 'www-data' -Because 'verify of the cluster leaves the move to the site''s own verify'
        $null = Invoke-AegirVerify late.test -WarningVariable moved -WarningAction SilentlyContinue -ErrorAction Stop
        "$moved" | Should -Not -Match 'differs' -Because 'a vhost moving into its own pool has not drifted'
        (Get-Page late.test $c /probe.php).Body | Should -Be $account
        Invoke-OnTestHost $c 'stat -c %U /srv/platforms/notes/files/late.test' | Should -Be $account
        (Get-Page late.test $c).Body | Should -Be 'notes of late.test: first note (webc)'
        (Get-Page late.test $a /probe.php).Body | Should -Be $account
    }

    It 'moves a site off the cluster to a platform on A alone: C keeps nothing of it, A keeps its account' {
        $account = (Get-AegirSite late.test).UnixUser
        $null = Invoke-OnTestHost $a 'mkdir /srv/platforms/notesa && cd /srv/platforms/notes && cp -a .aegir.yml index.php probe.php bin /srv/platforms/notesa/'
        $null = New-AegirPlatform notesa -Root /srv/platforms/notesa -WebServer weba -ErrorAction Stop
        $null = Move-AegirSite late.test -Platform notesa -Confirm:$false -ErrorAction Stop
        (Get-Page late.test $a).Body | Should -Be 'notes of late.test: first note (weba)'
        (Get-Page late.test $a /probe.php).Body | Should -Be $account
        Get-Vhosts $c | Should -Not -Contain 'late.test.conf'
        Get-SiteTraces $account $c | Should -BeNullOrEmpty -Because 'C serves the site no more'
        Invoke-OnTestHost $c 'ls -A /srv/platforms/notes/files' | Should -Not -Contain 'late.test'
        $null = Remove-AegirSite late.test -Confirm:$false -ErrorAction Stop
        Get-SiteTraces $account $a | Should -BeNullOrEmpty
    }

    It 'serves a site over HTTPS on A and on C, each with the certificate and key root''s 0600, checked on each member' {
        $null = New-AegirSite tls.test -Platform kept -Https Required -CertificateSource SelfSigned -ErrorAction Stop
        $cert = Get-AegirCertificate tls.test
        $pem = (Get-ChildItem -Recurse "$env:AEGIR_HOME/certificates/tls.test" -Filter fullchain.pem | Select-Object -First 1).FullName
        foreach ($member in $a, $c) {
            $body = & curl -sS --max-time 20 --cacert $pem --resolve "tls.test:443:$($member.Address)" -w '|%{http_code}' https://tls.test/ 2>&1
            "$body" | Should -Be "kept 1.0 on $($member.Name)|200"
            & curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Host: tls.test' "http://$($member.Address)/" | Should -Be '301 https://tls.test/'
            $tls = "/var/aegir/config/server_$($member.Name)/tls"
            Invoke-OnTestHost $member "stat -c '%U:%G %a' $tls/tls.test.crt $tls/tls.test.key" | Should -Be @('root:root 600', 'root:root 600')
            (Invoke-OnTestHost $member "openssl x509 -noout -fingerprint -sha256 -in $tls/tls.test.crt") -replace '.*=|:', '' | Should -Be $cert.Thumbprint
        }
        # Its verify asks each member over HTTPS; one that serves the site no more is named.
        $null = Invoke-OnTestHost $c 'mv /var/aegir/config/server_webc/nginx/vhost.d/tls.test.conf /var/aegir/tls.test.conf.off && nginx -s reload'
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            while ((& curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert $pem --resolve "tls.test:443:$($c.Address)" https://tls.test/) -eq '200' -and $clock.Elapsed.TotalSeconds -lt 10) { Start-Sleep -Milliseconds 100 }
            $plan = Invoke-AegirVerify tls.test -Plan
            ($plan.Description -join "`n") | Should -Match 'check that https://tls\.test/'
            (Invoke-AegirVerify tls.test -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop).Status | Should -Be 'Warning'
            "$warned" | Should -Match "vhost of tls.test on member '@server_webc' of '@server_webfarm' is missing"
        }
        finally { $null = Invoke-OnTestHost $c 'rm -f /var/aegir/tls.test.conf.off' }
        $body = & curl -sS --max-time 20 --cacert $pem --resolve "tls.test:443:$($c.Address)" https://tls.test/ 2>&1
        "$body" | Should -Be 'kept 1.0 on webc'
    }

    It 'writes an haproxy front for the cluster that spreads a site''s visitors over A and C' {
        Install-TestPackage haproxy
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $httpsPort = $listener.LocalEndpoint.Port; $listener.Stop()
        $null = Set-AegirServer webfarm -HttpSetting @{ front_port = $port; front_https_port = $httpsPort } -ErrorAction Stop
        $null = Invoke-AegirVerify server_webfarm -ErrorAction Stop
        $cfg = Join-Path $env:AEGIR_HOME 'config/server_webfarm/haproxy.cfg'
        $text = Get-Content -Raw $cfg
        $text | Should -Match "bind \*:$port"
        $text | Should -Match "server server_weba $([regex]::Escape($a.Address)):80 check"
        $text | Should -Match "server server_webc $([regex]::Escape($c.Address)):80 check"
        $text | Should -Match "bind \*:$httpsPort"
        $text | Should -Match "server server_weba $([regex]::Escape($a.Address)):443 check"
        [int](Get-Item $cfg).UnixFileMode | Should -Be 384
        haproxy -c -f $cfg | Out-Null
        $LASTEXITCODE | Should -Be 0
        $pidFile = Join-Path $work 'haproxy.pid'
        haproxy -D -f $cfg -p $pidFile
        try {
            $seen = @{}
            $clock = [Diagnostics.Stopwatch]::StartNew()
            while ($seen.Count -lt 2 -and $clock.Elapsed.TotalSeconds -lt 15) {
                try {
                    $body = (Invoke-WebRequest -Headers @{ Host = 'notes.test' } "http://127.0.0.1:$port/").Content
                    if ($body -match '\((web[ac])\)$') { $seen[$Matches[1]] = $body }
                }
                catch { Start-Sleep -Milliseconds 200 }
            }
            $seen.Keys | Sort-Object | Should -Be @('weba', 'webc')
            # HTTPS passes through: each member shows the site's certificate, which alone is trusted here.
            $pem = (Get-ChildItem -Recurse "$env:AEGIR_HOME/certificates/tls.test" -Filter fullchain.pem | Select-Object -First 1).FullName
            $seen = @{}
            $clock.Restart()
            while ($seen.Count -lt 2 -and $clock.Elapsed.TotalSeconds -lt 15) {
                $body = & curl -sS --max-time 5 --cacert $pem --resolve "tls.test:${httpsPort}:127.0.0.1" "https://tls.test:$httpsPort/" 2>&1
                if ("$body" -match '^kept 1\.0 on (web[ac])$') { $seen[$Matches[1]] = $body } else { Start-Sleep -Milliseconds 200 }
            }
            $seen.Keys | Sort-Object | Should -Be @('weba', 'webc')
        }
        finally { if (Test-Path $pidFile) { kill (Get-Content $pidFile) } }
    }

    It 'removes a site from every member and its database from B, with its account and pool on each member' {
        $sites = 'notes.test', 'peer.test', 'kept.test', 'wp.test', 'tls.test'
        $accounts = foreach ($site in $sites) { (Get-AegirSite $site).UnixUser }
        foreach ($member in $a, $c) { foreach ($account in $accounts) { (Get-SiteTraces $account $member).Count | Should -Be 3 } }
        $null = Remove-AegirSite tls.test -Confirm:$false -ErrorAction Stop
        foreach ($member in $a, $c) { Invoke-OnTestHost $member "ls -A /var/aegir/config/server_$($member.Name)/tls" | Where-Object { $_ -like 'tls.test.*' } | Should -BeNullOrEmpty -Because "its certificate and key go from $($member.Name)" }
        $null = Remove-AegirSite peer.test -Confirm:$false -ErrorAction Stop
        $null = Remove-AegirSite notes.test -Confirm:$false -ErrorAction Stop
        $null = Remove-AegirSite kept.test -Confirm:$false -ErrorAction Stop
        $null = Remove-AegirSite wp.test -Confirm:$false -ErrorAction Stop
        Invoke-TestHostSql $b "SHOW DATABASES LIKE 'wptest'" | Should -BeNullOrEmpty
        foreach ($member in $a, $c) { Invoke-OnTestHost $member 'ls -A /srv/platforms/wp/wp-content/uploads/sites 2>/dev/null || true' | Should -BeNullOrEmpty }
        Get-Vhosts $a | Should -BeNullOrEmpty
        Get-Vhosts $c | Should -BeNullOrEmpty
        Invoke-TestHostSql $b "SHOW DATABASES LIKE 'notestest%'" | Should -BeNullOrEmpty
        Get-Grants notestest | Should -BeNullOrEmpty
        (Get-Page notes.test $a).Body | Should -Not -Match 'first note'
        (Get-Page notes.test $c).Body | Should -Not -Match 'first note'
        foreach ($member in $a, $c) {
            foreach ($account in $accounts) { Get-SiteTraces $account $member | Should -BeNullOrEmpty }
            # Only this home's: the host's /etc began as a copy of this machine's, with whatever accounts other homes have here.
            $homeId = [Aegir.Core.Contexts.AccountNames]::HomeId($env:AEGIR_HOME)
            Invoke-OnTestHost $member "getent passwd | grep ':Aegir [a-z]* .* (home $homeId):' || true" | Should -BeNullOrEmpty -Because "no account of this home's sites is left on $($member.Name)"
            Invoke-OnTestHost $member 'ls -A /etc/php/8.2/fpm/pool.d | grep -c "^aegir-" || true' | Should -Be '0'
            Invoke-OnTestHost $member 'ls -A /var/lib/aegir/php 2>/dev/null || true' | Should -BeNullOrEmpty
            Invoke-OnTestHost $member "ps --ppid `$(cat /run/php/php8.2-fpm.pid) -o args= | grep -c 'pool [a-z0-9-]*-[0-9a-f]\{6\}$' || true" | Should -Be '0'
        }
    }
}
