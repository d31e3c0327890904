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
    It 'changes the group in a task, and records -AdoptGroup until the group changes again' {
        $null = New-AegirClient acme -Email a@acme.example
        (Set-AegirClient acme -UnixGroup c-acme -Email b@acme.example -PassThru).UnixGroup | Should -Be 'c-acme'
        (Get-AegirClient acme).Email | Should -Be 'b@acme.example'
        (Get-AegirTask -Target client_acme).Type | Should -Be 'regroup'
        Set-AegirClient acme -UnixGroup webteam -AdoptGroup
        (Get-AegirClient acme).AdoptGroup | Should -BeTrue
        Get-Content (Join-Path $env:AEGIR_HOME 'contexts/client_acme.yml') | Should -Contain 'adopt_group: true'
        Set-AegirClient acme -UnixGroup ''
        $client = Get-AegirClient acme
        $client.UnixGroup | Should -Be 'acme'
        $client.AdoptGroup | Should -BeFalse
        (New-AegirClient globex -UnixGroup teamg -AdoptGroup).AdoptGroup | Should -BeTrue
    }

    It 'shows with -Plan the group checked, made and left on the web server of its sites, and changes nothing' {
        $null = New-TestMaster; $null = New-TestPlatform
        $null = New-AegirClient acme
        $null = New-AegirSite -NoInstall a.example -Platform wp -Client acme
        $steps = Set-AegirClient acme -UnixGroup c-acme -Plan
        $steps.Description | Should -Contain 'check that the group c-acme on @server_master is missing or the client''s to use'
        $steps.Description | Should -Contain 'record c-acme as the group of acme'
        ($steps.Description -match '^take .* out of the group acme on @server_master, and delete it when the module made it').Count | Should -Be 1
        (Get-AegirClient acme).UnixGroup | Should -Be 'acme'
        Get-AegirTask | Should -BeNullOrEmpty
        { Set-AegirClient acme -UnixGroup www-data -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*'
        Get-AegirTask | Should -BeNullOrEmpty
    }

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

Describe 'Client quota' {
    BeforeEach { $null = New-TestMaster; $null = New-TestPlatform }

    It 'records -MaxSites and -DiskQuota, and Set-AegirClient changes and clears them' {
        $c = New-AegirClient acme -MaxSites 2 -DiskQuota 500MB
        $c.MaxSites | Should -Be 2
        $c.DiskQuota | Should -Be 524288000
        Get-Content -Raw (Join-Path $env:AEGIR_HOME contexts/client_acme.yml) | Should -Match '(?m)^max_sites: 2\s*$'
        Get-Content -Raw (Join-Path $env:AEGIR_HOME contexts/client_acme.yml) | Should -Match '(?m)^disk_quota: 500MB\s*$'
        # Unquoted, PowerShell makes 2GB a number of bytes first: the same quota.
        (Set-AegirClient acme -DiskQuota 2GB -MaxSites 5 -PassThru).DiskQuota | Should -Be 2147483648
        (Get-AegirClient acme).MaxSites | Should -Be 5
        Set-AegirClient acme -MaxSites 0 -DiskQuota ''
        $c = Get-AegirClient acme
        $c.MaxSites | Should -BeNullOrEmpty
        $c.DiskQuota | Should -BeNullOrEmpty
        Get-Content -Raw (Join-Path $env:AEGIR_HOME contexts/client_acme.yml) | Should -Not -Match 'max_sites|disk_quota'
    }

    It 'refuses a bad -MaxSites (<Value>) with a clear error and writes nothing' -TestCases @(
        @{ Value = '-1' }, @{ Value = '1.5' }, @{ Value = 'ten' }, @{ Value = '99999999999' }
    ) {
        { New-AegirClient acme -MaxSites $Value -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage "*MaxSites*not a whole number*0 for no limit*"
        Get-ContextFiles | Should -Not -Contain 'client_acme.yml'
        $null = New-AegirClient acme -MaxSites 3
        $before = Get-ContextSnapshot
        { Set-AegirClient acme -MaxSites $Value -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*'
        Get-ContextSnapshot | Should -Be $before
    }

    It 'refuses a bad -DiskQuota (<Value>) with a clear error and writes nothing' -TestCases @(
        @{ Value = '2 gigs' }, @{ Value = '-5MB' }, @{ Value = '1.5GB' }, @{ Value = '2XB' }, @{ Value = '2000000TB' }
    ) {
        { New-AegirClient acme -DiskQuota $Value -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage "*DiskQuota*2GB, 500MB*"
        Get-ContextFiles | Should -Not -Contain 'client_acme.yml'
        $null = New-AegirClient acme -DiskQuota 1GB
        $before = Get-ContextSnapshot
        { Set-AegirClient acme -DiskQuota $Value -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*'
        Get-ContextSnapshot | Should -Be $before
    }

    It 'lets New-AegirSite fill the client up to its -MaxSites, then refuses with the fix, changing nothing' {
        $null = New-AegirClient acme -MaxSites 2
        $null = New-AegirSite -NoInstall a.example -Platform wp -Client acme
        $null = New-AegirSite -NoInstall b.example -Platform wp -Client acme
        $before = Get-ContextSnapshot
        $err = { New-AegirSite -NoInstall c.example -Platform wp -Client acme -ErrorAction Stop } | Should -Throw -ErrorId 'ClientSiteLimit*' -PassThru
        $err.Exception.Message | Should -BeLike "*'@client_acme' may have 2 sites and has 2 (@a.example, @b.example)*'@c.example' would be one too many*Set-AegirClient acme -MaxSites 3*remove one of its sites*"
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        # An install is refused the same way, before its task (the platform here was never verified: that error would come later).
        { New-AegirSite c.example -Platform wp -Client acme -ErrorAction Stop } | Should -Throw -ErrorId 'ClientSiteLimit*'
        Get-ContextSnapshot | Should -Be $before
        Get-AegirTask | Should -BeNullOrEmpty
        # Another client, or none, is not held back.
        $null = New-AegirSite -NoInstall c.example -Platform wp
        (Get-AegirSite c.example).ClientName | Should -BeNullOrEmpty
        # Room made, the site is taken.
        Set-AegirClient acme -MaxSites 3
        (New-AegirSite -NoInstall d.example -Platform wp -Client acme).ClientName | Should -Be 'client_acme'
    }

    It 'lets one of three New-AegirSite run at once take the last place' {
        $null = New-AegirClient acme -MaxSites 2
        $null = New-AegirSite -NoInstall a.example -Platform wp -Client acme
        $exe = [Environment]::ProcessPath
        $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        # Each waits for the same moment, so their writes meet at the store's lock.
        $at = [DateTimeOffset]::UtcNow.AddSeconds(6).ToUnixTimeMilliseconds()
        $children = foreach ($i in 1..3) {
            $script = "Import-Module '$env:AEGIR_TEST_MODULE'; `$null = New-AegirSite -NoInstall r$i.example -Platform wp -Client acme -WhatIf; " +
                "Start-Sleep -Milliseconds ([math]::Max(0, $at - [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds())); " +
                "try { `$null = New-AegirSite -NoInstall r$i.example -Platform wp -Client acme -ErrorAction Stop; 'created' } catch { `$_.FullyQualifiedErrorId }"
            $psi = [Diagnostics.ProcessStartInfo]::new($exe)
            foreach ($a in @($prefix) + @('-NoProfile', '-NonInteractive', '-Command', $script)) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardOutput = $true
            [Diagnostics.Process]::Start($psi)
        }
        # The last line of each is its outcome (the -WhatIf that warmed it up printed before).
        $outcomes = foreach ($child in $children) { ($child.StandardOutput.ReadToEnd().Trim() -split "`n")[-1].Trim(); $child.WaitForExit() }
        ($outcomes | Where-Object { $_ -eq 'created' }).Count | Should -Be 1 -Because ($outcomes -join '; ')
        ($outcomes | Where-Object { $_ -like 'ClientSiteLimit*' }).Count | Should -Be 2 -Because ($outcomes -join '; ')
        (Get-AegirSite -Client acme).Count | Should -Be 2
    }

    It 'refuses Set-AegirSite -Client onto a full client, and lets a site keep its own client' {
        $null = New-AegirClient acme -MaxSites 1
        $null = New-AegirSite -NoInstall a.example -Platform wp -Client acme
        $null = New-AegirSite -NoInstall b.example -Platform wp
        $before = Get-ContextSnapshot
        { Set-AegirSite b.example -Client acme -ErrorAction Stop } | Should -Throw -ErrorId 'ClientSiteLimit*' -ExpectedMessage "*'@client_acme' may have 1 site and has 1 (@a.example)*'@b.example'*"
        Get-ContextSnapshot | Should -Be $before
        # The site already counted changes other things freely, and a lowered limit keeps the sites it has.
        Set-AegirSite a.example -Alias www.a.example
        (Get-AegirSite a.example).Aliases | Should -Be 'www.a.example'
        $null = New-AegirSite -NoInstall c.example -Platform wp
        Set-AegirClient acme -MaxSites 0
        Set-AegirSite c.example -Client acme
        Set-AegirClient acme -MaxSites 1
        (Get-AegirSite -Client acme).Name | Should -Be @('a.example', 'c.example')
    }

    It 'shows the sites and disk use against the quota on Get-AegirClient, and a client over it makes its sites unhealthy' {
        $null = New-AegirClient acme -MaxSites 4 -DiskQuota 1MB
        $null = New-AegirClient globex -DiskQuota 1MB
        'a.example', 'b.example' | ForEach-Object { $null = New-AegirSite -NoInstall $_ -Platform wp -Client acme }
        $null = New-AegirSite -NoInstall g.example -Platform wp -Client globex
        $stats = [Aegir.Core.Schedules.StatisticsStore]::new($env:AEGIR_HOME)
        $now = [DateTimeOffset]::UtcNow
        # An older, bigger collection of a.example: only the newest counts.
        $stats.Add([Aegir.Core.Schedules.SiteStatistic]::new('a.example', $now.AddHours(-1), $null, $null, $null, $null, 9MB, 9MB))
        $stats.Add([Aegir.Core.Schedules.SiteStatistic]::new('a.example', $now, $null, $null, $null, $null, 300KB, 500KB))
        $stats.Add([Aegir.Core.Schedules.SiteStatistic]::new('b.example', $now, $null, $null, $null, $null, $null, 300KB))
        $stats.Add([Aegir.Core.Schedules.SiteStatistic]::new('g.example', $now, $null, $null, $null, $null, 100KB, 100KB))

        $acme = Get-AegirClient acme
        $acme.Usage.Sites | Should -Be 2
        $acme.Usage.Measured | Should -Be 2
        $acme.Usage.UsedBytes | Should -Be (1100KB)
        $acme.Usage.QuotaBytes | Should -Be 1MB
        $acme.Usage.OverQuota | Should -BeTrue
        (Get-AegirClient globex).Usage.OverQuota | Should -BeFalse
        $table = Get-AegirClient | Out-String -Width 200
        $table | Should -Match '@client_acme.*2 of 4.*1\.1MB of 1MB \(over\)'
        $table | Should -Match '@client_globex.*200KB of 1MB'

        $unhealthy = Get-AegirSite -Unhealthy
        $unhealthy.Name | Should -Be @('a.example', 'b.example')
        $unhealthy[0].Health.Problems | Should -HaveCount 1
        $unhealthy[0].Health.ToString() | Should -BeLike "*client '@client_acme' is over its disk quota*1.1MB of 1MB*Set-AegirClient acme -DiskQuota 2MB*"
        Get-AegirSite -Unhealthy | Out-String -Width 300 | Should -Match 'a\.example.*over its disk quota'

        # Raised over the use, the sites are healthy again.
        Set-AegirClient acme -DiskQuota 2MB
        Get-AegirSite -Unhealthy | Should -BeNullOrEmpty
    }
}
}
