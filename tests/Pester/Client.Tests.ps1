BeforeAll { . $PSScriptRoot/TestHelpers.ps1 }

Describe 'Client cmdlets' {
BeforeEach { $null = Reset-AegirHome }

Describe 'New-AegirClient' {
    It 'records a client with its group' {
        $c = New-AegirClient -Name ACME -Email ops@acme.example
        $c | Should -BeOfType ([Aegir.Core.Contexts.AegirClient])
        $c.Name | Should -Be 'client_acme'
        $c.UnixGroup | Should -Be 'acme'
        $c.Email | Should -Be 'ops@acme.example'
    }

    It 'takes a UNIX group' {
        (New-AegirClient acme -UnixGroup hosting-acme).UnixGroup | Should -Be 'hosting-acme'
    }

    It 'refuses a bad email and writes nothing' {
        { New-AegirClient acme -Email 'not an email' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*'
        Get-ContextFiles | Should -BeNullOrEmpty
    }
}

Describe 'Get-AegirClient' {
    It 'lists and finds clients' {
        $null = 'acme', 'globex' | ForEach-Object { New-AegirClient $_ }
        (Get-AegirClient).Name | Should -Be @('client_acme', 'client_globex')
        (Get-AegirClient '@client_g*').Name | Should -Be 'client_globex'
        Get-AegirClient | Out-String | Should -Match '@client_acme'
    }
}

Describe 'Set-AegirClient' {
    It 'changes and clears the email' {
        $null = New-AegirClient acme -Email a@acme.example
        (Set-AegirClient acme -Email b@acme.example -PassThru).Email | Should -Be 'b@acme.example'
        Get-AegirClient acme | Set-AegirClient -Email ''
        (Get-AegirClient acme).Email | Should -BeNullOrEmpty
    }
}

Describe 'Remove-AegirClient' {
    It 'removes a client, but not while it owns sites' {
        $null = New-TestMaster; $null = New-TestPlatform
        $null = 'acme', 'globex' | ForEach-Object { New-AegirClient $_ }
        $null = New-AegirSite -NoInstall a.example -Platform wp -Client acme
        { Remove-AegirClient acme -Force -ErrorAction Stop } | Should -Throw -ExpectedMessage '*@a.example*'
        Remove-AegirClient globex -Force
        (Get-AegirClient).Name | Should -Be 'client_acme'
    }

    It 'takes several names, reporting the one it refuses and removing the rest' {
        $null = New-TestMaster; $null = New-TestPlatform
        $null = 'acme', 'globex', 'initech' | ForEach-Object { New-AegirClient $_ }
        $null = New-AegirSite -NoInstall a.example -Platform wp -Client acme
        Remove-AegirClient globex, acme, '@client_initech' -Force -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].TargetObject | Should -Be 'acme'
        (Get-AegirClient).Name | Should -Be 'client_acme'
        Set-AegirClient acme, nobody -Email x@acme.example -ErrorVariable missing -ErrorAction SilentlyContinue
        $missing.Count | Should -Be 1
        (Get-AegirClient acme).Email | Should -Be 'x@acme.example'
    }
}
}
