<#
.SYNOPSIS
    100,000 site records on one control machine (issue 22), each figure measured in a new pwsh session (a timer's or
    a shell's first command): Get-AegirSite (goal under 2 s), Get-AegirSite <one uri> (under 50 ms), one more site's
    record with New-AegirSite -NoInstall (under 50 ms), and a schedule round of Invoke-AegirQueue over installed sites
    of which none is due (under 1 s).
.PARAMETER Keep
    A store made by an earlier run with the same -Sites, reused as it is (generating 100,000 records takes a while).
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Sites = 100000, [int] $Runs = 3, [string] $Keep)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath

$env:AEGIR_HOME = if ($Keep) { $Keep } else { Join-Path ([IO.Path]::GetTempPath()) "aegir-bench-sites-$PID" }
$dir = Join-Path $env:AEGIR_HOME 'contexts'
try {
    if (-not (Test-Path (Join-Path $dir "site$($Sites - 1).bench.example.yml"))) {
        $null = New-AegirServer -Name master -HttpServiceType nginx -DbServiceType mysql
        foreach ($p in 'wp', 'd10') { $null = New-AegirPlatform -Name $p -Root "/var/aegir/platforms/$p" -NoVerify 3>$null }
        $null = New-AegirClient acme
        # Written as New-AegirSite writes them (its own first record is the model), installed, each with its own
        # database claim; through the module's writer 100,000 would take hours of checks.
        $real = New-AegirSite site0.bench.example -NoInstall -Platform wp -Alias www.site0.bench.example -Client acme
        $template = (Get-Content -Raw $real.Path).Replace('status: NotInstalled', 'status: Installed')
        if ($template -notmatch 'status: Installed') { throw 'the model record has no status line' }
        $template = $template.TrimEnd() + "`ndb_name: site0benchexample`ndb_password: Bench-Secret-0`n"
        $states = Join-Path $env:AEGIR_HOME 'state/sites'
        $null = New-Item -ItemType Directory -Force $states
        # Every site's cron and statistics ran: a round finds nothing due, as most rounds of a large store do (stamped a
        # day ahead, so that none falls due while the bench runs and a round runs 100,000 crons).
        $now = [DateTimeOffset]::UtcNow.AddDays(1).ToString('o')
        $state = "{`n  `"cron_last`": `"$now`",`n  `"cron_succeeded`": true,`n  `"cron_runs`": 1,`n  `"statistics_last`": `"$now`"`n}"
        $generate = Measure-Command {
            foreach ($i in 0..($Sites - 1)) {
                $text = $template.Replace('site0.bench.example', "site$i.bench.example").Replace('site0benchexample', "site${i}benchexample").Replace('Bench-Secret-0', "Bench-Secret-$i")
                if ($i % 2) { $text = $text.Replace('platform_wp', 'platform_d10') }
                [IO.File]::WriteAllText("$dir/site$i.bench.example.yml", $text)
                [IO.File]::WriteAllText("$states/site$i.bench.example.json", $state)
            }
        }
        'generated {0:N0} records in {1:N1} s' -f $Sites, $generate.TotalSeconds
        # Hand-written records: the index (when there is one) is rebuilt once, here, not in a measured run below.
        $check = Get-AegirSite site1.bench.example
        if ($check.Aliases[0] -ne 'www.site1.bench.example' -or $check.Status -ne 'Installed') { throw 'generated records do not read back' }
    }

    $exe = [Environment]::ProcessPath
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    # A new pwsh: the module imported, then the timed command, its milliseconds the last line of its output.
    # The machine may be shared: the process's CPU time during the command is printed beside the wall time.
    function Fresh([string] $command, [string] $setup = '') {
        $out = & $exe @prefix -NoProfile -NonInteractive -Command "`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'; Import-Module '$ModulePath'; `$env:AEGIR_HOME = '$env:AEGIR_HOME'; $setup; `$me = [Diagnostics.Process]::GetCurrentProcess(); `$cpu = `$me.TotalProcessorTime; `$wall = (Measure-Command { $command }).TotalMilliseconds; `$me.Refresh(); '{0} {1}' -f `$wall, (`$me.TotalProcessorTime - `$cpu).TotalMilliseconds"
        if ($LASTEXITCODE) { throw "the session failed: $out" }
        $wall, $cpu = ($out | Select-Object -Last 1) -split ' '
        [pscustomobject]@{ Wall = [double]$wall; Cpu = [double]$cpu }
    }
    function Median($runs, [string] $what) { ($runs.$what | Sort-Object)[[int][math]::Floor(@($runs).Count / 2)] }
    function Line([string] $what, $runs, [double] $goal = 0) {
        $m = Median $runs Wall
        $verdict = if ($goal) { '   (goal < {0:N0} ms: {1})' -f $goal, $(if ($m -lt $goal) { 'met' } else { 'MISSED' }) }
        '{0,-62} {1,8:N0} ms (cpu {2,6:N0} ms){3}' -f $what, $m, (Median $runs Cpu), $verdict
    }

    'sites: {0:N0}, cores: {1}, load average: {2}' -f $Sites, [Environment]::ProcessorCount, (Get-Content /proc/loadavg).Split(' ')[0]
    $count = "`$n = (Get-AegirSite | Measure-Object).Count; if (`$n -lt $Sites) { throw `"listed `$n`" }"
    Line 'first listing (new session, caches as it found them)' (Fresh $count)
    Line "Get-AegirSite, new session (median of $Runs)" (1..$Runs | ForEach-Object { Fresh $count }) 2000
    # One site by name: a shell's later command (the session has listed another site before), and a new session's first.
    Line "Get-AegirSite <uri> (median of $Runs)" (1..$Runs | ForEach-Object { Fresh "`$s = Get-AegirSite site$(1000 * $_).bench.example; if (-not `$s) { throw 'not found' }" "`$null = Get-AegirSite site2.bench.example" }) 50
    Line "Get-AegirSite <uri>, first command of a new session" (1..$Runs | ForEach-Object { Fresh "`$s = Get-AegirSite site$(1000 * $_ + 5).bench.example; if (-not `$s) { throw 'not found' }" })
    Line "Get-AegirSite <alias> (median of $Runs)" (1..$Runs | ForEach-Object { Fresh "`$s = Get-AegirSite www.site$(1000 * $_ + 1).bench.example; if (-not `$s) { throw 'not found' }" "`$null = Get-AegirSite site2.bench.example" })
    $stamp = [DateTime]::UtcNow.Ticks
    Line "New-AegirSite -NoInstall, a session's second (median of $Runs)" (1..$Runs | ForEach-Object { Fresh "`$null = New-AegirSite warm$_-$stamp-2.bench.example -Platform wp -NoInstall" "`$null = New-AegirSite warm$_-$stamp.bench.example -Platform wp -NoInstall" }) 50
    Line "New-AegirSite -NoInstall, first command of a new session" (1..$Runs | ForEach-Object { Fresh "`$null = New-AegirSite new$_-$stamp.bench.example -Platform wp -NoInstall" })
    Line 'New-AegirSite with a taken host name (refused), new session' (Fresh "try { `$null = New-AegirSite www.site7.bench.example -Platform wp -NoInstall; throw 'a taken host name was accepted' } catch { if (`$_.Exception.Message -notmatch 'site7') { throw } }")
    Line "schedule round, nothing due, new session (median of $Runs)" (1..$Runs | ForEach-Object { Fresh "`$null = Invoke-AegirQueue -Queue Cron, Backup, Statistics, Certificate" }) 1000
    # A record written by hand (another tool): the next create sees the folder changed and checks against the files.
    $hand = (Get-Content -Raw "$dir/site3.bench.example.yml").Replace('site3.bench.example', "hand-$stamp.bench.example").Replace('site3benchexample', "hand$($stamp % 1000000000)")
    [IO.File]::WriteAllText("$dir/hand-$stamp.bench.example.yml", $hand)
    Line 'New-AegirSite after a record written by hand, new session' (Fresh "`$null = New-AegirSite afterhand-$stamp.bench.example -Platform wp -NoInstall")
}
finally {
    if (-not $Keep) { Remove-Item -Recurse -Force $env:AEGIR_HOME -ErrorAction SilentlyContinue }
}
