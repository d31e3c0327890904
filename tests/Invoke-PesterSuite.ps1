<#
.SYNOPSIS
    Runs the Pester suites against a built module and writes the counts as JSON for build.ps1.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [string[]] $Path = @((Join-Path $PSScriptRoot 'Pester'), (Join-Path $PSScriptRoot 'Integration'))
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
$env:AEGIR_TEST_MODULE = (Resolve-Path $ModulePath).Path

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$result = Invoke-Pester -Configuration $config

[ordered]@{
    Passed       = $result.PassedCount
    Failed       = $result.FailedCount
    Skipped      = $result.SkippedCount + $result.NotRunCount
    FailedBlocks = $result.FailedBlocksCount + $result.FailedContainersCount
} | ConvertTo-Json | Set-Content -Path $ResultPath
exit ([int]($result.Result -ne 'Passed'))
