<#
.SYNOPSIS
    Time to install 20 plain PHP sites in one pipeline on one local server (database, user, each site's own UNIX
    account and PHP-FPM pool, folders, vhost, config tests, reloads, each page checked), against the same SQL
    statements, accounts, file writes, one PHP-FPM test and reload and one web config test and reload done by hand in
    the same run. Goal: within 2x of the hand-made figure.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Sites = 20)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
if ((id -u) -ne '0') { 'install bench skipped: it starts private servers and needs root'; return }

$work = Join-Path ([IO.Path]::GetTempPath()) "aegir-bench-install-$PID"
$null = New-Item -ItemType Directory $work
[IO.File]::SetUnixFileMode($work, 'UserRead, UserWrite, UserExecute, GroupExecute, OtherExecute')
$env:AEGIR_HOME = Join-Path $work 'home'
try {
    $server = Start-AegirLocalServer
    $root = Join-Path $work 'platforms/php'
    $null = New-Item -ItemType Directory -Force $root
    Set-Content (Join-Path $root 'index.php') '<?php $db = new mysqli($_SERVER["db_host"], $_SERVER["db_user"], $_SERVER["db_passwd"], $_SERVER["db_name"], (int)$_SERVER["db_port"]); echo "ok ", $_SERVER["db_name"];'
    $null = New-AegirPlatform php $root

    $uris = 1..$Sites | ForEach-Object { "site$_.bench.test" }
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $made = $uris | New-AegirSite -Platform php    # one pipeline: each vhost tested, one reload at the end
    $seconds = $clock.Elapsed.TotalSeconds
    if (@($made | Where-Object Status -EQ 'Installed').Count -ne $Sites) { throw 'not every site installed' }

    # The same end state by hand: one SQL session, the folders and vhosts written, one config test, one reload.
    $vhostDir = Split-Path (Get-ChildItem -Recurse (Join-Path $env:AEGIR_HOME 'config') -Filter 'site1.bench.test.conf').FullName
    $model = Get-Content -Raw (Join-Path $vhostDir 'site1.bench.test.conf')
    $socket = Get-ChildItem -Recurse (Join-Path $env:AEGIR_HOME 'local') -Filter 'mariadbd.sock' | Select-Object -First 1
    $statements = foreach ($i in 1..$Sites) {
        "CREATE DATABASE hand$i CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
        foreach ($h in '127.0.0.1', 'localhost') { "CREATE USER 'hand$i'@'$h' IDENTIFIED BY 'Hand-$i-Secret'; GRANT ALL PRIVILEGES ON hand$i.* TO 'hand$i'@'$h';" }
    }
    # Each site's own account and pool, as the module makes them: the pool file, its temp and session folders.
    $site1 = (Get-AegirSite site1.bench.test).UnixUser
    $poolDir = $server.Http.Get('php_fpm_pool_dir')
    $phpDir = $server.Http.Get('php_site_dir')
    $poolModel = Get-Content -Raw (Join-Path $poolDir "aegir-$site1.conf")
    $vhosts = foreach ($i in 1..$Sites) {
        $account = "hand$i-bench"
        $text = $model.Replace('site1.bench.test', "hand$i.bench.test").Replace('site1benchtest', "hand$i").Replace($site1, $account)
        [pscustomobject]@{
            Path = Join-Path $vhostDir "hand$i.bench.test.conf"; Text = $text; Files = Join-Path $root "files/hand$i.bench.test"
            Account = $account; Pool = Join-Path $poolDir "aegir-$account.conf"; PoolText = $poolModel.Replace($site1, $account).Replace('site1.bench.test', "hand$i.bench.test").Replace('site1benchtest', "hand$i")
            PhpDir = Join-Path $phpDir $account
        }
    }
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $statements -join "`n" | mariadb --no-defaults "--socket=$($socket.FullName)" -u root
    if ($LASTEXITCODE) { throw 'the hand-made SQL failed' }
    foreach ($v in $vhosts) {
        useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin $v.Account
        $null = New-Item -ItemType Directory "$($v.PhpDir)/tmp", "$($v.PhpDir)/sessions", $v.Files
        chown "$($v.Account):$($v.Account)" "$($v.PhpDir)/tmp" "$($v.PhpDir)/sessions"; chmod 0700 "$($v.PhpDir)/tmp" "$($v.PhpDir)/sessions"
        chmod 2770 $v.Files; chown "$($v.Account):$($server.Http.Get('web_group'))" $v.Files
        [IO.File]::WriteAllText($v.Pool, $v.PoolText)
        chmod 0600 $v.Pool
        [IO.File]::WriteAllText($v.Path, $v.Text)
    }
    sh -c $server.Http.Get('php_fpm_test_command') 2>$null
    if ($LASTEXITCODE) { throw 'the hand-made pools failed their test' }
    kill -USR2 (Get-Content $server.Http.Get('php_fpm_pid_file'))
    $last = Join-Path $vhosts[-1].PhpDir 'php.sock'
    while (-not (Test-Path $last)) { Start-Sleep -Milliseconds 5 }
    sh -c $server.Http.Get('config_test_command') 2>$null
    if ($LASTEXITCODE) { throw 'the hand-made config failed its test' }
    sh -c $server.Http.Get('restart_command')
    $byHand = $clock.Elapsed.TotalSeconds

    $port = $server.Http.GetInt('port')
    $answered = @($uris | Where-Object { (curl -s -H "Host: ${_}:$port" "http://127.0.0.1:$port/") -like 'ok *' }).Count
    $reloads = @(Get-AegirTask -Type install | ForEach-Object Log | Where-Object Message -Like 'Reloaded:*').Count + @(Get-AegirTask -Type reload).Count
    'sites installed:            {0,7}' -f $Sites
    'total:                      {0,7:N2} s' -f $seconds
    'per site:                   {0,7:N0} ms' -f ($seconds * 1000 / $Sites)
    'the same by hand:           {0,7:N2} s   (SQL, accounts, folders, pools, vhosts, one test and one reload of PHP-FPM and of the web server)' -f $byHand
    'ratio to by hand:           {0,7:N1} x   (goal <= 2x: {1})' -f ($seconds / $byHand), $(if ($seconds / $byHand -le 2) { 'met' } else { 'MISSED' })
    'web server reloads:         {0,7}' -f $reloads
    'sites answering over HTTP:  {0,7}' -f $answered
}
finally {
    Stop-AegirLocalServer -RemoveData -Confirm:$false
    foreach ($i in 1..$Sites) { userdel --force "hand$i-bench" 2>$null }
    Remove-Item -Recurse -Force $work
}
