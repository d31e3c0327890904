# Meta-tests: what every cmdlet of the module must have.
BeforeDiscovery {
    Import-Module $env:AEGIR_TEST_MODULE -Force
    $cmdlets = @(Get-Command -Module Aegir -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $testText = (Get-ChildItem $PSScriptRoot, "$PSScriptRoot/../Integration" -Filter '*.Tests.ps1' | Get-Content -Raw) -join "`n"
    $manifest = Import-PowerShellDataFile $env:AEGIR_TEST_MODULE
    $assembly = (Get-Command Get-AegirSite).ImplementingType.Assembly
}

Describe 'The Aegir module' {
    It 'exports exactly the cmdlets its assembly defines' {
        $defined = $assembly.GetTypes() |
            Where-Object { -not $_.IsAbstract -and $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { $a = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]; "$($a.VerbName)-$($a.NounName)" }
        ($manifest.CmdletsToExport | Sort-Object) | Should -Be ($defined | Sort-Object)
        ((Get-Command -Module Aegir).Name | Sort-Object) | Should -Be ($defined | Sort-Object)
    }

    It 'carries the version of Directory.Build.props' {
        $props = [xml](Get-Content -Raw (Join-Path $PSScriptRoot '../../Directory.Build.props'))
        $manifest.ModuleVersion | Should -Be @($props.Project.PropertyGroup.Version)[0]
    }

    It 'keeps the engine free of PowerShell: Aegir.Core references no PowerShell assembly' {
        $core = [Aegir.Core.Contexts.ContextStore].Assembly
        $core.GetReferencedAssemblies().Name | Should -Not -Contain 'System.Management.Automation'
        $core.GetReferencedAssemblies().Name | Should -Not -BeLike 'Microsoft.PowerShell*'
    }

    It 'writes only to the PowerShell streams: no Console in the module''s code' {
        Get-ChildItem (Join-Path $PSScriptRoot '../../src') -Recurse -Filter '*.cs' | Select-String -Pattern '\bConsole\.' | Should -BeNullOrEmpty
    }

    It 'names only cmdlets and parameters that exist, in its messages, help and docs' {
        $cmds = @{}; Get-Command -Module Aegir | ForEach-Object { $cmds[$_.Name] = $_ }
        $root = Join-Path $PSScriptRoot '../..'
        $files = @(Get-ChildItem -Recurse -File "$root/src", "$root/module", "$root/docs" -Include *.cs, *.ps1xml, *.txt, *.md, *.sbn* |
            Where-Object FullName -NotMatch '/(bin|obj)/') + (Get-Item "$root/README.md")
        $files.Count | Should -BeGreaterThan 50
        $seen = 0
        $wrong = foreach ($f in $files) {
            $n = 0
            foreach ($line in Get-Content $f) {
                $n++
                # A cmdlet name, then the parameters and plain arguments that follow it on the line.
                foreach ($m in [regex]::Matches($line, '\b([A-Z][a-z]+-Aegir[A-Za-z]+)\b((?:[ \t]+(?:-[A-Za-z]+\b(?!\{)|''[^'']*''|[@\w.:/*]+))*)')) {
                    $seen++
                    $name = $m.Groups[1].Value
                    if (-not $cmds.ContainsKey($name)) { "$($f.Name):$n names $name"; continue }
                    foreach ($p in [regex]::Matches($m.Groups[2].Value, '(?<!\w)-([A-Za-z]+)\b')) {
                        $param = $p.Groups[1].Value
                        if ($param -notin $cmds[$name].Parameters.Keys -and $param -notin $cmds[$name].Parameters.Values.Aliases) { "$($f.Name):$n $name -$param" }
                    }
                }
            }
        }
        $seen | Should -BeGreaterThan 200
        $wrong | Should -BeNullOrEmpty
    }

    It 'names real cmdlets when a context is missing or already exists' {
        $null = Reset-AegirHome
        $null = New-AegirClient acme
        { New-AegirClient acme -ErrorAction Stop } | Should -Throw -ExpectedMessage "A client named '@client_acme' already exists. Change it with Set-AegirClient, or remove it first with Remove-AegirClient."
        { Invoke-AegirVerify nothing-here -ErrorAction Stop } | Should -Throw -ExpectedMessage '*List them with Get-AegirServer, Get-AegirPlatform, Get-AegirSite or Get-AegirClient*'
        # The home it read is named: a new shell without $env:AEGIR_HOME reads another one.
        { Get-AegirPlatform nope -ErrorAction Stop } | Should -Throw -ExpectedMessage "No platform named '@platform_nope' exists in $env:AEGIR_HOME.*(the module's home is `$env:AEGIR_HOME, else ~/.aegir)*"
    }

    It 'has an about_Aegir topic' {
        Get-Help about_Aegir | Out-String | Should -Match 'named contexts'
    }

    It 'ships a copy of every template built into the engine, the same text, to start an override from' {
        $core = [Aegir.Core.Templates.TemplateRenderer].Assembly
        $names = $core.GetManifestResourceNames() | Where-Object { $_ -like 'Aegir.Templates.*' } | ForEach-Object { $_.Substring('Aegir.Templates.'.Length) }
        $names | Should -Contain 'nginx-vhost.conf.sbn'
        $folder = Join-Path (Split-Path $env:AEGIR_TEST_MODULE) 'templates'
        (Get-ChildItem $folder -Filter '*.sbn').Name | Sort-Object | Should -Be ($names | Sort-Object)
        foreach ($name in $names) {
            $reader = [IO.StreamReader]::new($core.GetManifestResourceStream("Aegir.Templates.$name"))
            try { Get-Content -Raw (Join-Path $folder $name) | Should -Be $reader.ReadToEnd() -Because $name }
            finally { $reader.Dispose() }
        }
    }
}

Describe '<Name>' -ForEach $cmdlets {
    BeforeAll { $command = Get-Command $Name; $help = Get-Help $Name -Full }

    It 'uses an approved verb and the Aegir noun prefix' {
        $command.Verb | Should -BeIn (Get-Verb).Verb
        $command.Noun | Should -BeLike 'Aegir*'
    }

    It 'has help with a synopsis, a description and an example' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$Name"
        ($help.description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterThan 0
        $help.examples.example[0].code | Should -Match 'Aegir'
    }

    It 'documents every parameter' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters
        foreach ($p in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            ($help.parameters.parameter | Where-Object name -EQ $p).description | Out-String | Should -Not -BeNullOrEmpty -Because "-$p needs a description"
        }
    }

    It 'links its page in docs/ as its HelpUri' {
        $command.HelpUri | Should -Be "$($manifest.PrivateData.PSData.ProjectUri)/blob/main/docs/$Name.md"
        Join-Path $PSScriptRoot "../../docs/$Name.md" | Should -Exist
    }

    It 'declares its output type' {
        $command.OutputType.Count | Should -BeGreaterThan 0
        $command.OutputType.Type | Should -Not -Be ([object])
        $command.OutputType.Type | Should -Not -Be ([psobject])
    }

    It 'supports -WhatIf when it changes anything' {
        if ($command.Verb -notin 'Get', 'Wait', 'Test') { $command.Parameters.Keys | Should -Contain 'WhatIf' }
        if ($command.Verb -eq 'Remove') {
            $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
            $command.Parameters.Keys | Should -Contain 'Force'
        }
    }

    It 'has tests of its own' {
        $testText | Should -Match "Describe '$Name'"
    }
}
