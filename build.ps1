<#
.SYNOPSIS
    Builds, tests, benchmarks, packages and demonstrates the Aegir module.

.DESCRIPTION
    Each task is named. Tasks that need the module build it first.

      Build    Lays out an importable module in out/Aegir: manifest (with the version of
               Directory.Build.props), assemblies, format and types files, about_ help and
               MAML help generated from docs/*.md and the cmdlets' own metadata.
      Test     Build, then xunit (tests/Aegir.Core.Tests) and Pester (tests/Pester, against
               out/Aegir in a fresh pwsh). Ends with 'Tests: N passed, N failed, N skipped'
               and exits non-zero if anything failed.
      Bench    Build, then the benchmarks in bench/ (import cost, listing 10,000 sites, installing 20 sites,
               backup and restore against the raw tools, queue latency and throughput, the file queue against
               a RabbitMQ broker with 1, 2 and 4 workers, 20 HTTPS sites with certificates from a private ACME
               CA, a certificate renewal round over 1,000 sites, task listings among 1,000,000 task records).
      Package  Build, then a .nupkg in out/packages that Install-PSResource installs.
      Demo     Build, then a tour of the module against a temporary AEGIR_HOME.
      Clean    Removes out/ and every bin/ and obj/ folder.
      Help     Regenerates the MAML help of an already built module (part of Build).

.PARAMETER Task
    One or more task names, run in order.

.PARAMETER Configuration
    Release (default) or Debug.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Test

    Restores PowerShell and Pester, builds the module and runs every test.

.EXAMPLE
    dotnet pwsh ./build.ps1 Build; Import-Module ./out/Aegir/Aegir.psd1

    Builds the module and imports it into the current session.
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Bench', 'Package', 'Demo', 'Clean', 'Help')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'Aegir'
$ResultsDir = Join-Path $Out 'test-results'

function Invoke-Native {
    param([string] $FilePath, [string[]] $ArgumentList)
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) { throw "$FilePath $($ArgumentList -join ' ') exited with $LASTEXITCODE" }
}

# A fresh pwsh like this one: 'dotnet pwsh.dll' for the dotnet tool, the binary itself otherwise.
function Invoke-ChildPwsh {
    param([string[]] $ArgumentList, [switch] $AllowFailure)
    $exe = [Environment]::ProcessPath
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    & $exe @prefix -NoProfile -NonInteractive @ArgumentList | Out-Host
    if ($LASTEXITCODE -ne 0 -and -not $AllowFailure) { throw "child pwsh $($ArgumentList -join ' ') exited with $LASTEXITCODE" }
    $LASTEXITCODE
}

function Get-ModuleVersion {
    $props = [xml](Get-Content -Raw (Join-Path $Root 'Directory.Build.props'))
    @($props.Project.PropertyGroup | ForEach-Object { $_.Version } | Where-Object { $_ })[0]
}

function Invoke-Build {
    $publish = Join-Path $Out 'publish'
    if (Test-Path $publish) { Remove-Item -Recurse -Force $publish }
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/Aegir.PowerShell/Aegir.PowerShell.csproj'), '-c', $Configuration, '-o', $publish, '--nologo', '-v', 'quiet')

    if (Test-Path $ModuleOut) { Remove-Item -Recurse -Force $ModuleOut }
    $null = New-Item -ItemType Directory -Force -Path $ModuleOut, (Join-Path $ModuleOut 'en-US')
    Copy-Item (Join-Path $publish '*.dll') $ModuleOut
    Copy-Item (Join-Path $publish '*.pdb') $ModuleOut -ErrorAction SilentlyContinue
    Copy-Item (Join-Path $Root 'module/*.ps1xml') $ModuleOut
    Copy-Item (Join-Path $Root 'module/en-US/*') (Join-Path $ModuleOut 'en-US')
    # The templates built into the engine, as copies to start an override from ($env:AEGIR_HOME/templates).
    $templates = New-Item -ItemType Directory -Force (Join-Path $ModuleOut 'templates')
    Get-ChildItem (Join-Path $Root 'src/Aegir.Core') -Recurse -Filter '*.sbn' | Where-Object FullName -NotMatch '[\\/](bin|obj)[\\/]' | Copy-Item -Destination $templates

    $version = Get-ModuleVersion
    $manifest = Get-Content -Raw (Join-Path $Root 'Aegir.psd1')
    $manifest = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$version'"
    Set-Content -Path (Join-Path $ModuleOut 'Aegir.psd1') -Value $manifest -NoNewline

    $null = Invoke-ChildPwsh @('-File', (Join-Path $Root 'build.ps1'), 'Help')
    Write-Host "Built Aegir $version in $ModuleOut"
}

$MamlNs = @{ maml = 'http://schemas.microsoft.com/maml/2004/10'; command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'; dev = 'http://schemas.microsoft.com/maml/dev/2004/10' }

# --- Help: docs/<Cmdlet>.md + the cmdlet's metadata -> en-US/Aegir.PowerShell.dll-Help.xml ---

function Read-HelpMarkdown {
    param([string] $Path)
    $doc = @{ Synopsis = ''; Description = ''; Examples = @(); Parameters = @{}; Inputs = @(); Outputs = @(); Notes = ''; Links = @() }
    $section = $null; $sub = $null; $buffer = [Collections.Generic.List[string]]::new()
    $flush = {
        $text = ($buffer -join "`n").Trim()
        switch ($section) {
            'SYNOPSIS' { $doc.Synopsis = $text }
            'DESCRIPTION' { $doc.Description = $text }
            'NOTES' { $doc.Notes = $text }
            'EXAMPLES' {
                if ($sub) {
                    if ($text -notmatch '(?s)```(?:powershell)?\n(.*?)\n```\s*(.*)$') { throw "$Path example '$sub' has no code block" }
                    $doc.Examples += , @{ Title = $sub; Code = $Matches[1]; Remarks = $Matches[2].Trim() }
                }
            }
            'PARAMETERS' { if ($sub) { $doc.Parameters[$sub.TrimStart('-')] = $text } }
            'INPUTS' { if ($sub) { $doc.Inputs += , @{ Type = $sub; Text = $text } } }
            'OUTPUTS' { if ($sub) { $doc.Outputs += , @{ Type = $sub; Text = $text } } }
            'RELATED LINKS' { $doc.Links = @($buffer | Where-Object { $_ -match '^\s*-\s*(.+)$' } | ForEach-Object { $Matches[1].Trim() -replace '^\[|\]$', '' }) }
        }
        $buffer.Clear()
    }
    foreach ($line in (Get-Content $Path)) {
        if ($line -match '^## (.+)$') { & $flush; $section = $Matches[1].Trim().ToUpperInvariant(); $sub = $null; continue }
        if ($line -match '^### (.+)$') { & $flush; $sub = $Matches[1].Trim(); continue }
        if ($line -match '^# ') { continue }
        $buffer.Add($line)
    }
    & $flush
    $doc
}

function Add-Paras {
    param([System.Xml.XmlWriter] $W, [string] $Text)
    foreach ($para in ($Text -split "\n\s*\n")) {
        if ($para.Trim()) { $W.WriteElementString('maml', 'para', $MamlNs.maml, ($para.Trim() -replace '\s*\n\s*', ' ')) }
    }
}

function Write-HelpParameter {
    param([System.Xml.XmlWriter] $W, $Parameter, $SetInfo, [string] $Description)
    $pipeline = @(if ($SetInfo.ValueFromPipeline) { 'ByValue' }; if ($SetInfo.ValueFromPipelineByPropertyName) { 'ByPropertyName' })
    $W.WriteStartElement('command', 'parameter', $MamlNs.command)
    $W.WriteAttributeString('required', $SetInfo.IsMandatory.ToString().ToLowerInvariant())
    $W.WriteAttributeString('variableLength', 'true')
    $wildcards = $Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }
    $W.WriteAttributeString('globbing', $(if ($wildcards) { 'true' } else { 'false' }))
    $W.WriteAttributeString('pipelineInput', $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }))
    $W.WriteAttributeString('position', $(if ($SetInfo.Position -ge 0) { "$($SetInfo.Position)" } else { 'named' }))
    $W.WriteAttributeString('aliases', $(if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }))
    $W.WriteElementString('maml', 'name', $MamlNs.maml, $Parameter.Name)
    $W.WriteStartElement('maml', 'description', $MamlNs.maml); Add-Paras $W $Description; $W.WriteEndElement()
    $type = [Nullable]::GetUnderlyingType($Parameter.ParameterType) ?? $Parameter.ParameterType
    $typeName = $type.Name
    if ($Parameter.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
        $W.WriteStartElement('command', 'parameterValue', $MamlNs.command)
        $W.WriteAttributeString('required', 'true'); $W.WriteAttributeString('variableLength', 'false')
        $W.WriteString($typeName); $W.WriteEndElement()
    }
    $W.WriteStartElement('dev', 'type', $MamlNs.dev); $W.WriteElementString('maml', 'name', $MamlNs.maml, $type.FullName); $W.WriteEndElement()
    $W.WriteEndElement()
}

function Invoke-Help {
    Import-Module (Join-Path $ModuleOut 'Aegir.psd1') -Force
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters
    $standard = @{
        WhatIf  = 'Shows what would happen if the cmdlet runs. Nothing is changed.'
        Confirm = 'Asks for confirmation before each change.'
    }
    $commands = Get-Command -Module Aegir -CommandType Cmdlet | Sort-Object Name
    $settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [Text.UTF8Encoding]::new($false) }
    $target = Join-Path $ModuleOut 'en-US/Aegir.PowerShell.dll-Help.xml'
    $w = [System.Xml.XmlWriter]::Create($target, $settings)
    $problems = [Collections.Generic.List[string]]::new()
    try {
        $w.WriteStartDocument()
        $w.WriteStartElement('helpItems', 'http://msh'); $w.WriteAttributeString('schema', 'maml')
        foreach ($ns2 in $MamlNs.GetEnumerator()) { $w.WriteAttributeString('xmlns', $ns2.Key, $null, $ns2.Value) }
        foreach ($cmd in $commands) {
            $mdPath = Join-Path $Root "docs/$($cmd.Name).md"
            if (-not (Test-Path $mdPath)) { $problems.Add("$($cmd.Name): no docs/$($cmd.Name).md"); continue }
            $doc = Read-HelpMarkdown $mdPath
            if (-not $doc.Synopsis) { $problems.Add("$($cmd.Name): no SYNOPSIS") }
            if (-not $doc.Examples) { $problems.Add("$($cmd.Name): no example") }
            $own = @($cmd.Parameters.Values | Where-Object { $_.Name -notin $common })
            $ownNames = @($own | ForEach-Object Name)   # a cmdlet may have none of its own
            foreach ($key in $standard.Keys) { if ($key -in $ownNames -and -not $doc.Parameters.ContainsKey($key)) { $doc.Parameters[$key] = $standard[$key] } }
            foreach ($p in $own) { if (-not $doc.Parameters.ContainsKey($p.Name)) { $problems.Add("$($cmd.Name): parameter -$($p.Name) is not documented") } }
            foreach ($name in $doc.Parameters.Keys) { if ($name -notin $ownNames) { $problems.Add("$($cmd.Name): docs describe -$name, which does not exist") } }

            $w.WriteStartElement('command', 'command', $MamlNs.command)
            $w.WriteStartElement('command', 'details', $MamlNs.command)
            $w.WriteElementString('command', 'name', $MamlNs.command, $cmd.Name)
            $w.WriteElementString('command', 'verb', $MamlNs.command, $cmd.Verb)
            $w.WriteElementString('command', 'noun', $MamlNs.command, $cmd.Noun)
            $w.WriteStartElement('maml', 'description', $MamlNs.maml); Add-Paras $w $doc.Synopsis; $w.WriteEndElement()
            $w.WriteEndElement()
            $w.WriteStartElement('maml', 'description', $MamlNs.maml); Add-Paras $w $doc.Description; $w.WriteEndElement()

            $w.WriteStartElement('command', 'syntax', $MamlNs.command)
            foreach ($set in $cmd.ParameterSets) {
                $w.WriteStartElement('command', 'syntaxItem', $MamlNs.command)
                $w.WriteElementString('maml', 'name', $MamlNs.maml, $cmd.Name)
                foreach ($sp in ($set.Parameters | Where-Object { $_.Name -notin $common } | Sort-Object { if ($_.Position -ge 0) { $_.Position } else { 1000 } }, { -not $_.IsMandatory })) {
                    Write-HelpParameter $w $cmd.Parameters[$sp.Name] $sp $doc.Parameters[$sp.Name]
                }
                $w.WriteEndElement()
            }
            $w.WriteEndElement()

            $w.WriteStartElement('command', 'parameters', $MamlNs.command)
            foreach ($p in ($own | Sort-Object Name)) {
                $setInfo = $p.ParameterSets.Values | Sort-Object { -not $_.IsMandatory } | Select-Object -First 1
                Write-HelpParameter $w $p $setInfo $doc.Parameters[$p.Name]
            }
            $w.WriteEndElement()

            foreach ($kind in @(@('inputTypes', 'inputType', $doc.Inputs), @('returnValues', 'returnValue', $doc.Outputs))) {
                $w.WriteStartElement('command', $kind[0], $MamlNs.command)
                foreach ($item in $kind[2]) {
                    $w.WriteStartElement('command', $kind[1], $MamlNs.command)
                    $w.WriteStartElement('dev', 'type', $MamlNs.dev); $w.WriteElementString('maml', 'name', $MamlNs.maml, $item.Type); $w.WriteEndElement()
                    $w.WriteStartElement('maml', 'description', $MamlNs.maml); Add-Paras $w $item.Text; $w.WriteEndElement()
                    $w.WriteEndElement()
                }
                $w.WriteEndElement()
            }
            $w.WriteStartElement('maml', 'alertSet', $MamlNs.maml); $w.WriteStartElement('maml', 'alert', $MamlNs.maml); Add-Paras $w $doc.Notes; $w.WriteEndElement(); $w.WriteEndElement()

            $w.WriteStartElement('command', 'examples', $MamlNs.command)
            foreach ($ex in $doc.Examples) {
                $w.WriteStartElement('command', 'example', $MamlNs.command)
                $w.WriteElementString('maml', 'title', $MamlNs.maml, "-------------------------- $($ex.Title) --------------------------")
                $w.WriteElementString('dev', 'code', $MamlNs.dev, $ex.Code)
                $w.WriteStartElement('dev', 'remarks', $MamlNs.dev); Add-Paras $w $ex.Remarks; $w.WriteEndElement()
                $w.WriteEndElement()
            }
            $w.WriteEndElement()

            $w.WriteStartElement('command', 'relatedLinks', $MamlNs.command)
            foreach ($link in $doc.Links) {
                $w.WriteStartElement('maml', 'navigationLink', $MamlNs.maml)
                $w.WriteElementString('maml', 'linkText', $MamlNs.maml, $link); $w.WriteElementString('maml', 'uri', $MamlNs.maml, '')
                $w.WriteEndElement()
            }
            $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
        $w.WriteEndDocument()
    }
    finally { $w.Dispose() }
    if ($problems.Count) { throw "Help is incomplete:`n  $($problems -join "`n  ")" }
}

# --- Test ---

function Get-PesterPath {
    Invoke-Native dotnet @('restore', (Join-Path $Root 'tests/Pester/Pester.Restore.csproj'), '--nologo', '-v', 'quiet')
    $version = ([xml](Get-Content -Raw (Join-Path $Root 'tests/Pester/Pester.Restore.csproj'))).Project.ItemGroup.PackageDownload.Version.Trim('[', ']')
    $cache = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $path = Join-Path $cache.Trim() "pester/$version/tools/Pester.psd1"
    if (-not (Test-Path $path)) { throw "Pester $version was not restored to $path" }
    $path
}

function Invoke-Test {
    Invoke-Build
    if (Test-Path $ResultsDir) { Remove-Item -Recurse -Force $ResultsDir }
    $null = New-Item -ItemType Directory -Force $ResultsDir
    $totals = [ordered]@{ passed = 0; failed = 0; skipped = 0 }
    $broken = [Collections.Generic.List[string]]::new()

    # xunit, the engine, runs beside Pester on one thread: the integration tests mostly wait on services, so the
    # two together take little more than Pester alone. Its output is shown when Pester is done.
    $trx = Join-Path $ResultsDir 'core.trx'
    $project = Join-Path $Root 'tests/Aegir.Core.Tests/Aegir.Core.Tests.csproj'
    Invoke-Native dotnet @('build', $project, '-c', $Configuration, '--nologo', '-v', 'quiet')
    $start = [Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in @('test', $project, '-c', $Configuration, '--nologo', '--no-build', '--logger', "trx;LogFileName=$trx",
            '--logger', 'console;verbosity=minimal', '--results-directory', $ResultsDir, '--', 'xUnit.MaxParallelThreads=1')) { $start.ArgumentList.Add($a) }
    $start.RedirectStandardOutput = $true; $start.RedirectStandardError = $true
    $xunit = [Diagnostics.Process]::Start($start)
    $xunitOut = $xunit.StandardOutput.ReadToEndAsync(); $xunitErr = $xunit.StandardError.ReadToEndAsync()

    # Pester: the cmdlets, against the laid-out module in a fresh pwsh.
    $pester = Get-PesterPath
    $json = Join-Path $ResultsDir 'pester.json'
    $exit = Invoke-ChildPwsh -AllowFailure @('-File', (Join-Path $Root 'tests/Invoke-PesterSuite.ps1'),
        '-PesterPath', $pester, '-ModulePath', (Join-Path $ModuleOut 'Aegir.psd1'), '-ResultPath', $json)
    if (Test-Path $json) {
        $r = Get-Content -Raw $json | ConvertFrom-Json
        $totals.passed += $r.Passed; $totals.failed += $r.Failed + $r.FailedBlocks; $totals.skipped += $r.Skipped
        if ($exit -ne 0 -and ($r.Failed + $r.FailedBlocks) -eq 0) { $broken.Add("Pester exited with $exit") }
    }
    else { $broken.Add("Pester produced no results (exit $exit)") }

    $xunit.WaitForExit()
    Write-Host $xunitOut.Result; if ($xunitErr.Result) { Write-Host $xunitErr.Result }
    $xunitExit = $xunit.ExitCode
    if (Test-Path $trx) {
        $counters = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
        $totals.passed += [int]$counters.passed
        $totals.failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout
        $totals.skipped += [int]$counters.notExecuted
        if ($xunitExit -ne 0 -and [int]$counters.failed -eq 0) { $broken.Add("xunit exited with $xunitExit") }
    }
    else { $broken.Add("xunit produced no results (exit $xunitExit)") }

    foreach ($b in $broken) { Write-Host "Test run problem: $b" }
    if ($broken.Count) { $totals.failed += $broken.Count }
    Write-Host ''
    Write-Host "Tests: $($totals.passed) passed, $($totals.failed) failed, $($totals.skipped) skipped"
    if ($totals.failed -gt 0) { exit 1 }
}

# --- Bench, Package, Demo, Clean ---

function Invoke-Bench {
    Invoke-Build
    foreach ($script in Get-ChildItem (Join-Path $Root 'bench') -Filter '*.ps1' | Sort-Object Name) {
        Write-Host "== $($script.BaseName)"
        $null = Invoke-ChildPwsh @('-File', $script.FullName, '-ModulePath', (Join-Path $ModuleOut 'Aegir.psd1'))
    }
}

function Invoke-Package {
    Invoke-Build
    $packages = Join-Path $Out 'packages'
    $null = New-Item -ItemType Directory -Force $packages
    Get-ChildItem $packages -Filter 'Aegir.*.nupkg' | Remove-Item -Force
    $repo = "AegirBuild-$PID"
    Register-PSResourceRepository -Name $repo -Uri $packages -Trusted
    try { Publish-PSResource -Path $ModuleOut -Repository $repo -SkipDependenciesCheck }
    finally { Unregister-PSResourceRepository -Name $repo }
    Get-ChildItem $packages -Filter 'Aegir.*.nupkg' | ForEach-Object { Write-Host "Package: $($_.FullName)" }
}

function Invoke-Demo {
    Invoke-Build
    $null = Invoke-ChildPwsh @('-File', (Join-Path $Root 'docs/examples/Demo.ps1'), '-ModulePath', (Join-Path $ModuleOut 'Aegir.psd1'))
}

function Invoke-Clean {
    if (Test-Path $Out) { Remove-Item -Recurse -Force $Out }
    Get-ChildItem $Root -Recurse -Directory -Include 'bin', 'obj' | Where-Object { $_.FullName -notlike "$Out*" } | Remove-Item -Recurse -Force
}

Push-Location $Root
try {
    foreach ($t in $Task) {
        switch ($t) {
            'Build' { Invoke-Build }
            'Test' { Invoke-Test }
            'Bench' { Invoke-Bench }
            'Package' { Invoke-Package }
            'Demo' { Invoke-Demo }
            'Clean' { Invoke-Clean }
            'Help' { Invoke-Help }
        }
    }
}
finally { Pop-Location }
