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

    It 'refuses a group another client has, a system group, or one past 16 characters, with the fix' {
        $null = New-AegirClient acme
        { New-AegirClient globex -UnixGroup acme -ErrorAction Stop } | Should -Throw -ErrorId 'ClientGroupTaken*'
        { New-AegirClient globex -UnixGroup sudo -ErrorAction Stop } | Should -Throw -ExpectedMessage '*system group*-UnixGroup*'
        { New-AegirClient globex -UnixGroup globex-hosting-eu -ErrorAction Stop } | Should -Throw -ExpectedMessage '*16*'
        { New-AegirClient docker -ErrorAction Stop } | Should -Throw -ExpectedMessage '*-UnixGroup*'
        { Set-AegirClient acme -UnixGroup www-data -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*'
        (Get-AegirClient).Name | Should -Be 'client_acme'
        (Get-AegirClient acme).UnixGroup | Should -Be 'acme'
    }
}

Describe 'Grant-AegirClientAccess' {
    It 'records a person with a client that has no sites yet, and says the group comes with them' {
        $null = New-AegirClient acme
        $c = Grant-AegirClientAccess acme alice -PassThru -InformationVariable said
        $c.People | Should -Be @('alice')
        (Get-AegirTask -Target client_acme).Type | Should -Be 'grant'
        (Get-AegirTask -Target client_acme).Log.Message -join ' ' | Should -Match 'no sites yet'
        $null = Grant-AegirClientAccess -Client acme -User bob
        (Get-AegirClient acme).People | Should -Be @('alice', 'bob')
        Get-AegirClient acme | Out-String | Should -Match 'alice, bob'
    }

    It 'refuses root, a service''s account, or a key without -Create, recording nothing' {
        $null = New-AegirClient acme
        { Grant-AegirClientAccess acme root -ErrorAction Stop } | Should -Throw -ExpectedMessage '*root*'
        { Grant-AegirClientAccess acme www-data -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*'
        { Grant-AegirClientAccess acme aegir -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*'
        { Grant-AegirClientAccess acme alice -SshKey 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl' -ErrorAction Stop } | Should -Throw -ExpectedMessage '*-Create*'
        (Get-AegirClient acme).People | Should -BeNullOrEmpty
        Get-AegirTask | Should -BeNullOrEmpty
    }

    It 'refuses a private key without showing it, and a key file that is no key' {
        $null = New-AegirClient acme
        $private = Join-Path $TestDrive 'id_ed25519'
        Set-Content $private "-----BEGIN OPENSSH PRIVATE KEY-----`nb3BlbnNzaC1rZXktdjEAAAAA-secret-`n-----END OPENSSH PRIVATE KEY-----"
        $err = $null
        try { Grant-AegirClientAccess acme alice -Create -SshKey $private -ErrorAction Stop } catch { $err = $_ }
        "$err" | Should -Match 'private key'
        "$err" | Should -Not -Match 'secret'
        Set-Content $private 'not a key'
        { Grant-AegirClientAccess acme alice -Create -SshKey $private -ErrorAction Stop } | Should -Throw -ExpectedMessage '*key type*'
        (Get-AegirClient acme).People | Should -BeNullOrEmpty
    }

    It 'shows its plan and changes nothing with -WhatIf' {
        $null = New-AegirClient acme
        $out = Invoke-AegirChild 'Grant-AegirClientAccess acme alice -WhatIf'
        "$out" | Should -Match 'record alice among the people of acme'
        (Get-AegirClient acme).People | Should -BeNullOrEmpty
    }
}

Describe 'Revoke-AegirClientAccess' {
    It 'takes a person off the client, and says so when they were not on it' {
        $null = New-AegirClient acme
        $null = Grant-AegirClientAccess acme alice
        $null = Grant-AegirClientAccess acme bob
        (Revoke-AegirClientAccess acme alice -PassThru).People | Should -Be @('bob')
        $null = Revoke-AegirClientAccess acme carol -InformationVariable said
        (Get-AegirTask -Target client_acme | Where-Object Type -eq 'revoke' | Select-Object -First 1).Log.Message -join ' ' | Should -Match 'carol is not among the people'
        (Get-AegirClient acme).People | Should -Be @('bob')
    }

    It 'completes -User with the people of the client named' {
        $null = New-AegirClient acme
        $null = New-AegirClient globex
        $null = Grant-AegirClientAccess acme alice
        $null = Grant-AegirClientAccess globex gina
        $found = TabExpansion2 -inputScript 'Revoke-AegirClientAccess -Client acme -User ' -cursorColumn 44
        $found.CompletionMatches.CompletionText | Should -Be @('alice')
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
