<#
.SYNOPSIS
    Import cost: the start of a pwsh that imports Aegir, over a bare pwsh start. Goal: under 150 ms extra.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Runs = 21)
$ErrorActionPreference = 'Stop'

$exe = [Environment]::ProcessPath
$prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })

function Measure-Start([string] $command) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    & $exe @prefix -NoProfile -NonInteractive -Command $command | Out-Null
    if ($LASTEXITCODE) { throw "pwsh exited with $LASTEXITCODE" }
    $sw.Elapsed.TotalMilliseconds
}
function Get-Median([double[]] $values) { ($values | Sort-Object)[[int][math]::Floor($values.Count / 2)] }

$importing = "Import-Module '$ModulePath'; exit 0"
$null = Measure-Start 'exit 0'; $null = Measure-Start $importing    # warm the file cache
# Alternate the two kinds of start so drift in the machine's load falls on both alike.
$pairs = foreach ($i in 1..$Runs) { [pscustomobject]@{ Bare = Measure-Start 'exit 0'; With = Measure-Start $importing } }
$bare = Get-Median $pairs.Bare
$with = Get-Median $pairs.With
$inProcess = & $exe @prefix -NoProfile -NonInteractive -Command "(Measure-Command { Import-Module '$ModulePath' }).TotalMilliseconds"
$extra = $with - $bare
'bare pwsh start (median of {0}):   {1,7:N0} ms' -f $Runs, $bare
'pwsh start + Import-Module Aegir: {0,7:N0} ms' -f $with
'import cost, extra:               {0,7:N0} ms   (goal < 150 ms: {1})' -f $extra, $(if ($extra -lt 150) { 'met' } else { 'MISSED' })
'Import-Module measured inside pwsh: {0,5:N0} ms' -f [double]$inProcess
