<#
.SYNOPSIS
    Time to install 20 plain PHP sites in one pipeline on one local server (database, user, folders, vhost, config
    test, reload, each page checked), against the same SQL statements, file writes and one config test and reload
    done by hand in the same run. Goal: within 2x of the hand-made figure.
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
    $vhosts = foreach ($i in 1..$Sites) {
        $text = $model.Replace('site1.bench.test', "hand$i.bench.test").Replace('site1benchtest', "hand$i")
        [pscustomobject]@{ Path = Join-Path $vhostDir "hand$i.bench.test.conf"; Text = $text; Files = Join-Path $root "files/hand$i.bench.test" }
    }
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $statements -join "`n" | mariadb --no-defaults "--socket=$($socket.FullName)" -u root
    if ($LASTEXITCODE) { throw 'the hand-made SQL failed' }
    foreach ($v in $vhosts) {
        $null = New-Item -ItemType Directory $v.Files
        chmod 2770 $v.Files; chown "root:$($server.Http.Get('web_group'))" $v.Files
        [IO.File]::WriteAllText($v.Path, $v.Text)
    }
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
    'the same by hand:           {0,7:N2} s   (SQL, folders, vhosts, one config test, one reload)' -f $byHand
    'ratio to by hand:           {0,7:N1} x   (goal <= 2x: {1})' -f ($seconds / $byHand), $(if ($seconds / $byHand -le 2) { 'met' } else { 'MISSED' })
    'web server reloads:         {0,7}' -f $reloads
    'sites answering over HTTP:  {0,7}' -f $answered
}
finally {
    Stop-AegirLocalServer -RemoveData -Confirm:$false
    Remove-Item -Recurse -Force $work
}
