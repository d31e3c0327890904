BeforeAll { . $PSScriptRoot/TestHelpers.ps1 }

Describe 'Platform cmdlets' {
BeforeEach {
    $null = Reset-AegirHome
    $null = New-TestMaster
}

Describe 'New-AegirPlatform' {
    It 'records a platform on master by default' {
        $p = New-AegirPlatform -Name 'drupal-10.3' -Root /var/aegir/platforms/drupal-10.3/ -NoVerify 3>$null
        $p | Should -BeOfType ([Aegir.Core.Contexts.AegirPlatform])
        $p.Name | Should -Be 'platform_drupal103'
        $p.Root | Should -Be '/var/aegir/platforms/drupal-10.3'
        $p.WebServerName | Should -Be 'server_master'
        $p.GetWebServer().Http.Type | Should -Be 'nginx'
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
        New-AegirPlatform x /srv/x -NoVerify -WhatIf
        Get-ContextFiles | Should -Be @('server_master.yml')
    }

    It 'refuses a root that does not exist, recording nothing' {
        { New-AegirPlatform x (Join-Path $TestDrive 'no-such-code') -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*no such folder*'
        Get-ContextFiles | Should -Be @('server_master.yml')
    }

    It 'plans the record and the verify of a new platform in one task' {
        $code = Join-Path $TestDrive 'plan-code'
        $null = New-Item -ItemType Directory $code
        Set-Content (Join-Path $code 'index.php') '<?php echo 1;'
        $steps = New-AegirPlatform planned $code -Plan
        $steps[0].Description | Should -BeLike "record the platform @platform_planned at $code*"
        $steps.Description | Should -Contain "find the codebase at ${code} on @server_master: php"
        Get-ContextFiles | Should -Be @('server_master.yml')
    }

    It 'records without verifying with -NoVerify, and says the platform must be verified' {
        $p = New-AegirPlatform later /srv/later -NoVerify -WarningVariable warned 3>$null
        $p.Kind | Should -BeNullOrEmpty
        "$warned" | Should -BeLike '*not verified*Invoke-AegirVerify platform_later*'
    }

    It 'keeps a chosen kind, and refuses one that is no kind' {
        (New-AegirPlatform chosen /srv/chosen -Kind php -NoVerify 3>$null).ChosenKind | Should -Be 'php'
        { New-AegirPlatform odd /srv/odd -Kind joomla -NoVerify -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*drupal, drupal7, wordpress, php*'
        Get-ContextFiles | Should -Not -Contain 'platform_odd.yml'
    }

    It 'takes the parameters of a build from git together only, recording nothing otherwise' -ForEach @(
        @{ Given = @{ Git = '/srv/git/shop.git' }; Message = '*needs the tag, branch or commit to build*-Ref*' }
        @{ Given = @{ Ref = 'v1' }; Message = '*-Git names none*' }
        @{ Given = @{ Composer = $true }; Message = '*-Git names no repository*' }
        @{ Given = @{ Git = '/srv/git/shop.git'; Ref = 'v1'; NoVerify = $true }; Message = '*built and verified in one task*' }
        @{ Given = @{ Git = '/srv/git/shop.git'; Ref = 'v1'; Source = '/srv/build' }; Message = '*Give one of -Source and -Git*' }
        @{ Given = @{ Git = 'https://deploy:s3cret@git.example.com/shop.git'; Ref = 'v1' }; Message = '*credential helper*' }
        @{ Given = @{ Git = 'ext::/tmp/run%S'; Ref = 'v1' }; Message = '*runs a helper program*' }
        @{ Given = @{ Git = '/srv/git/shop.git'; Ref = '--upload-pack=x' }; Message = '*not a tag, branch or commit name*' }
    ) {
        $err = { New-AegirPlatform shop /srv/shop @Given -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -PassThru
        $err.Exception.Message | Should -BeLike $Message
        "$($err.Exception.Message) $($err.TargetObject)" | Should -Not -Match 's3cret'
        Get-ContextFiles | Should -Be @('server_master.yml')
    }
}

Describe 'Get-AegirPlatform' {
    BeforeEach {
        $null = New-TestPlatform wp
        $null = New-TestPlatform d10
        $null = New-AegirServer -RemoteHost web1.example.com -HttpServiceType apache
        $null = New-AegirPlatform remote /srv/remote -WebServer web1examplecom -NoVerify 3>$null
    }

    It 'lists platforms in name order and by wildcard' {
        (Get-AegirPlatform).Name | Should -Be @('platform_d10', 'platform_remote', 'platform_wp')
        (Get-AegirPlatform 'w*').Name | Should -Be 'platform_wp'
    }

    It 'filters by web server' {
        (Get-AegirPlatform -WebServer web1examplecom).Name | Should -Be 'platform_remote'
    }

    It 'reads back the web server as an object' {
        (Get-AegirPlatform remote).GetWebServer().RemoteHost | Should -Be 'web1.example.com'
    }

    It 'formats as a table' {
        Get-AegirPlatform wp | Out-String | Should -Match '@platform_wp\s+@server_master\s+False\s+/var/aegir/platforms/wp'
    }
}

Describe 'Set-AegirPlatform' {
    BeforeEach { $null = New-TestPlatform }

    It 'moves an unused platform' {
        (Set-AegirPlatform wp -Root /srv/wp2 -PassThru 3>$null).Root | Should -Be '/srv/wp2'
    }

    It 'refuses to move a platform that has sites' {
        $null = New-AegirSite -NoInstall a.example -Platform wp
        { Set-AegirPlatform wp -Root /srv/wp2 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*@a.example*'
        (Get-AegirPlatform wp).Root | Should -Be '/var/aegir/platforms/wp'
    }

    It 'takes platforms from the pipeline' {
        Get-AegirPlatform wp | Set-AegirPlatform -Root /srv/wp3 3>$null
        (Get-AegirPlatform wp).Root | Should -Be '/srv/wp3'
    }

    It 'chooses a kind, records the platform as unverified, and detects again with auto' {
        $record = (Get-AegirPlatform wp).Path
        (Get-Content -Raw $record) -replace 'kind: null|(?m)^locked', "kind: wordpress`nversion: 6.1`nlocked" | Set-Content -NoNewline $record
        $p = Set-AegirPlatform wp -Kind php -PassThru -WarningVariable warned 3>$null
        $p.ChosenKind | Should -Be 'php'
        $p.Kind | Should -BeNullOrEmpty
        $p.Version | Should -BeNullOrEmpty
        "$warned" | Should -BeLike '*must be verified*'
        (Set-AegirPlatform wp -Kind auto -PassThru 3>$null).ChosenKind | Should -BeNullOrEmpty
    }

    It 'refuses a kind change while sites run on the platform' {
        $null = New-AegirSite -NoInstall a.example -Platform wp
        { Set-AegirPlatform wp -Kind php -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*@a.example*'
        (Get-AegirPlatform wp).ChosenKind | Should -BeNullOrEmpty
    }
}

Describe 'Remove-AegirPlatform' {
    BeforeEach { $null = New-TestPlatform }

    It 'removes an unused platform' {
        Remove-AegirPlatform wp -Force
        Get-AegirPlatform | Should -BeNullOrEmpty
    }

    It 'takes several platforms at once, as Lock- and Unlock-AegirPlatform do' {
        $null = New-TestPlatform d10
        Lock-AegirPlatform wp, d10
        (Get-AegirPlatform wp, d10).Locked | Should -Be @($true, $true)
        Unlock-AegirPlatform wp, d10
        Remove-AegirPlatform wp, d10 -Force
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
