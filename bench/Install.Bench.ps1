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
. $PSScriptRoot/lib/HandSites.ps1
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

    # The same end state by hand: one SQL session, the accounts, folders, pools and vhosts written, one test and one
    # reload of PHP-FPM and of the web server.
    $plan = New-HandSitePlan $server $Sites $root 'site1.bench.test'
    $clock = [Diagnostics.Stopwatch]::StartNew()
    Invoke-HandSitePlan $server $plan
    foreach ($v in $plan.Sites) { [IO.File]::WriteAllText($v.Path, $v.Text) }
    Invoke-HandReload $server
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
    Remove-HandAccounts $Sites
    Remove-Item -Recurse -Force $work
}
