<#
.SYNOPSIS
    Get-AegirSite over 10,000 site contexts. Goals: under 1 s, and within 20x of reading the same files with cat.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Sites = 10000, [int] $Runs = 5)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

$env:AEGIR_HOME = Join-Path ([IO.Path]::GetTempPath()) "aegir-bench-$PID"
try {
    $null = New-AegirServer -Name master -HttpServiceType nginx -DbServiceType mysql
    foreach ($p in 'wp', 'd10') { $null = New-AegirPlatform -Name $p -Root "/var/aegir/platforms/$p" -NoVerify 3>$null }
    $null = New-AegirClient acme
    # Generated through the same writer the cmdlets use would take minutes of validation; the files
    # are written as New-AegirSite writes them, and one is checked against a real one below.
    $dir = Join-Path $env:AEGIR_HOME 'contexts'
    $real = New-AegirSite site0.bench.example -NoInstall -Platform wp -Alias www.site0.bench.example -Client acme
    $template = Get-Content -Raw $real.Path
    foreach ($i in 1..($Sites - 1)) {
        $text = $template.Replace('site0.bench.example', "site$i.bench.example")
        if ($i % 2) { $text = $text.Replace('platform_wp', 'platform_d10') }
        [IO.File]::WriteAllText((Join-Path $dir "site$i.bench.example.yml"), $text)
    }
    if ((Get-AegirSite site1.bench.example).Aliases[0] -ne 'www.site1.bench.example') { throw 'generated contexts do not read back' }

    # Each new session: a fresh pwsh whose first command is the listing. The first of all parses every
    # file and writes the parse cache; later sessions read the files, hash them and reuse the trees.
    $exe = [Environment]::ProcessPath
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    $fresh = { [double](& $exe @prefix -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; `$env:AEGIR_HOME = '$env:AEGIR_HOME'; (Measure-Command { `$n = (Get-AegirSite | Measure-Object).Count; if (`$n -ne $Sites) { throw 'wrong count' } }).TotalMilliseconds") }
    $firstEver = & $fresh
    $newSessions = foreach ($i in 1..3) { & $fresh }

    $cat = foreach ($i in 1..$Runs) {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        bash -c "cat '$dir'/*.yml > /dev/null"
        $sw.Elapsed.TotalMilliseconds
    }
    $get = foreach ($i in 1..$Runs) {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $count = (Get-AegirSite | Measure-Object).Count
        $sw.Elapsed.TotalMilliseconds
        if ($count -ne $Sites) { throw "listed $count sites, expected $Sites" }
    }
    $filtered = Measure-Command { $null = Get-AegirSite -Platform d10 }
    $one = Measure-Command { $null = Get-AegirSite site5000.bench.example }
    $catMedian = ($cat | Sort-Object)[[int][math]::Floor($Runs / 2)]
    $getMedian = ($get | Sort-Object)[[int][math]::Floor($Runs / 2)]
    $ratio = $getMedian / $catMedian
    'sites:                          {0,7:N0}' -f $Sites
    'cat of the files (median):      {0,7:N0} ms' -f $catMedian
    $sessionMedian = ($newSessions | Sort-Object)[1]
    'first listing ever (new pwsh, parses all, writes cache): {0,7:N0} ms' -f $firstEver
    'first listing of a new session (median of 3):           {0,7:N0} ms   (goal < 1000 ms: {1})' -f $sessionMedian, $(if ($sessionMedian -lt 1000) { 'met' } else { 'MISSED' })
    'Get-AegirSite in a warm session (median of {0}):          {1,7:N0} ms   (goal < 1000 ms: {2})' -f $Runs, $getMedian, $(if ($getMedian -lt 1000) { 'met' } else { 'MISSED' })
    'ratio to cat, new session:      {0,7:N1} x   (goal <= 20x: {1})' -f ($sessionMedian / $catMedian), $(if ($sessionMedian / $catMedian -le 20) { 'met' } else { 'MISSED' })
    'ratio to cat, warm session:     {0,7:N1} x   (goal <= 20x: {1})' -f $ratio, $(if ($ratio -le 20) { 'met' } else { 'MISSED' })
    'Get-AegirSite -Platform d10:    {0,7:N0} ms' -f $filtered.TotalMilliseconds
    'Get-AegirSite <one uri>:        {0,7:N0} ms' -f $one.TotalMilliseconds
}
finally {
    Remove-Item -Recurse -Force $env:AEGIR_HOME -ErrorAction SilentlyContinue
}
