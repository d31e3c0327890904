<#
.SYNOPSIS
    The certificate renewal round (Invoke-AegirQueue -Queue Certificate) over 1,000 installed HTTPS sites whose
    certificates a CA issued and none of which is due: a read of the store's records, no task, no CA asked. Goal: under
    1 s, in a new session (a timer's run) and in a warm one (the continuous worker).
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Sites = 1000, [int] $Runs = 5)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

$env:AEGIR_HOME = Join-Path ([IO.Path]::GetTempPath()) "aegir-bench-renewal-$PID"
try {
    $null = New-AegirServer -Name master -HttpServiceType nginx -DbServiceType mysql
    $null = New-AegirPlatform -Name php -Root /var/aegir/platforms/php -NoVerify 3>$null
    $null = Set-AegirServer master -AcmeEmail 'ops@bench.example'
    # Site records written as New-AegirSite writes them, marked installed (installing 1,000 would take an hour).
    $dir = Join-Path $env:AEGIR_HOME 'contexts'
    $template = (Get-Content -Raw (New-AegirSite site0.bench.example -NoInstall -Platform php -Https Required).Path).Replace('status: NotInstalled', 'status: Installed')
    foreach ($i in 0..($Sites - 1)) { [IO.File]::WriteAllText((Join-Path $dir "site$i.bench.example.yml"), $template.Replace('site0.bench.example', "site$i.bench.example")) }

    # One test CA signs each site a certificate with 60 days left (due at 30), stored through the store's own API.
    $now = [DateTimeOffset]::UtcNow
    $curve = [System.Security.Cryptography.ECCurve+NamedCurves]::nistP256
    $caKey = [System.Security.Cryptography.ECDsa]::Create($curve)
    $caRequest = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=Aegir Bench CA', $caKey, 'SHA256')
    $caRequest.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($true, $false, 0, $true))
    $ca = $caRequest.CreateSelfSigned($now.AddDays(-31), $now.AddYears(1))
    $key = [System.Security.Cryptography.ECDsa]::Create($curve)
    $keyPem = $key.ExportPkcs8PrivateKeyPem()
    $store = [Aegir.Core.Services.Certificates.CertificateStore]::new($env:AEGIR_HOME)
    foreach ($i in 0..($Sites - 1)) {
        $uri = "site$i.bench.example"
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new("CN=$uri", $key, 'SHA256')
        $san = [System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder]::new()
        $san.AddDnsName($uri)
        $request.CertificateExtensions.Add($san.Build())
        $leaf = $request.Create($ca, $now.AddDays(-30), $now.AddDays(60), [BitConverter]::GetBytes([long]$i + 1))
        $null = $store.Save($uri, 'LetsEncrypt', $leaf.ExportCertificatePem() + "`n" + $ca.ExportCertificatePem(), $keyPem)
    }
    $certs = @(Get-AegirCertificate | Where-Object { $_.Source -eq 'LetsEncrypt' -and -not $_.SelfSigned -and $_.DaysLeft -gt 30 })
    if ($certs.Count -ne $Sites) { throw "$($certs.Count) CA-issued certificates not due, expected $Sites" }
    $stamp = { (Get-ChildItem -Recurse -File (Join-Path $env:AEGIR_HOME 'certificates') | ForEach-Object { "$($_.FullName) $($_.LastWriteTimeUtc.Ticks)" }) -join "`n" }
    $before = & $stamp

    # A new session (a timer's run): a fresh pwsh whose first command is the round.
    $exe = [Environment]::ProcessPath
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    # Wall time, and the process's CPU time over the round: on a loaded machine the wall time is mostly waiting for a core.
    $round = '$p = [Diagnostics.Process]::GetCurrentProcess(); $cpu = $p.TotalProcessorTime; $sw = [Diagnostics.Stopwatch]::StartNew(); $t = @(Invoke-AegirQueue -Queue Certificate); if ($t.Count) { throw ''the round ran a task'' }; $p.Refresh(); ''{0} {1}'' -f $sw.Elapsed.TotalMilliseconds, ($p.TotalProcessorTime - $cpu).TotalMilliseconds'
    $fresh = { [double[]]((& $exe @prefix -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; `$env:AEGIR_HOME = '$env:AEGIR_HOME'; $round") -split ' ') }
    $firstEver = & $fresh   # no site's parsed record cached yet
    $newSessions = foreach ($i in 1..3) { , (& $fresh) }
    $warm = foreach ($i in 1..$Runs) { , [double[]]((Invoke-Expression $round) -split ' ') }
    if (@(Get-AegirTask -Type certificate).Count) { throw 'the round made a certificate task' }
    # The round did look at every certificate: its schedule finds none due, the next one due 30 days before it ends.
    $schedule = [Aegir.Core.Schedules.SiteSchedules]::new([Aegir.Core.Operations.Engine]::new([Aegir.Core.Contexts.ContextStore]::new($env:AEGIR_HOME)), 'Certificate')
    if ($schedule.Due([DateTimeOffset]::UtcNow).Count -or [math]::Abs(($schedule.NextDue - $now.AddDays(30)).TotalHours) -gt 1) { throw "the schedule does not see the certificates: next due $($schedule.NextDue)" }
    if ((& $stamp) -ne $before) { throw 'the round changed the certificate store' }

    $median = { param($runs, $i) ($runs | ForEach-Object { $_[$i] } | Sort-Object)[[int][math]::Floor(@($runs).Count / 2)] }
    $sessionWall = & $median $newSessions 0; $warmWall = & $median $warm 0
    'sites with CA certificates, none due:           {0,7:N0}' -f $Sites
    'round in the first new session (parses all):    {0,7:N0} ms, CPU {1:N0} ms' -f $firstEver[0], $firstEver[1]
    'round in a new session (median of 3):           {0,7:N0} ms, CPU {1:N0} ms   (goal < 1000 ms: {2})' -f $sessionWall, (& $median $newSessions 1), $(if ($sessionWall -lt 1000) { 'met' } else { 'MISSED' })
    'round in a warm session (median of {0}):          {1,7:N0} ms, CPU {2:N0} ms   (goal < 1000 ms: {3})' -f $Runs, $warmWall, (& $median $warm 1), $(if ($warmWall -lt 1000) { 'met' } else { 'MISSED' })
    'tasks run, store files changed:                 {0,7}   (next renewal due {1:yyyy-MM-dd})' -f 0, $schedule.NextDue
}
finally {
    Remove-Item -Recurse -Force $env:AEGIR_HOME -ErrorAction SilentlyContinue
}
