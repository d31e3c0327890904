<#
.SYNOPSIS
    The file queue against the broker's (a private RabbitMQ node, tests/hosts/rabbitmq.sh), on the same work and machine:
    - no-op tasks per second (lock and unlock platform tasks, 400 over 40 platforms, queued before the workers start)
      with 1, 2 and 4 worker processes (Invoke-AegirQueue -Continuous, throttle = cores each), from the first task's
      start to the last one's end; with the CPU time the workers, the broker (beam.smp) and the whole machine spent
      meanwhile, which says where more workers stop adding throughput and why;
    - queue-to-start latency (the record's Created to Started), p50 and p99, one task at a time with a continuous
      worker; goal for the broker: p50 under 50 ms. The time Lock-AegirPlatform -Queue itself takes is shown beside it.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Tasks = 400, [int] $Platforms = 40, [int] $Latency = 200,
    [int[]] $Workers = @(1, 2, 4), [int] $ThrottleLimit = [Environment]::ProcessorCount, [switch] $Cold)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
if ((id -u) -ne '0') { 'broker bench skipped: its private RabbitMQ needs root'; return }
$env:AEGIR_TEST_MODULE = $ModulePath
. (Join-Path $PSScriptRoot '../tests/Integration/IntegrationHelpers.ps1')

$cores = [Environment]::ProcessorCount
$tick = [double](getconf CLK_TCK)
function Percentile([double[]] $values, [double] $p) { $sorted = $values | Sort-Object; $sorted[[Math]::Min($sorted.Count - 1, [int][Math]::Ceiling($p * $sorted.Count) - 1)] }

# CPU seconds a process has used (user + system), from /proc/<pid>/stat (fields 14 and 15, after the command's name).
function Get-CpuSeconds([int] $Id) {
    $stat = [IO.File]::ReadAllText("/proc/$Id/stat")
    $fields = $stat.Substring($stat.LastIndexOf(')') + 2).Split(' ')
    ([long]$fields[11] + [long]$fields[12]) / $tick
}

# The machine's busy and I/O-wait seconds over all cores, from /proc/stat.
function Get-MachineCpu {
    $v = @(([IO.File]::ReadLines('/proc/stat') | Select-Object -First 1).Split(' ', [StringSplitOptions]::RemoveEmptyEntries) | Select-Object -Skip 1 | ForEach-Object { [long]$_ })
    [pscustomobject]@{ Busy = ($v[0] + $v[1] + $v[2] + $v[5] + $v[6] + $v[7]) / $tick; IoWait = $v[4] / $tick }
}

# A continuous worker in its own process, on the current AEGIR_HOME. It loads the module, says 'ready' and waits for
# the gate file, then runs the queue, writing each finished task's id (its standard output goes to a file, read here).
# Unless -Cold, it first runs 40 no-op tasks in a scratch home of its own, so the measure finds the code compiled (a
# service runs for days; a new process spends seconds of CPU on the JIT in its first tasks).
function Start-Worker([string] $Name, [string] $Gate) {
    $out = Join-Path $work "$Name.out"
    $warmup = if ($Cold) { '' } else {
        "`$real = `$env:AEGIR_HOME; `$env:AEGIR_HOME = '$(Join-Path $work "warm-$Name")'; " +
        "`$null = New-AegirServer -Name master -HttpServiceType nginx -DbServiceType mysql -DbAdminCredential ([pscredential]::new('root', (ConvertTo-SecureString 'Bench-Warm-Secret' -AsPlainText -Force))); " +
        "`$null = New-AegirPlatform w -Root /var/aegir/platforms/w -NoVerify 3>`$null; " +
        "`$null = 1..40 | ForEach-Object { if (`$_ % 2) { Lock-AegirPlatform w -Queue } else { Unlock-AegirPlatform w -Queue } }; " +
        "`$null = Invoke-AegirQueue -Queue Tasks -ThrottleLimit $ThrottleLimit; `$env:AEGIR_HOME = `$real; "
    }
    $script = "`$ProgressPreference = 'SilentlyContinue'; Import-Module '$ModulePath'; $warmup[Console]::Out.WriteLine('ready'); " +
        "while (-not (Test-Path '$Gate')) { Start-Sleep -Milliseconds 10 }; " +
        "Invoke-AegirQueue -Continuous -Queue Tasks -ThrottleLimit $ThrottleLimit | ForEach-Object { [Console]::Out.WriteLine(`$_.Id) }"
    $exe = [Environment]::ProcessPath
    $info = [Diagnostics.ProcessStartInfo]::new('bash')
    # exec: the pid is pwsh's own, so its CPU time and its SIGTERM are the worker's.
    foreach ($a in @('-c', 'out=$1; shift; exec "$@" >"$out" 2>"$out.err"', 'bash', $out, $exe) + @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' }) + @('-NoProfile', '-NonInteractive', '-Command', $script)) { $info.ArgumentList.Add($a) }
    $process = [Diagnostics.Process]::Start($info)
    $script:running.Add($process)
    [pscustomobject]@{ Process = $process; Out = $out }
}

# The lines a worker wrote: 'ready', then a task id per finished task.
function Get-WorkerLines($Worker) {
    $lines = if (Test-Path $Worker.Out) { [IO.File]::ReadAllLines($Worker.Out) } else { [string[]]::new(0) }
    , $lines
}

function Wait-Ready($Started) {
    $deadline = (Get-Date).AddSeconds(180)
    foreach ($w in $Started) {
        while (@(Get-WorkerLines $w | Select-Object -First 1) -notcontains 'ready') {
            if ($w.Process.HasExited -or (Get-Date) -gt $deadline) { throw "a worker did not start: $(Get-Content -Raw "$($w.Out).err" -ErrorAction Ignore)" }
            Start-Sleep -Milliseconds 50
        }
    }
}

function Stop-Workers {
    foreach ($p in $script:running) { if (-not $p.HasExited) { & kill -TERM $p.Id } }
    foreach ($p in $script:running) { if (-not $p.WaitForExit(30000)) { $p.Kill($true) } }
    $script:running.Clear()
}

# A home with a server and the platforms; the broker's also has the broker set (queue.json), which its workers read.
function New-BenchHome([string] $Name, $Broker) {
    $env:AEGIR_HOME = Join-Path $work $Name
    if ($Broker) { $null = Set-AegirQueue -Broker $Broker.Url -Credential $Broker.Credential }
    $cred = [pscredential]::new('root', (ConvertTo-SecureString 'Bench-Admin-Secret' -AsPlainText -Force))
    $null = New-AegirServer -Name master -HttpServiceType nginx -DbServiceType mysql -DbAdminCredential $cred
    foreach ($i in 1..$Platforms) { $null = New-AegirPlatform "n$i" -Root "/var/aegir/platforms/n$i" -NoVerify 3>$null }
    $env:AEGIR_HOME
}

# $Tasks no-op tasks queued (lock, unlock, lock... on each platform, one pipeline per round), then $Count workers let go.
function Measure-Throughput([string] $Kind, [string] $HomeDir, [int] $Count, [int] $BeamPid) {
    $env:AEGIR_HOME = $HomeDir
    $gate = Join-Path $work "gate-$Kind-$Count"
    $started = foreach ($i in 1..$Count) { Start-Worker "$Kind-$Count-$i" $gate }
    Wait-Ready $started
    $names = 1..$Platforms | ForEach-Object { "n$_" }
    $ids = [Collections.Generic.List[string]]::new()
    for ($round = 0; $ids.Count -lt $Tasks; $round++) {
        $batch = $names | Select-Object -First ($Tasks - $ids.Count)
        $queued = if ($round % 2) { $batch | Unlock-AegirPlatform -Queue } else { $batch | Lock-AegirPlatform -Queue }
        foreach ($t in $queued) { $ids.Add($t.Id) }
    }
    $workerCpu = ($started | ForEach-Object { Get-CpuSeconds $_.Process.Id } | Measure-Object -Sum).Sum
    $beamCpu = if ($BeamPid) { Get-CpuSeconds $BeamPid } else { 0 }
    $machine = Get-MachineCpu
    $self = Get-CpuSeconds $PID
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $null = New-Item -ItemType File $gate
    $deadline = (Get-Date).AddSeconds(300)
    while ((($started | ForEach-Object { (Get-WorkerLines $_).Count - 1 }) | Measure-Object -Sum).Sum -lt $Tasks) {
        if ((Get-Date) -gt $deadline) { throw "$Kind with $Count worker(s): not all $Tasks tasks ended within 300 s" }
        if (@($started | Where-Object { $_.Process.HasExited }).Count) { throw "$Kind with $Count worker(s): a worker died: $(Get-Content -Raw "$($started[0].Out).err" -ErrorAction Ignore)" }
        Start-Sleep -Milliseconds 50
    }
    $wall = $clock.Elapsed.TotalSeconds
    $workerCpu = ($started | ForEach-Object { Get-CpuSeconds $_.Process.Id } | Measure-Object -Sum).Sum - $workerCpu
    $beamCpu = if ($BeamPid) { (Get-CpuSeconds $BeamPid) - $beamCpu } else { 0 }
    $after = Get-MachineCpu
    $self = (Get-CpuSeconds $PID) - $self
    $perWorker = @($started | ForEach-Object { (Get-WorkerLines $_).Count - 1 })
    Stop-Workers
    $records = @(Get-AegirTask -Id $ids)
    $span = (($records.Finished | Measure-Object -Maximum).Maximum - ($records.Started | Measure-Object -Minimum).Minimum).TotalSeconds
    # How many tasks ran at once on average: their run times over the span.
    $busyTime = ($records | ForEach-Object { ($_.Finished - $_.Started).TotalSeconds } | Measure-Object -Sum).Sum
    [pscustomobject]@{
        Queue = $Kind; Workers = $Count; Tasks = $records.Count; Failed = @($records | Where-Object Status -NE Succeeded).Count
        Seconds = $span; PerSecond = $records.Count / $span; Wall = $wall; AtOnce = $busyTime / $span; TaskMs = 1000 * $busyTime / $records.Count
        WorkerCpu = $workerCpu; BrokerCpu = $beamCpu; MachineBusy = $after.Busy - $machine.Busy; Bench = $self; IoWait = $after.IoWait - $machine.IoWait
        PerWorker = $perWorker -join '/'
    }
}

# One continuous worker; $Latency tasks queued one at a time, each waited for before the next.
function Measure-Latency([string] $Kind, [string] $HomeDir) {
    $env:AEGIR_HOME = $HomeDir
    $gate = Join-Path $work "gate-$Kind-latency"
    $null = New-Item -ItemType File $gate
    $worker = Start-Worker "$Kind-latency" $gate
    Wait-Ready @($worker)
    Start-Sleep -Seconds 2   # the worker has loaded and is waiting
    $latencies = [Collections.Generic.List[double]]::new()
    $calls = [Collections.Generic.List[double]]::new()
    foreach ($n in 1..$Latency) {
        $platform = "n$(1 + $n % $Platforms)"
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $task = if ($n % 2) { Lock-AegirPlatform $platform -Queue } else { Unlock-AegirPlatform $platform -Queue }
        $calls.Add($clock.Elapsed.TotalMilliseconds)
        if (-not $task.Id) { throw "$Kind latency: Lock/Unlock-AegirPlatform $platform -Queue returned no task; last error: $($Error[0] | Out-String)" }
        $done = $task | Wait-AegirTask -Timeout 30
        if (-not $done.Started) { throw "$Kind latency: task $($task.Id) did not start within 30 s ($($done | Out-String)); the worker said: $(Get-Content -Raw "$($worker.Out).err" -ErrorAction Ignore)" }
        $latencies.Add(($done.Started - $task.Created).TotalMilliseconds)
    }
    Stop-Workers
    [pscustomobject]@{ Queue = $Kind; P50 = Percentile $latencies 0.5; P99 = Percentile $latencies 0.99; Call = Percentile $calls 0.5 }
}

$work = New-WorkFolder
$running = [Collections.Generic.List[Diagnostics.Process]]::new()
$broker = $null
try {
    $broker = Start-TestRabbitMq
    $beam = [int](Get-Content (Join-Path $broker.Dir 'pid'))
    if ((Get-Content "/proc/$beam/comm") -notlike 'beam*') { throw "the node's pid file names $beam, not its beam.smp" }
    $homes = @{ File = New-BenchHome 'file' $null; Broker = New-BenchHome 'broker' $broker }

    $throughput = foreach ($kind in 'File', 'Broker') {
        foreach ($n in $Workers) { Measure-Throughput $kind $homes[$kind] $n $(if ($kind -eq 'Broker') { $beam }) }
    }
    $waits = foreach ($kind in 'File', 'Broker') { Measure-Latency $kind $homes[$kind] }

    "no-op tasks: $Tasks (lock/unlock) over $Platforms platforms, queued first; each worker a process with throttle $ThrottleLimit, $(if ($Cold) { 'cold (just started)' } else { 'warmed up by 40 tasks' }); $cores cores"
    # CPU over the run (gate to last task), in seconds and as a share of one core; 'other' is the machine's busy time
    # that neither the workers, the broker nor this script spent (other programs on the machine).
    'queue    workers  tasks/s  span s  failed  workers cpu     broker cpu      other cpu       machine busy   iowait  tasks per worker'
    foreach ($r in $throughput) {
        $other = $r.MachineBusy - $r.WorkerCpu - $r.BrokerCpu - $r.Bench
        '{0,-7}  {1,7}  {2,7:N1}  {3,6:N2}  {4,6}  {5,6:N2} s {6,4:N0}%  {7,6:N2} s {8,4:N0}%  {9,6:N2} s {10,4:N0}%  {11,4:N0}% of {12}  {13,5:N2} s  {14}' -f $r.Queue, $r.Workers, $r.PerSecond, $r.Seconds, $r.Failed,
            $r.WorkerCpu, (100 * $r.WorkerCpu / $r.Wall), $r.BrokerCpu, (100 * $r.BrokerCpu / $r.Wall), $other, (100 * $other / $r.Wall),
            (100 * $r.MachineBusy / $r.Wall), (100 * $cores), $r.IoWait, $r.PerWorker
    }
    foreach ($r in $throughput) {
        # A no-op task's CPU (workers and broker) says how many tasks 2 idle cores could run a second, whatever else runs here.
        '{0,-7} {1} worker(s): cpu per task: workers {2,5:N1} ms, broker {3,5:N1} ms (so at most {4,5:N0} tasks/s on {5} idle cores); a task runs {6,5:N0} ms, {7:N1} at once' -f $r.Queue, $r.Workers,
            (1000 * $r.WorkerCpu / $r.Tasks), (1000 * $r.BrokerCpu / $r.Tasks), ($cores * $r.Tasks / ($r.WorkerCpu + $r.BrokerCpu)), $cores, $r.TaskMs, $r.AtOnce
    }
    foreach ($kind in 'File', 'Broker') {
        $rows = @($throughput | Where-Object Queue -EQ $kind)
        $best = $rows | Sort-Object PerSecond -Descending | Select-Object -First 1
        # More workers stop adding throughput where a step gains less than 10%.
        $flat = for ($k = 1; $k -lt $rows.Count; $k++) { if ($rows[$k].PerSecond -lt 1.1 * $rows[$k - 1].PerSecond) { $rows[$k - 1].Workers; break } }
        $busy = 100 * $best.MachineBusy / $best.Wall
        '{0}: best {1:N1} tasks/s with {2} worker(s); more workers stop adding throughput at {3}; the machine was {4:N0}% busy of {5}% there' -f $kind, $best.PerSecond, $best.Workers,
            $(if ($null -ne $flat) { "$flat worker(s)" } else { 'none measured' }), $busy, (100 * $cores)
    }
    "queue to start (Created to Started), $Latency tasks one at a time, one continuous worker:"
    foreach ($r in $waits) {
        $goal = if ($r.Queue -eq 'Broker') { ' (goal < 50: {0})' -f $(if ($r.P50 -lt 50) { 'met' } else { 'MISSED' }) } else { '' }
        '{0,-7}  p50 {1,6:N0} ms{2}   p99 {3,6:N0} ms   Lock-AegirPlatform -Queue call p50 {4,5:N0} ms' -f $r.Queue, $r.P50, $goal, $r.P99, $r.Call
    }
}
finally {
    Stop-Workers
    Stop-TestRabbitMq $broker
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}
