<#
.SYNOPSIS
    Time to install 20 plain PHP sites on one local server (database, user, vhost, config test, reload),
    per site. For scale: an Ansible playbook reaching the same end state took about 18 s on this kind of machine.
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

    $port = $server.Http.GetInt('port')
    $answered = @($uris | Where-Object { (curl -s -H "Host: ${_}:$port" "http://127.0.0.1:$port/") -like 'ok *' }).Count
    $reloads = @(Get-AegirTask -Type install | ForEach-Object Log | Where-Object Message -Like 'Reloaded:*').Count + @(Get-AegirTask -Type reload).Count
    'sites installed:            {0,7}' -f $Sites
    'total:                      {0,7:N1} s   (Ansible, same end state: about 18 s)' -f $seconds
    'per site:                   {0,7:N0} ms' -f ($seconds * 1000 / $Sites)
    'web server reloads:         {0,7}' -f $reloads
    'sites answering over HTTP:  {0,7}' -f $answered
}
finally {
    Stop-AegirLocalServer -RemoveData -Confirm:$false
    Remove-Item -Recurse -Force $work
}
