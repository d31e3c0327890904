<#
.SYNOPSIS
    Task records at scale: the newest 50 and one target's tasks among -Tasks records (default 1,000,000) spread over
    three years of months, as years of use leave them. Goals: newest 50 under 200 ms and Get-AegirTask -Target under
    100 ms, each the first command of a new session.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Tasks = 1000000, [int] $Targets = [math]::Max(1, [int]($Tasks / 10)),
    # Only writes the store there and keeps it (to look into it); no figures.
    [string] $GenerateOnly)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

$env:AEGIR_HOME = if ($GenerateOnly) { $GenerateOnly } else { Join-Path ([IO.Path]::GetTempPath()) "aegir-bench-$PID" }
try {
    $null = New-AegirServer -Name master -HttpServiceType nginx -DbServiceType mysql
    $null = New-AegirPlatform -Name wp -Root '/var/aegir/platforms/wp' -NoVerify 3>$null
    # Running a task through the cmdlets for each record would take days; the records are written as the store
    # writes them (tasks/yyyy/mm/<id>.<type>.<target>.json, from a real record), and one is read back below.
    $null = Lock-AegirPlatform wp
    $real = Get-AegirTask -Target platform_wp -First 1
    $tasksDir = Join-Path $env:AEGIR_HOME 'tasks'
    $realPath = Get-ChildItem $tasksDir -Recurse -Filter "$($real.Id).*.json" | Select-Object -First 1
    if ($realPath.Name -ne "$($real.Id).lock.platform_wp.json") { throw "the store names its records otherwise now: $($realPath.Name)" }
    $template = [IO.File]::ReadAllText($realPath.FullName)
    $stamp = $real.Created.UtcDateTime.ToString('yyyy-MM-ddTHH:mm:ss')

    Add-Type -TypeDefinition @'
using System;
using System.IO;
using System.Threading.Tasks;
public static class TaskRecordWriter
{
    // Records i = 0..count-1, oldest first, evenly over the span ending a minute ago; target i % targets, types in turn.
    public static void Write(string tasks, string template, string id, string stamp, int count, int targets, TimeSpan span)
    {
        var types = new[] { "verify", "backup", "lock", "unlock", "cron" };
        var end = DateTime.UtcNow.AddMinutes(-1);
        var step = span.Ticks / count;
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            var at = end.AddTicks(-(long)(count - i) * step);
            var newId = at.ToString("yyyyMMdd-HHmmssfff") + "-" + (i % 65536).ToString("x4");
            var type = types[i % types.Length];
            var target = "site" + (i % targets) + ".bench.example";
            var text = template.Replace(id, newId).Replace("\"type\": \"lock\"", "\"type\": \"" + type + "\"")
                .Replace("platform_wp", target).Replace(stamp, at.ToString("yyyy-MM-ddTHH:mm:ss"));
            var dir = Path.Combine(tasks, newId.Substring(0, 4), newId.Substring(4, 2));
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, newId + "." + type + "." + target + ".json"), text);
        });
    }
}
'@
    $gen = Measure-Command { [TaskRecordWriter]::Write($tasksDir, $template, $real.Id, $stamp, $Tasks, $Targets, [TimeSpan]::FromDays(3 * 365)) }
    $probe = "site$($Targets - 1).bench.example"
    $back = @(Get-AegirTask -Target $probe -First 1)
    if ($back.Count -ne 1 -or $back[0].Target -ne $probe -or $back[0].Status -ne 'Succeeded' -or $back[0].Log.Count -ne $real.Log.Count) { throw 'generated records do not read back' }
    $perTarget = [math]::Ceiling($Tasks / $Targets)
    if ($GenerateOnly) { 'generated {0:N0} records in {1:N1} s' -f $Tasks, $gen.TotalSeconds; return }

    $exe = [Environment]::ProcessPath
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    # A fresh pwsh whose first command is the one measured (the module imported first, as a profile would): its wall
    # time, and the CPU time the process spent in it (which a machine busy with other work does not stretch).
    function Measure-Fresh([string] $Command, [int] $Expect) {
        $out = & $exe @prefix -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; `$env:AEGIR_HOME = '$env:AEGIR_HOME'; `$p = [Diagnostics.Process]::GetCurrentProcess(); `$cpu = `$p.TotalProcessorTime; `$ms = (Measure-Command { `$n = @($Command).Count; if (`$n -lt $Expect) { throw `"listed `$n, expected $Expect`" } }).TotalMilliseconds; `$p.Refresh(); '{0} {1}' -f `$ms, (`$p.TotalProcessorTime - `$cpu).TotalMilliseconds"
        $wall, $cpu = "$out".Split(' ')
        [pscustomobject]@{ Wall = [double]$wall; Cpu = [double]$cpu }
    }
    function Median($xs) { $sorted = @($xs | Sort-Object Wall); $sorted[[int][math]::Floor($sorted.Count / 2)] }
    function Goal($m, [double] $goal) { '{0,7:N0} ms, {1,5:N0} ms CPU   (goal < {2} ms: {3})' -f $m.Wall, $m.Cpu, $goal, $(if ($m.Wall -lt $goal) { 'met' } else { 'MISSED' }) }
    function Plain($m) { '{0,7:N0} ms, {1,5:N0} ms CPU' -f $m.Wall, $m.Cpu }

    $firstNewest = Measure-Fresh 'Get-AegirTask -First 50' 50
    $newest = Median (1..3 | ForEach-Object { Measure-Fresh 'Get-AegirTask -First 50' 50 })
    $firstTarget = Measure-Fresh "Get-AegirTask -Target site7.bench.example" ($perTarget - 1)
    $target = Median (1..3 | ForEach-Object { Measure-Fresh "Get-AegirTask -Target site$(11 * $_).bench.example" ($perTarget - 1) })
    $typed = Median (1..3 | ForEach-Object { Measure-Fresh 'Get-AegirTask -Type backup -First 50' 50 })

    'task records:                    {0,9:N0} over 3 years ({1:N0} targets, {2:N0} each); {3} cores, load average {4}' -f ($Tasks + 1), $Targets, $perTarget, [Environment]::ProcessorCount, ((Get-Content /proc/loadavg) -split ' ')[0]
    'generating them:                 {0,9:N1} s' -f $gen.TotalSeconds
    'newest 50, first read ever:      {0}' -f (Plain $firstNewest)
    'newest 50, new session (median of 3):        {0}' -f (Goal $newest 200)
    'one target''s tasks, first read ever (writes the month indexes): {0}' -f (Plain $firstTarget)
    'one target''s tasks, new session (median of 3): {0}' -f (Goal $target 100)
    'newest 50 of one type, new session (median of 3): {0}' -f (Plain $typed)
    if (Get-Command Remove-AegirTask -ErrorAction Ignore) {
        $cut = Measure-Command { $null = Remove-AegirTask -OlderThan (New-TimeSpan -Days 1000) -Confirm:$false }
        $left = (Get-ChildItem $tasksDir -Recurse -Filter *.json).Count
        'Remove-AegirTask -OlderThan 1000 days: {0,7:N1} s ({1:N0} records left)' -f $cut.TotalSeconds, $left
        $after = Median (1..3 | ForEach-Object { Measure-Fresh "Get-AegirTask -Target site$(13 * $_).bench.example" 1 })
        'one target''s tasks after it, new session (median of 3): {0}' -f (Goal $after 100)
    }
}
finally {
    if (-not $GenerateOnly) { Remove-Item -Recurse -Force $env:AEGIR_HOME -ErrorAction SilentlyContinue }
}
