<#
.SYNOPSIS
    Servers over SSH, on test hosts (tests/hosts/testhost.sh: network namespaces running Debian's sshd, nginx,
    PHP-FPM and MariaDB), each figure against its own floor in the same run:
    - a platform of 10,000 files pushed by New-AegirPlatform -Source (the whole task: push, detection, include,
      reload), against a plain `rsync -a` of the same folder over the same ssh, the best of three each; goal within 1.5x;
    - the same push again with nothing changed (compare, push, verify), against a plain rsync that finds nothing;
    - 20 PHP sites installed in one pipeline on a remote web server (its databases on a second host), against the
      same 20 on a local server (Start-AegirLocalServer); goal within 2x.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Files = 10000, [int] $Sites = 20)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
if ((id -u) -ne '0') { 'remote bench skipped: it makes test hosts and needs root'; return }
$env:AEGIR_TEST_MODULE = $ModulePath
. (Join-Path $PSScriptRoot '../tests/Integration/IntegrationHelpers.ps1')

$work = New-WorkFolder
function Seconds([scriptblock] $block) { $clock = [Diagnostics.Stopwatch]::StartNew(); & $block | Out-Null; $clock.Elapsed.TotalSeconds }
$a = $b = $null
try {
    Install-TestPackage mariadb-server, rsync
    $a = New-TestHost benchweb
    $b = New-TestHost benchdb
    Start-TestHostWeb $a
    $admin = Start-TestHostMariaDb $b
    $null = Invoke-OnTestHost $a 'mkdir -p /srv/platforms /srv/raw'

    # --- the push ---
    $source = Join-Path $work 'build/big'
    $null = New-Item -ItemType Directory -Force $source
    Set-Content (Join-Path $source 'index.php') '<?php $db = new mysqli(getenv("db_host"), getenv("db_user"), getenv("db_passwd"), getenv("db_name"), (int)getenv("db_port")); echo "ok ", getenv("db_name");'
    Set-Content (Join-Path $source '.aegir.yml') "name: Big`nversion_command: [echo, 1.0]`n"
    foreach ($d in 1..($Files / 100)) {
        $folder = Join-Path $source "lib/part$d"
        $null = New-Item -ItemType Directory -Force $folder
        foreach ($f in 1..100) { [IO.File]::WriteAllText((Join-Path $folder "class$f.php"), "<?php`n// part $d, class $f`nclass Part${d}Class$f { const ID = $d$f; }`n" + ('// filler' * 40)) }
    }
    $ssh = "ssh -i $($a.KeyPath) -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
    $env:AEGIR_HOME = Join-Path $work 'remote'
    $null = New-AegirServer benchweb -RemoteHost $a.Address -SshKeyPath $a.KeyPath -HostKeyFingerprint $a.Fingerprint -HttpServiceType nginx
    $null = New-AegirServer benchdb -RemoteHost $b.Address -SshKeyPath $b.KeyPath -HostKeyFingerprint $b.Fingerprint -DbServiceType mysql -DbAdminCredential $admin
    $null = Invoke-AegirVerify server_benchweb, server_benchdb -ErrorAction Stop
    # Disk writes on this machine vary run to run: each push is timed three times beside its floor, the best kept.
    $rawPush = $push = $rawAgain = $again = [double]::MaxValue
    foreach ($round in 3, 2, 1) {
        $rawPush = [Math]::Min($rawPush, (Seconds { rsync -a -e $ssh "$source/" "root@$($a.Address):/srv/raw/big$round/"; if ($LASTEXITCODE) { throw 'rsync failed' } }))
        $push = [Math]::Min($push, (Seconds { New-AegirPlatform "big$round" -Root "/srv/platforms/big$round" -WebServer benchweb -Source $source -ErrorAction Stop }))
        $rawAgain = [Math]::Min($rawAgain, (Seconds { rsync -a -e $ssh "$source/" "root@$($a.Address):/srv/raw/big$round/"; if ($LASTEXITCODE) { throw 'rsync failed' } }))
        $again = [Math]::Min($again, (Seconds { Invoke-AegirVerify "platform_big$round" -ErrorAction Stop }))
    }
    $pushed = [int](Invoke-OnTestHost $a 'find /srv/platforms/big1 -type f | wc -l')

    # --- 20 sites on the remote web server, then on a local one ---
    $uris = 1..$Sites | ForEach-Object { "site$_.bench.test" }
    $remote = Seconds { $made = $uris | New-AegirSite -Platform big1 -DbServer benchdb; if (@($made | Where-Object Status -EQ 'Installed').Count -ne $Sites) { throw 'not every remote site installed' } }
    $answered = @($uris | Where-Object { (curl -s -H "Host: $_" "http://$($a.Address)/") -like 'ok *' }).Count

    $env:AEGIR_HOME = Join-Path $work 'local'
    $null = Start-AegirLocalServer
    $null = New-AegirPlatform big1 $source
    $local = Seconds { $made = $uris | New-AegirSite -Platform big1; if (@($made | Where-Object Status -EQ 'Installed').Count -ne $Sites) { throw 'not every local site installed' } }

    'files pushed:                      {0,7}' -f $pushed
    'plain rsync -a over ssh:           {0,7:N2} s' -f $rawPush
    'New-AegirPlatform -Source:         {0,7:N2} s   ratio {1:N2}x (goal <= 1.5x: {2})' -f $push, ($push / $rawPush), $(if ($push / $rawPush -le 1.5) { 'met' } else { 'MISSED' })
    'plain rsync again, nothing new:    {0,7:N2} s' -f $rawAgain
    'verify again (compare and push):   {0,7:N2} s   ratio {1:N2}x' -f $again, ($again / $rawAgain)
    "sites installed (remote, local):   {0,7} {1}" -f $Sites, $Sites
    'remote web + remote db, pipeline:  {0,7:N2} s' -f $remote
    'local server, pipeline:            {0,7:N2} s' -f $local
    'ratio remote to local:             {0,7:N2} x   (goal <= 2x: {1})' -f ($remote / $local), $(if ($remote / $local -le 2) { 'met' } else { 'MISSED' })
    'remote sites answering over HTTP:  {0,7}' -f $answered
}
finally {
    if ($env:AEGIR_HOME -like '*local') { Stop-AegirLocalServer -RemoveData -Confirm:$false -ErrorAction Ignore }
    Remove-TestHost $a
    Remove-TestHost $b
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}
