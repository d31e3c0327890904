# The drift cmdlets' surface, with records and files only (the hand edits of a real server are in
# tests/Integration/Drift.Tests.ps1): what they write, -Quiet, the error per target, pipelines, and that they write nothing.
BeforeAll { . $PSScriptRoot/TestHelpers.ps1 }

Describe 'Drift cmdlets' {
BeforeEach {
    $null = Reset-AegirHome
    $null = New-TestMaster
}

Describe 'Test-AegirServer' {
    It 'tells the config folder of a web server never verified, with one error per server, and writes nothing' {
        $before = Get-ChildItem -Recurse -Force $env:AEGIR_HOME | ForEach-Object FullName
        $found = @(Test-AegirServer master -ErrorVariable errs -ErrorAction SilentlyContinue)
        $found | Should -HaveCount 1
        $found[0] | Should -BeOfType ([Aegir.Core.Operations.Drift.AegirDrift])
        $found[0].Kind | Should -Be 'ServerConfig'
        $found[0].Where | Should -Be (Join-Path $env:AEGIR_HOME 'config/server_master')
        $found[0].Found | Should -Be 'nothing there'
        $found[0].Fix | Should -Be 'Invoke-AegirVerify server_master'
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'DriftFound,Aegir.PowerShell.Cmdlets.Drift.TestAegirServerCommand'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].TargetObject | Should -Be 'server_master'
        { Test-AegirServer master -ErrorAction Stop } | Should -Throw -ErrorId 'DriftFound*' -ExpectedMessage '1 difference on server_master*Invoke-AegirVerify server_master'
        Get-ChildItem -Recurse -Force $env:AEGIR_HOME | ForEach-Object FullName | Should -Be $before
    }

    It 'reaches no server that has nothing of its own to compare (a database server), and -Quiet says so' {
        $null = New-AegirServer -RemoteHost db1.example -DbServiceType mysql
        Test-AegirServer db1example | Should -BeNullOrEmpty
        Test-AegirServer db1example -Quiet | Should -BeTrue
        Get-AegirServer db1example | Test-AegirServer -Quiet | Should -BeTrue
        Test-AegirServer -Quiet -ErrorAction SilentlyContinue | Should -BeFalse -Because 'with no name every server is tested, master too'
    }

    It 'says which record is missing' {
        { Test-AegirServer nope -ErrorAction Stop } | Should -Throw -ErrorId 'ContextNotFound*'
        Test-AegirServer nope -Quiet -ErrorAction SilentlyContinue | Should -BeFalse
    }
}

Describe 'Test-AegirPlatform' {
    It 'tells a platform never verified, by name or piped' {
        $null = New-TestPlatform
        $found = @(Test-AegirPlatform wp -ErrorAction SilentlyContinue)
        $found.Kind | Should -Be 'PlatformFile'
        $found.Found | Should -Be 'never verified'
        $found.Target | Should -Be 'platform_wp'
        (Get-AegirPlatform wp | Test-AegirPlatform -ErrorAction SilentlyContinue).Found | Should -Be 'never verified'
        Test-AegirPlatform -Quiet | Should -BeFalse
    }
}

Describe 'Test-AegirSite' {
    It 'tests only installed sites when none is named, and returns true when there is none' {
        $null = New-TestPlatform
        $null = New-AegirSite -NoInstall a.example -Platform wp
        Test-AegirSite | Should -BeNullOrEmpty
        Test-AegirSite -Quiet | Should -BeTrue
        Test-AegirSite a.example -Quiet | Should -BeTrue -Because 'a site not installed yet has nothing to drift from'
        Get-AegirSite | Test-AegirSite -Quiet | Should -BeTrue
    }

    It 'completes site names for -Name' {
        $null = New-TestPlatform
        $null = New-AegirSite -NoInstall blog.example -Platform wp
        (TabExpansion2 'Test-AegirSite bl' 17).CompletionMatches.CompletionText | Should -Contain 'blog.example'
    }
}
}
