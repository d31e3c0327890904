<#
.SYNOPSIS
    A tour of the Aegir module against a throw-away AEGIR_HOME.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$env:AEGIR_HOME = Join-Path ([IO.Path]::GetTempPath()) "aegir-demo-$PID"
try {
    "AEGIR_HOME = $env:AEGIR_HOME"
    $cred = [pscredential]::new('root', (ConvertTo-SecureString 'demo-only' -AsPlainText -Force))
    New-AegirServer -Name master -HttpServiceType nginx -DbServiceType mysql -DbAdminCredential $cred | Out-Host
    New-AegirPlatform -Name wordpress -Root /var/aegir/platforms/wordpress | Out-Host
    New-AegirClient -Name acme -Email ops@acme.example | Out-Host
    New-AegirSite -Uri blog.example.com -Platform wordpress -Alias www.blog.example.com -Redirection blog.example.com -Client acme | Out-Null
    New-AegirSite -Uri 'bücher.example' -Platform wordpress | Out-Null
    Get-AegirSite | Out-Host
    '$site.Platform.WebServer:'
    (Get-AegirSite www.blog.example.com).Platform.WebServer | Out-Host
    "A second site may not take a name already used:"
    New-AegirSite -Uri shop.example.com -Platform wordpress -Alias www.blog.example.com -ErrorAction Continue 2>&1 | ForEach-Object { "  $_" }
    "The platform cannot go while sites use it:"
    Remove-AegirPlatform wordpress -Force -ErrorAction Continue 2>&1 | ForEach-Object { "  $_" }
    "The site's context file ($((Get-AegirSite blog.example.com).Path)):"
    Get-Content (Get-AegirSite blog.example.com).Path | ForEach-Object { "  $_" }
    "Site hosting (install, verify, vhosts, databases) is not part of this version yet."
}
finally {
    Remove-Item -Recurse -Force $env:AEGIR_HOME -ErrorAction SilentlyContinue
}
