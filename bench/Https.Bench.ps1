<#
.SYNOPSIS
    Time to install 20 PHP sites with -Https Required in one pipeline, each ending with a certificate its ACME directory
    issued (a private Pebble on 127.0.0.1, HTTP-01 at the local web server), against the same work done by hand in the
    same run: the plain sites' SQL, accounts, folders and pools, then per site a key and CSR (openssl) and a certificate
    from lego against the same Pebble, the HTTPS vhosts, and the web server's config tested and reloaded twice
    (before the challenges, so the names answer them, and after). Goal: within 2x of the
    hand-made figure.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Sites = 20)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
if ((id -u) -ne '0') { 'https bench skipped: it starts private servers and needs root'; return }
$env:AEGIR_TEST_MODULE = $ModulePath
. $PSScriptRoot/../tests/Integration/IntegrationHelpers.ps1
. $PSScriptRoot/../tests/Integration/Pebble.ps1
. $PSScriptRoot/lib/HandSites.ps1

$work = Join-Path ([IO.Path]::GetTempPath()) "aegir-bench-https-$PID"
$null = New-Item -ItemType Directory $work
[IO.File]::SetUnixFileMode($work, 'UserRead, UserWrite, UserExecute, GroupExecute, OtherExecute')
$env:AEGIR_HOME = Join-Path $work 'home'
$lab = $null
try {
    Install-TestPackage lego, openssl
    $server = Start-AegirLocalServer -HttpServiceType nginx
    $root = Join-Path $work 'platforms/php'
    $null = New-Item -ItemType Directory -Force $root
    Set-Content (Join-Path $root 'index.php') '<?php $db = new mysqli($_SERVER["db_host"], $_SERVER["db_user"], $_SERVER["db_passwd"], $_SERVER["db_name"], (int)$_SERVER["db_port"]); echo "ok ", $_SERVER["db_name"], " https=", $_SERVER["HTTPS"] ?? "off";'
    $null = New-AegirPlatform php $root

    $lab = Start-PebbleLab (Join-Path $work 'pebble')
    $port = $server.Http.GetInt('port'); $httpsPort = $server.Http.GetInt('https_port')
    $pebble = Start-Pebble $lab 'bench' $port
    # The web server trusts the CA of Pebble's API and the root Pebble issues under; curl trusts Pebble's root alone.
    $roots = Join-Path $lab.Dir 'roots.pem'
    Set-Content $roots ((Get-Content -Raw $lab.Api.Root), (Get-Content -Raw $pebble.Root) -join "`n")
    Set-AegirServer $server.Name -AcmeDirectory $pebble.Directory -AcmeEmail 'ops@bench.test' -AcmeRootCertificate $roots

    $uris = 1..$Sites | ForEach-Object { "site$_.bench.test" }
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $made = $uris | New-AegirSite -Platform php -Https Required   # one reload serves them all, then each asks Pebble
    $seconds = $clock.Elapsed.TotalSeconds
    if (@($made | Where-Object Status -EQ 'Installed').Count -ne $Sites) { throw 'not every site installed' }
    $issued = @($uris | Where-Object { (Get-AegirCertificate $_) | Where-Object { -not $_.SelfSigned -and $_.Issuer -match 'Pebble' } }).Count

    # The same end state by hand: the plain sites' work, their names served over HTTP for the challenges (a test and a
    # reload), a key, CSR and certificate from lego per site, the HTTPS vhosts naming them, one more test and reload.
    $plan = New-HandSitePlan $server $Sites $root 'site1.bench.test'
    $webroot = $server.Http.Get('acme_webroot')
    $certs = Join-Path $work 'hand-certs'
    $env:LEGO_CA_CERTIFICATES = $roots
    $tls = { param($uri) curl -sS --max-time 20 --cacert $pebble.Root --resolve "${uri}:${httpsPort}:127.0.0.1" -w '|%{http_code}' "https://${uri}:$httpsPort/" 2>&1 }
    function Wait-Answer([scriptblock] $Test) {
        foreach ($i in 1..600) { if (& $Test) { return }; Start-Sleep -Milliseconds 50 }
        throw "the web server did not take its new config within 30 s"
    }
    $clock = [Diagnostics.Stopwatch]::StartNew()
    Invoke-HandSitePlan $server $plan
    # Pebble asks each name over HTTP: the names answer the challenge folder first (the module's placeholders do).
    $listen = [regex]::Match($plan.Sites[0].Text, '(?m)^\s*listen ([^;]+);').Groups[1].Value
    $challenges = Join-Path (Split-Path $plan.Sites[0].Path) 'hand-challenges.conf'
    [IO.File]::WriteAllText($challenges, "server {`n    listen $listen;`n    server_name $($plan.Sites.Uri -join ' ');`n    location ^~ /.well-known/acme-challenge/ { root $webroot; default_type text/plain; try_files `$uri =404; }`n}`n")
    Invoke-HandReload $server
    # A reload returns before the web server's workers take the new config: wait till the last name serves the folder.
    $probe = Join-Path $webroot '.well-known/acme-challenge/hand-probe'
    $null = New-Item -ItemType Directory -Force (Split-Path $probe); Set-Content $probe 'probe'
    Wait-Answer { (curl -s -H "Host: $($plan.Sites[-1].Uri)" "http://127.0.0.1:$port/.well-known/acme-challenge/hand-probe") -eq 'probe' }
    Remove-Item $probe
    $null = New-Item -ItemType Directory $certs
    foreach ($v in $plan.Sites) {
        $key = Join-Path $certs "$($v.Uri).key"; $csr = Join-Path $certs "$($v.Uri).csr"
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout $key -out $csr -subj "/CN=$($v.Uri)" -addext "subjectAltName=DNS:$($v.Uri)" 2>$null
        if ($LASTEXITCODE) { throw "openssl made no CSR for $($v.Uri)" }
        $said = lego --server $pebble.Directory --email 'ops@bench.test' --accept-tos --path (Join-Path $certs 'lego') --csr $csr --http --http.webroot $webroot run 2>&1
        if ($LASTEXITCODE) { throw "lego got no certificate for $($v.Uri): $said" }
        $chain = Join-Path $certs "lego/certificates/$($v.Uri).crt"
        $text = $v.Text -replace '(?m)^(\s*ssl_certificate) \S+;', "`$1 $chain;" -replace '(?m)^(\s*ssl_certificate_key) \S+;', "`$1 $key;"
        [IO.File]::WriteAllText($v.Path, $text)
    }
    Remove-Item $challenges
    Invoke-HandReload $server
    Wait-Answer { $null = & $tls $plan.Sites[-1].Uri; -not $LASTEXITCODE }
    $byHand = $clock.Elapsed.TotalSeconds

    # A few of each answer over HTTPS, verified with Pebble's root alone: the module's with their page, the hand-made
    # ones with the certificate (their pools keep the model site's database password, so PHP answers with an error).
    $checked = foreach ($uri in @($uris[0], $uris[$Sites / 2], $uris[-1]) | Select-Object -Unique) {
        $body = & $tls $uri
        if ("$body" -notlike 'ok * https=on|200') { throw "$uri does not answer over HTTPS with Pebble's certificate: $body" }
        $uri
    }
    $checked += foreach ($uri in $plan.Sites[0].Uri, $plan.Sites[-1].Uri) {
        $body = & $tls $uri
        if ($LASTEXITCODE) { throw "$uri does not answer over HTTPS with Pebble's certificate: $body" }
        $uri
    }
    $reloads = @('install', 'certificate' | ForEach-Object { Get-AegirTask -Type $_ } | ForEach-Object Log | Where-Object Message -Like 'Reloaded:*').Count + @(Get-AegirTask -Type reload).Count
    'sites installed with HTTPS:     {0,7}' -f $Sites
    'certificates issued by Pebble:  {0,7}' -f $issued
    'total:                          {0,7:N2} s' -f $seconds
    'per site:                       {0,7:N0} ms' -f ($seconds * 1000 / $Sites)
    'the same by hand:               {0,7:N2} s   (the plain sites'' work, openssl and lego per site, two config tests and reloads)' -f $byHand
    'ratio to by hand:               {0,7:N1} x   (goal <= 2x: {1})' -f ($seconds / $byHand), $(if ($seconds / $byHand -le 2) { 'met' } else { 'MISSED' })
    'web server reloads:             {0,7}' -f $reloads
    'answering over HTTPS (checked): {0,7}   ({1})' -f @($checked).Count, ($checked -join ', ')
    if ($issued -ne $Sites) { throw "only $issued of $Sites sites hold a certificate Pebble issued" }
}
finally {
    Stop-PebbleLab $lab
    Stop-AegirLocalServer -RemoveData -Confirm:$false
    Remove-HandAccounts $Sites
    Remove-Item -Recurse -Force $work
}
