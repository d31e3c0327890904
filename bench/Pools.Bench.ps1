<#
.SYNOPSIS
    200 sites, each with its own UNIX account and ondemand PHP-FPM pool, on one local server, against the same sites
    in one shared pool: the install pipeline's time, PHP-FPM's idle memory once every site has answered and its
    workers have gone idle, and the time of one PHP-FPM reload with every pool loaded.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Sites = 200)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
if ((id -u) -ne '0') { 'pools bench skipped: it makes accounts and starts private servers, and needs root'; return }

# PHP-FPM's processes of this run's server (master and workers), their resident memory summed, in MB.
function Get-FpmMemory([string] $Conf) {
    $pids = @(pgrep -f "php-fpm: master process \($Conf\)")
    $all = @($pids) + @($pids | ForEach-Object { pgrep -P $_ })
    $kb = ($all | Where-Object { $_ } | ForEach-Object { [int]((Get-Content "/proc/$_/status" | Where-Object { $_ -like 'VmRSS:*' }) -replace '\D', '') } | Measure-Object -Sum).Sum
    [pscustomobject]@{ Processes = $all.Count; MB = $kb / 1024 }
}

function Measure-Hosting([string] $Pools) {
    $work = Join-Path ([IO.Path]::GetTempPath()) "aegir-bench-pools-$PID-$Pools"
    $null = New-Item -ItemType Directory $work
    [IO.File]::SetUnixFileMode($work, 'UserRead, UserWrite, UserExecute, GroupExecute, OtherExecute')
    $env:AEGIR_HOME = Join-Path $work 'home'
    try {
        $server = Start-AegirLocalServer -DbServiceType mysql
        $server = Set-AegirServer master -HttpSetting @{ php_pools = $Pools } -PassThru
        $root = Join-Path $work 'platforms/app'
        $null = New-Item -ItemType Directory -Force $root
        Set-Content (Join-Path $root '.aegir.yml') "name: Hello`nversion_command: [echo, '1.0']`ndatabase: none`ncheck:`n  expect: hello`n"
        Set-Content (Join-Path $root 'index.php') '<?php echo "hello ", $_SERVER["aegir_site"];'
        $null = New-AegirPlatform app $root
        $uris = 1..$Sites | ForEach-Object { "p$_.bench.test" }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $made = $uris | New-AegirSite -Platform app
        $seconds = $clock.Elapsed.TotalSeconds
        if (@($made | Where-Object Status -EQ 'Installed').Count -ne $Sites) { throw "not every site installed ($Pools)" }
        $port = $server.Http.GetInt('port')
        $answered = @($uris | Where-Object { (curl -s -H "Host: ${_}:$port" "http://127.0.0.1:$port/") -like 'hello *' }).Count
        $conf = Join-Path $env:AEGIR_HOME 'local/server_master/php/php-fpm.conf'
        # ondemand workers end after 10 s idle (the shared pool's after 30 s).
        Start-Sleep -Seconds 35
        $idle = Get-FpmMemory $conf
        $reload = $null
        if ($Pools -eq 'per-site') {
            $pidFile = $server.Http.Get('php_fpm_pid_file')
            $before = (Get-Item $pidFile).LastWriteTimeUtc
            $clock = [Diagnostics.Stopwatch]::StartNew()
            kill -USR2 (Get-Content $pidFile)
            $last = Join-Path $server.Http.Get('php_site_dir') "$((Get-AegirSite $uris[-1]).UnixUser)/php.sock"
            while ((Get-Item $pidFile -ErrorAction SilentlyContinue).LastWriteTimeUtc -eq $before -or -not (Test-Path $last)) { Start-Sleep -Milliseconds 2 }
            $reload = $clock.Elapsed.TotalMilliseconds
        }
        [pscustomobject]@{ Pools = $Pools; Seconds = $seconds; Answered = $answered; Idle = $idle; ReloadMs = $reload }
    }
    finally {
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }
}

$own = Measure-Hosting 'per-site'
$shared = Measure-Hosting 'shared'
'sites:                              {0,7}' -f $Sites
'pipeline, each its own pool:        {0,7:N1} s  ({1:N0} ms a site; {2} answering)' -f $own.Seconds, ($own.Seconds * 1000 / $Sites), $own.Answered
'pipeline, one shared pool:          {0,7:N1} s  ({1:N0} ms a site; {2} answering)' -f $shared.Seconds, ($shared.Seconds * 1000 / $Sites), $shared.Answered
'ratio of the two:                   {0,7:N2} x' -f ($own.Seconds / $shared.Seconds)
'PHP-FPM idle, own pools:            {0,7:N1} MB ({1} processes)' -f $own.Idle.MB, $own.Idle.Processes
'PHP-FPM idle, one shared pool:      {0,7:N1} MB ({1} processes)' -f $shared.Idle.MB, $shared.Idle.Processes
'one PHP-FPM reload with every pool: {0,7:N0} ms' -f $own.ReloadMs
