# Private ACME CAs on 127.0.0.1 for the ACME suite and the HTTPS bench: Debian's pebble, with pebble-challtestsrv as
# the DNS that answers every name with 127.0.0.1, so each Pebble validates HTTP-01 at a local web server's port.
# Dot-sourced after IntegrationHelpers.ps1 (New-TestCertificate, Install-TestPackage).

# The lab: a folder, the certificate of the Pebbles' API (a CA of the caller's own: Debian's pebble ships none), the
# DNS server, and what it started. Stop-PebbleLab ends them.
function Start-PebbleLab([string] $Dir) {
    Install-TestPackage pebble
    $lab = [pscustomobject]@{
        Dir = $Dir; Api = $null; DnsPort = 0
        PortsGiven = [System.Collections.Generic.HashSet[int]]::new()
        Processes = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()
    }
    $lab.Api = New-TestCertificate -Names localhost -Addresses ([System.Net.IPAddress]::Loopback) -Dir $Dir
    $lab.DnsPort = Get-FreePort $lab
    $lab.Processes.Add((Start-Process pebble-challtestsrv -PassThru -RedirectStandardOutput "$Dir/challtestsrv.log" -RedirectStandardError "$Dir/challtestsrv.err" `
                -ArgumentList '-defaultIPv6=', '-dns01', "127.0.0.1:$($lab.DnsPort)", '-http01', "127.0.0.1:$(Get-FreePort $lab)", '-https01', "127.0.0.1:$(Get-FreePort $lab)", '-tlsalpn01', "127.0.0.1:$(Get-FreePort $lab)", '-management', "127.0.0.1:$(Get-FreePort $lab)"))
    $lab
}

# A port free now and not handed out before in this lab: the kernel may offer a port it just gave back, and the
# Pebbles and challtestsrv each bind several of them after the picking.
function Get-FreePort($Lab) {
    do {
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $l.Start(); $p = $l.LocalEndpoint.Port; $l.Stop()
    } until ($Lab.PortsGiven.Add($p))
    $p
}

# A Pebble that validates HTTP-01 at $HttpPort, certificates valid for 10 days; returns its directory and root.
function Start-Pebble($Lab, [string] $Name, [int] $HttpPort) {
    $listen = Get-FreePort $Lab; $manage = Get-FreePort $Lab; $pki = $Lab.Dir
    @{ pebble = @{
            listenAddress = "127.0.0.1:$listen"; managementListenAddress = "127.0.0.1:$manage"
            certificate = $Lab.Api.Chain; privateKey = $Lab.Api.Key; httpPort = $HttpPort; tlsPort = Get-FreePort $Lab
            ocspResponderURL = ''; externalAccountBindingRequired = $false; certificateValidityPeriod = 864000
        } } | ConvertTo-Json -Depth 4 | Set-Content "$pki/$Name.json"
    $env:PEBBLE_VA_NOSLEEP = '1'; $env:PEBBLE_WFE_NONCEREJECT = '0'
    $Lab.Processes.Add((Start-Process pebble -PassThru -RedirectStandardOutput "$pki/$Name.log" -RedirectStandardError "$pki/$Name.err" `
                -ArgumentList '-config', "$pki/$Name.json", '-dnsserver', "127.0.0.1:$($Lab.DnsPort)"))
    $root = $null
    foreach ($i in 1..100) {
        $root = & curl -sS --cacert $Lab.Api.Root "https://127.0.0.1:$manage/roots/0" 2>$null
        if ($LASTEXITCODE -eq 0 -and "$root" -match 'BEGIN CERTIFICATE') { break }
        Start-Sleep -Milliseconds 100
    }
    if ("$root" -notmatch 'BEGIN CERTIFICATE') { throw "Pebble $Name serves no root: $(Get-Content -Raw "$pki/$Name.err" -ErrorAction Ignore)" }
    Set-Content "$pki/$Name-root.pem" ($root -join "`n")
    [pscustomobject]@{ Directory = "https://127.0.0.1:$listen/dir"; Root = "$pki/$Name-root.pem" }
}

function Stop-PebbleLab($Lab) {
    if (-not $Lab) { return }
    foreach ($p in $Lab.Processes) { if (-not $p.HasExited) { Stop-Process -Id $p.Id -Force -ErrorAction Ignore } }
}
