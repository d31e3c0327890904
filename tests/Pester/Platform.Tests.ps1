BeforeAll { . $PSScriptRoot/TestHelpers.ps1 }

Describe 'Platform cmdlets' {
BeforeEach {
    $null = Reset-AegirHome
    $null = New-TestMaster
}

Describe 'New-AegirPlatform' {
    It 'records a platform on master by default' {
        $p = New-AegirPlatform -Name 'drupal-10.3' -Root /var/aegir/platforms/drupal-10.3/
        $p | Should -BeOfType ([Aegir.Core.Contexts.AegirPlatform])
        $p.Name | Should -Be 'platform_drupal103'
        $p.Root | Should -Be '/var/aegir/platforms/drupal-10.3'
        $p.WebServerName | Should -Be 'server_master'
        $p.WebServer.Http.Type | Should -Be 'nginx'
        $p.Locked | Should -BeFalse
    }

    It 'needs a web server that exists and serves http' {
        { New-AegirPlatform x /srv/x -WebServer nope -ErrorAction Stop } | Should -Throw -ErrorId 'ContextNotFound*'
        $null = New-AegirServer -RemoteHost db1.example -DbServiceType mysql
        { New-AegirPlatform x /srv/x -WebServer db1example -ErrorAction Stop } | Should -Throw -ErrorId 'ServiceMissing*'
        Get-ContextFiles | Should -Not -Contain 'platform_x.yml'
    }

    It 'refuses a root another platform has' {
        $null = New-TestPlatform
        { New-AegirPlatform copy /var/aegir/platforms/wp -ErrorAction Stop } | Should -Throw -ExpectedMessage '*@platform_wp*'
    }

    It 'changes nothing with -WhatIf' {
        New-AegirPlatform x /srv/x -WhatIf
        Get-ContextFiles | Should -Be @('server_master.yml')
    }
}

Describe 'Get-AegirPlatform' {
    BeforeEach {
        $null = New-TestPlatform wp
        $null = New-TestPlatform d10
        $null = New-AegirServer -RemoteHost web1.example.com -HttpServiceType apache
        $null = New-AegirPlatform remote /srv/remote -WebServer web1examplecom
    }

    It 'lists platforms in name order and by wildcard' {
        (Get-AegirPlatform).Name | Should -Be @('platform_d10', 'platform_remote', 'platform_wp')
        (Get-AegirPlatform 'w*').Name | Should -Be 'platform_wp'
    }

    It 'filters by web server' {
        (Get-AegirPlatform -WebServer web1examplecom).Name | Should -Be 'platform_remote'
    }

    It 'reads back the web server as an object' {
        (Get-AegirPlatform remote).WebServer.RemoteHost | Should -Be 'web1.example.com'
    }

    It 'formats as a table' {
        Get-AegirPlatform wp | Out-String | Should -Match '@platform_wp\s+@server_master\s+False\s+/var/aegir/platforms/wp'
    }
}

Describe 'Set-AegirPlatform' {
    BeforeEach { $null = New-TestPlatform }

    It 'moves an unused platform' {
        (Set-AegirPlatform wp -Root /srv/wp2 -PassThru).Root | Should -Be '/srv/wp2'
    }

    It 'refuses to move a platform that has sites' {
        $null = New-AegirSite -NoInstall a.example -Platform wp
        { Set-AegirPlatform wp -Root /srv/wp2 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*@a.example*'
        (Get-AegirPlatform wp).Root | Should -Be '/var/aegir/platforms/wp'
    }

    It 'takes platforms from the pipeline' {
        Get-AegirPlatform wp | Set-AegirPlatform -Root /srv/wp3
        (Get-AegirPlatform wp).Root | Should -Be '/srv/wp3'
    }
}

Describe 'Remove-AegirPlatform' {
    BeforeEach { $null = New-TestPlatform }

    It 'removes an unused platform' {
        Remove-AegirPlatform wp -Force
        Get-AegirPlatform | Should -BeNullOrEmpty
    }

    It 'is refused while sites run on it' {
        $null = New-AegirSite -NoInstall a.example -Platform wp
        Remove-AegirPlatform wp -Force -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ContextInUse*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        (Get-AegirPlatform wp) | Should -Not -BeNullOrEmpty
    }
}
}
