<#
.SYNOPSIS
    Hosts a real WordPress site end to end on private nginx, PHP-FPM and MariaDB instances, shows the
    objects, the task log and the page, then removes everything it made.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath

function Step([string] $text) { Write-Host "`n== $text" -ForegroundColor Cyan }
function Get-Page([int] $port, [string] $hostName) {
    $handler = [System.Net.Http.HttpClientHandler]@{ AllowAutoRedirect = $false }
    $client = [System.Net.Http.HttpClient]::new($handler)
    try {
        $request = [System.Net.Http.HttpRequestMessage]::new('GET', "http://127.0.0.1:$port/")
        $request.Headers.Host = "${hostName}:$port"
        $response = $client.Send($request)
        $body = $response.Content.ReadAsStringAsync().Result
        $title = if ($body -match '<title>([^<]*)</title>') { $Matches[1] } else { '' }
        "HTTP $([int]$response.StatusCode) from http://${hostName}:$port/  title: '$title'"
    }
    finally { $client.Dispose() }
}

$work = Join-Path ([IO.Path]::GetTempPath()) "aegir-demo-$PID"
$null = New-Item -ItemType Directory $work
[IO.File]::SetUnixFileMode($work, 'UserRead, UserWrite, UserExecute, GroupExecute, OtherExecute')
$env:AEGIR_HOME = Join-Path $work 'home'
try {
    Step "Start-AegirLocalServer: private nginx, PHP-FPM and MariaDB on 127.0.0.1 (apt-get installs what is missing)"
    $server = Start-AegirLocalServer
    $server | Out-Host
    $port = $server.Http.GetInt('port')

    Step 'New-AegirPlatform: a WordPress codebase (a copy of Debian''s wordpress package), recorded and verified in one task'
    [Aegir.Core.Machine.Packages]::Ensure([string[]]@('wordpress'), [Action[string]] { param($m) Write-Host $m })
    $root = Join-Path $work 'platforms/wordpress'
    $null = New-Item -ItemType Directory -Force (Split-Path $root)
    cp -rL /usr/share/wordpress $root
    New-AegirPlatform wordpress $root | Out-Host

    Step 'New-AegirSite -Plan: every change it will make, computed without making any'
    New-AegirSite demo.aegir.test -Platform wordpress -Alias www.demo.aegir.test -Redirection demo.aegir.test -Plan | Format-Table -Wrap | Out-Host

    Step 'New-AegirSite: database, user, folders, WordPress installer, vhost'
    $install = New-AegirSite demo.aegir.test -Platform wordpress -Title 'Hosted by Aegir for PowerShell' -Alias www.demo.aegir.test -Redirection demo.aegir.test
    $install | Out-Host
    "The admin password came back once, as a SecureString of $($install.AdminPassword.Length) characters; it is stored nowhere."
    Get-AegirSite | Out-Host

    Step 'The install task, its log and its journal: each change was written down with its undo before it was made'
    $task = Get-AegirTask -Target demo.aegir.test -First 1
    $task | Out-Host
    $task.Log | Where-Object Level -NE Debug | Format-Table -AutoSize -Wrap | Out-Host
    $task.Journal | Format-Table -Wrap | Out-Host

    Step 'The site over HTTP'
    Get-Page $port demo.aegir.test
    Get-Page $port www.demo.aegir.test
    $db = (Get-AegirSite demo.aegir.test).DbName
    $account = (Get-AegirSite demo.aegir.test).UnixUser
    "Its database is '$db'; its own PHP-FPM pool hands PHP the credentials, and no file of the platform holds the password."
    "Its PHP, installer and commands run as its own UNIX account, $account, in a pool of its own:"
    Invoke-AegirSiteCommand demo.aegir.test -- id | Out-Host
    Get-Process | Where-Object ProcessName -Like 'php-fpm*' | ForEach-Object { "  php-fpm process $($_.Id): $(stat -c '%U' "/proc/$($_.Id)")" } | Sort-Object -Unique | Out-Host

    Step 'Disable-AegirSite, then Enable-AegirSite'
    $null = Disable-AegirSite demo.aegir.test
    Get-Page $port demo.aegir.test
    $null = Enable-AegirSite demo.aegir.test
    Get-Page $port demo.aegir.test

    Step 'Get-AegirPackage: what the platform holds, and what the site has enabled'
    Get-AegirSite demo.aegir.test | Get-AegirPackage | Format-Table Name, Type, Version, Enabled -AutoSize | Out-Host

    Step 'Remove-AegirSite: vhost, folder and record first; the database last, past the point of no return'
    $removal = Remove-AegirSite demo.aegir.test -Force
    $removal | Format-Table Id, Type, Target, Status | Out-Host
    $removal.Journal | Format-Table -Wrap | Out-Host
    Get-Page $port demo.aegir.test
}
finally {
    Step 'Cleaning up: stopping the local instances and deleting everything the demo made'
    Stop-AegirLocalServer -RemoveData -Confirm:$false
    Remove-Item -Recurse -Force $work
}
