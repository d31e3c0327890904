<#
.SYNOPSIS
    The queue: with a continuous worker, latency from queueing a task to its start, p50 and p99 over 500 tasks
    (goal p50 under 200 ms, p99 under 1 s; Aegir's dispatcher polls once a minute); no-op tasks per second run by
    one pass of the queue; and 100 sites backed up with throttle = cores, against one site's backup time x 100 / cores.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Tasks = 500, [int] $Sites = 100)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath

$work = Join-Path ([IO.Path]::GetTempPath()) "aegir-bench-queue-$PID"
$null = New-Item -ItemType Directory $work
[IO.File]::SetUnixFileMode($work, 'UserRead, UserWrite, UserExecute, GroupExecute, OtherExecute')
function Percentile([double[]] $values, [double] $p) { $sorted = $values | Sort-Object; $sorted[[Math]::Min($sorted.Count - 1, [int][Math]::Ceiling($p * $sorted.Count) - 1)] }
$cores = [Environment]::ProcessorCount

# --- latency and no-op throughput: lock and unlock tasks, which change a record and nothing else ---
$env:AEGIR_HOME = Join-Path $work 'records'
$cred = [pscredential]::new('root', (ConvertTo-SecureString 'Bench-Admin-Secret' -AsPlainText -Force))
$null = New-AegirServer -Name master -HttpServiceType nginx -DbServiceType mysql -DbAdminCredential $cred
foreach ($i in 1..20) { $null = New-AegirPlatform "n$i" -Root "/var/aegir/platforms/n$i" -NoVerify 3>$null }

$exe = [Environment]::ProcessPath
$info = [Diagnostics.ProcessStartInfo]::new($exe)
if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $info.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
foreach ($a in '-NoProfile', '-NonInteractive', '-Command', "Import-Module '$ModulePath'; [Console]::Out.WriteLine('ready'); Invoke-AegirQueue -Continuous -Queue Tasks -ThrottleLimit $cores | Out-Null") { $info.ArgumentList.Add($a) }
$info.RedirectStandardOutput = $true
$worker = [Diagnostics.Process]::Start($info)
try {
    $null = $worker.StandardOutput.ReadLine()
    Start-Sleep -Seconds 2   # the worker has loaded and is waiting
    $latencies = [Collections.Generic.List[double]]::new()
    foreach ($n in 1..$Tasks) {
        $platform = "n$(1 + $n % 20)"
        $task = if ($n % 2) { Lock-AegirPlatform $platform -Queue } else { Unlock-AegirPlatform $platform -Queue }
        $done = $task | Wait-AegirTask -Timeout 30
        $latencies.Add(($done.Started - $task.Created).TotalMilliseconds)
    }
}
finally {
    kill -TERM $worker.Id
    if (-not $worker.WaitForExit(30000)) { $worker.Kill() }
}
$p50 = Percentile $latencies 0.5
$p99 = Percentile $latencies 0.99
$null = foreach ($n in 1..$Tasks) { Lock-AegirPlatform "n$(1 + $n % 20)" -Queue }
$clock = [Diagnostics.Stopwatch]::StartNew()
$ran = @(Invoke-AegirQueue -Queue Tasks -ThrottleLimit $cores).Count
$perSecond = $ran / $clock.Elapsed.TotalSeconds

'queue to start, {0} tasks one at a time:  p50 {1,6:N0} ms (goal < 200: {2})   p99 {3,6:N0} ms (goal < 1000: {4})' -f $Tasks, $p50, $(if ($p50 -lt 200) { 'met' } else { 'MISSED' }), $p99, $(if ($p99 -lt 1000) { 'met' } else { 'MISSED' })
'no-op tasks, one pass of {0} queued, throttle {1}:  {2,6:N1} tasks/s' -f $ran, $cores, $perSecond

# --- 100 backups with throttle = cores, against one backup's time x 100 / cores ---
if ((id -u) -ne '0') { 'backup part skipped: it starts private servers and needs root'; Remove-Item -Recurse -Force $work; return }
$env:AEGIR_HOME = Join-Path $work 'home'
try {
    $null = Start-AegirLocalServer
    $root = Join-Path $work 'platforms/php'
    $null = New-Item -ItemType Directory -Force $root
    Set-Content (Join-Path $root 'index.php') '<?php echo "ok";'
    $null = New-AegirPlatform php $root
    $names = 1..$Sites | ForEach-Object { "b$_.bench.test" }
    $null = $names | ForEach-Object { New-AegirSite $_ -Platform php }
    foreach ($uri in $names) {
        # Each site: 4 MB of uploads and a small table.
        $files = Join-Path $root "files/$uri"
        head -c 4194304 /dev/urandom > (Join-Path $files 'photo.jpg')
    }
    $one = foreach ($i in 1..3) { $clock = [Diagnostics.Stopwatch]::StartNew(); $null = Backup-AegirSite $names[0]; $clock.Elapsed.TotalSeconds }
    $single = ($one | Measure-Object -Average).Average
    $null = $names | Backup-AegirSite -Queue
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $backups = @(Invoke-AegirQueue -Queue Tasks -ThrottleLimit $cores)
    $all = $clock.Elapsed.TotalSeconds
    $failed = @($backups | Where-Object Status -EQ Failed).Count
    $expected = $single * $Sites / $cores
    'one backup (4 MB of files, a small database):  {0,6:N2} s' -f $single
    '{0} backups queued, throttle {1}:               {2,6:N1} s   ({3} failed); one x {0} / {1} = {4:N1} s, ratio {5:N2}x' -f $Sites, $cores, $all, $failed, $expected, ($all / $expected)
}
finally {
    Stop-AegirLocalServer -RemoveData -Confirm:$false
    Remove-Item -Recurse -Force $work
}
