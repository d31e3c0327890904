@{
    RootModule           = 'Aegir.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = 'b047d84e-9367-4735-994b-1df33e1356e2'
    Author               = 'Aegir for PowerShell contributors'
    CompanyName          = 'Aegir for PowerShell'
    Copyright            = 'GPL-2.0-or-later'
    Description          = 'Hosting control for PHP sites (Drupal, WordPress, any PHP application) on one or many Linux servers: servers, platforms, sites and clients as named contexts, every change a task with a log.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('Aegir.Format.ps1xml')
    TypesToProcess       = @('Aegir.Types.ps1xml')
    CmdletsToExport      = @(
        'Get-AegirClient', 'Grant-AegirClientAccess', 'New-AegirClient', 'Remove-AegirClient', 'Revoke-AegirClientAccess', 'Set-AegirClient',
        'Get-AegirPackage', 'Get-AegirPlatform', 'Lock-AegirPlatform', 'New-AegirPlatform', 'Remove-AegirPlatform', 'Set-AegirPlatform', 'Unlock-AegirPlatform',
        'Get-AegirServer', 'New-AegirServer', 'Remove-AegirServer', 'Set-AegirServer', 'Start-AegirLocalServer', 'Stop-AegirLocalServer',
        'Disable-AegirSite', 'Enable-AegirSite', 'Get-AegirSite', 'Get-AegirSiteCredential', 'Install-AegirSite', 'Invoke-AegirSiteCommand', 'New-AegirSite', 'Remove-AegirSite', 'Set-AegirSite',
        'Get-AegirTask', 'Remove-AegirTask', 'Get-AegirTaskRetention', 'Set-AegirTaskRetention', 'Invoke-AegirVerify', 'Invoke-AegirQueue', 'Get-AegirQueue', 'Set-AegirQueue', 'Start-AegirWorker', 'Get-AegirWorker', 'Get-AegirSiteStatistic', 'Get-AegirCertificate', 'Update-AegirCertificate', 'Wait-AegirTask', 'Stop-AegirTask', 'Restart-AegirTask',
        'Backup-AegirSite', 'Get-AegirBackup', 'Remove-AegirBackup', 'Restore-AegirSite', 'Move-AegirSite',
        'Rename-AegirSite', 'Copy-AegirSite', 'Import-AegirSite',
        'Test-AegirServer', 'Test-AegirPlatform', 'Test-AegirSite',
        'Import-AegirContext'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Aegir', 'Hosting', 'Drupal', 'WordPress', 'PHP', 'nginx', 'Apache', 'MariaDB', 'Linux')
            LicenseUri = 'https://www.gnu.org/licenses/old-licenses/gpl-2.0.html'
            ProjectUri = 'https://github.com/aegir-project/aegir-powershell'
        }
    }
}
