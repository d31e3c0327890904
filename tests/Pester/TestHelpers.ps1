# Dot-sourced by every suite: the built module, and a fresh AEGIR_HOME per test.
Import-Module $env:AEGIR_TEST_MODULE -Force

function Reset-AegirHome {
    $env:AEGIR_HOME = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    $env:AEGIR_HOME
}

function Get-ContextFiles {
    $dir = Join-Path $env:AEGIR_HOME 'contexts'
    if (Test-Path $dir) { @(Get-ChildItem $dir -Filter '*.yml' | ForEach-Object Name | Sort-Object) } else { @() }
}

function Get-ContextSnapshot {
    $dir = Join-Path $env:AEGIR_HOME 'contexts'
    if (-not (Test-Path $dir)) { return '' }
    (Get-ChildItem $dir -Filter '*.yml' | Sort-Object Name | ForEach-Object { $_.Name + "`n" + (Get-Content -Raw $_.FullName) }) -join "`n--`n"
}

function New-TestMaster {
    [CmdletBinding()] param()
    $cred = [pscredential]::new('root', (ConvertTo-SecureString 'Pester-Admin-Secret' -AsPlainText -Force))
    New-AegirServer -Name master -HttpServiceType nginx -DbServiceType mysql -DbAdminCredential $cred
}

function New-TestPlatform([string] $Name = 'wp') {
    New-AegirPlatform -Name $Name -Root "/var/aegir/platforms/$Name" -NoVerify 3>$null
}

# Runs a script in a fresh pwsh with the module and this AEGIR_HOME; its output lines (host output included, so "What if:" lines).
function Invoke-AegirChild([string] $Script) {
    $exe = [Environment]::ProcessPath
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    & $exe @prefix -NoProfile -NonInteractive -Command "Import-Module '$env:AEGIR_TEST_MODULE'; $Script" 2>&1 | ForEach-Object { "$_" }
}
