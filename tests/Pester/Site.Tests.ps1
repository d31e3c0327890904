BeforeAll { . $PSScriptRoot/TestHelpers.ps1 }

Describe 'Site cmdlets' {
BeforeEach {
    $null = Reset-AegirHome
    $null = New-TestMaster
    $null = New-TestPlatform
}

Describe 'New-AegirSite' {
    It 'records a site that is not installed yet' {
        $site = New-AegirSite -NoInstall -Uri Example.COM -Platform wp -Alias www.example.com -Redirection example.com
        $site | Should -BeOfType ([Aegir.Core.Contexts.AegirSite])
        $site.Uri | Should -Be 'example.com'
        $site.Status | Should -Be 'NotInstalled'
        $site.Aliases | Should -Be @('www.example.com')
        $site.Redirection | Should -Be 'example.com'
        $site.DbServerName | Should -Be 'server_master'
        $site.Profile | Should -Be 'standard'
        $site.Language | Should -Be 'en'
        $site.Url | Should -Be 'http://example.com/'
    }

    It 'checks -Title and -AdminEmail with -NoInstall too, and warns that they go unused' {
        { New-AegirSite -NoInstall a.example -Platform wp -Title "T`nx" -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*'
        { New-AegirSite -NoInstall a.example -Platform wp -AdminEmail "a@b.com`nBcc: x@y.com" -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*'
        Get-ContextFiles | Should -Not -Contain 'a.example.yml'
        $site = New-AegirSite -NoInstall a.example -Platform wp -Title 'Fine' -AdminEmail 'a@b.com' -WarningVariable warned 3>$null
        $site.Status | Should -Be 'NotInstalled'
        "$warned" | Should -Match '-Title was not used: -NoInstall records the site only; give it to Install-AegirSite a.example'
        "$warned" | Should -Match '-AdminEmail was not used'
    }

    It 'stores international names as punycode' {
        (New-AegirSite -NoInstall 'bücher.example' -Platform wp).Uri | Should -Be 'xn--bcher-kva.example'
        Get-ContextFiles | Should -Contain 'xn--bcher-kva.example.yml'
    }

    It 'reads back its platform and the platform server as objects' {
        $site = New-AegirSite -NoInstall a.example -Platform '@platform_wp'
        $site.GetPlatform() | Should -BeOfType ([Aegir.Core.Contexts.AegirPlatform])
        $site.GetPlatform().GetWebServer().Name | Should -Be 'server_master'
        $site.GetDbServer().Db.Type | Should -Be 'mysql'
    }

    It 'takes the per-site settings of piped objects by property name, each object its own' {
        $sites = @(
            [pscustomobject]@{ Uri = 'a.test'; Alias = 'www.a.test' }
            [pscustomobject]@{ Uri = 'b.test'; Alias = @('www.b.test', 'shop.b.test'); Redirection = 'www.b.test'; Https = 'Required'; CertificateSource = 'SelfSigned' }
            [pscustomobject]@{ Uri = 'c.test' }
        )
        $made = $sites | New-AegirSite -NoInstall -Platform wp
        $made.Count | Should -Be 3
        foreach ($uri in 'a.test', 'b.test', 'c.test') { Get-ContextFiles | Should -Contain "$uri.yml" }
        $a, $b, $c = 'a.test', 'b.test', 'c.test' | ForEach-Object { Get-AegirSite $_ }
        $a.Aliases | Should -Be @('www.a.test')
        $a.Https | Should -Be 'Disabled'
        $b.Aliases | Should -Be @('www.b.test', 'shop.b.test')
        $b.Redirection | Should -Be 'www.b.test'
        $b.Https | Should -Be 'Required'
        $b.CertificateSource | Should -Be 'SelfSigned'
        $c.Aliases | Should -BeNullOrEmpty   # not the alias of the object before it
        $c.Https | Should -Be 'Disabled'
        # Set-AegirSite takes none of them from a piped site record, which has properties of the same names.
        (Get-Command Set-AegirSite).Parameters['Https'].ParameterSets.Values.ValueFromPipelineByPropertyName | Should -Not -Contain $true
    }

    It 'refuses a host name another site has' {
        $null = New-AegirSite -NoInstall a.example -Platform wp -Alias www.a.example
        { New-AegirSite -NoInstall b.example -Platform wp -Alias www.a.example -ErrorAction Stop } | Should -Throw -ErrorId 'HostNameTaken*'
        { New-AegirSite -NoInstall www.a.example -Platform wp -ErrorAction Stop } | Should -Throw -ExpectedMessage '*@a.example*'
        Get-ContextFiles | Should -Not -Contain 'b.example.yml'
    }

    It 'refuses a platform that is not a platform' {
        $null = New-AegirClient acme
        { New-AegirSite -NoInstall a.example -Platform nope -ErrorAction Stop } | Should -Throw -ErrorId 'ContextNotFound*'
    }

    It 'refuses a database server without a db service' {
        $null = New-AegirServer -RemoteHost web1.example -HttpServiceType nginx
        { New-AegirSite -NoInstall a.example -Platform wp -DbServer web1example -ErrorAction Stop } | Should -Throw -ErrorId 'ServiceMissing*'
    }

    It 'takes the client, profile and language' {
        $null = New-AegirClient acme
        $site = New-AegirSite -NoInstall a.example -Platform wp -Client acme -Profile minimal -Language PT-BR
        $site.GetClient().Name | Should -Be 'client_acme'
        ($site.Profile, $site.Language) | Should -Be @('minimal', 'pt-br')
    }

    It 'creates sites from objects by property name and goes on past a bad one' {
        $rows = @(
            [pscustomobject]@{ Uri = 'one.example'; Platform = 'wp' }
            [pscustomobject]@{ Uri = 'bad uri'; Platform = 'wp' }
            [pscustomobject]@{ Uri = 'two.example'; Platform = 'wp' }
        )
        $made = $rows | New-AegirSite -NoInstall -ErrorVariable errs -ErrorAction SilentlyContinue
        $made.Uri | Should -Be @('one.example', 'two.example')
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'changes nothing with -WhatIf' {
        $before = Get-ContextSnapshot
        New-AegirSite -NoInstall a.example -Platform wp -WhatIf
        Get-ContextSnapshot | Should -Be $before
    }

    It 'prints each planned change with -WhatIf: the database, each folder with its mode, the vhost, the reload, the record' {
        Add-Content (Get-AegirPlatform wp).Path 'kind: wordpress'   # as verify records it
        $before = Get-ContextSnapshot
        $out = Invoke-AegirChild 'New-AegirSite blog.example -Platform wp -WhatIf'
        $out | Should -Contain 'What if: record the site blog.example on @platform_wp, database on @server_master'
        $out | Should -Contain 'What if: create database `blogexample` and user `blogexample` on @server_master, granted to 127.0.0.1, localhost'
        $account = [Aegir.Core.Contexts.AccountNames]::ForSite('blog.example', $env:AEGIR_HOME)
        $out | Should -Contain "What if: make the account $account of blog.example on @server_master, and the PHP folders of blog.example in /var/lib/aegir/php/$account"
        $out | Should -Contain "What if: set wp-content/uploads/sites/blog.example to 2770 ${account}:www-data in /var/aegir/platforms/wp"
        $out | Should -Contain "What if: write $env:AEGIR_HOME/config/server_master/nginx/vhost.d/blog.example.conf and test the nginx config of @server_master"
        $out | Should -Contain 'What if: run the wordpress installer (profile standard, language en)'
        $out | Should -Contain 'What if: reload nginx on @server_master (once, at the end of this pipeline)'
        $out | Should -Contain 'What if: record blog.example as Installed'
        Get-ContextSnapshot | Should -Be $before
        Test-Path (Join-Path $env:AEGIR_HOME 'tasks') | Should -BeFalse
        Test-Path (Join-Path $env:AEGIR_HOME 'config') | Should -BeFalse
    }

    It 'returns the same plan as objects with -Plan, and changes nothing' {
        Add-Content (Get-AegirPlatform wp).Path 'kind: wordpress'
        $before = Get-ContextSnapshot
        $plan = New-AegirSite blog.example -Platform wp -Plan
        $plan[0] | Should -BeOfType ([Aegir.Core.Operations.AegirPlanStep])
        $plan.Order | Should -Be (1..$plan.Count)
        ($plan | Where-Object Action -EQ Create).Description | Should -Match '^create database `blogexample`|^make the account blog-example-'
        @($plan | Where-Object Action -EQ Create).Count | Should -Be 2
        ($plan | Where-Object Action -EQ Reload).On | Should -Be 'server_master'
        $plan | Out-String | Should -Match 'Record\s+@blog\.example\s+record blog\.example as Installed'
        Get-ContextSnapshot | Should -Be $before
    }

    It 'refuses an unverified platform already in its plan' {
        { New-AegirSite blog.example -Platform wp -Plan -ErrorAction Stop } | Should -Throw '*has not been verified*'
    }
}

Describe 'Get-AegirSite' {
    BeforeEach {
        $null = New-TestPlatform d10
        $null = New-AegirClient acme
        $null = New-AegirSite -NoInstall a.example -Platform wp -Alias www.a.example -Client acme
        $null = New-AegirSite -NoInstall b.example -Platform d10
        $null = New-AegirSite -NoInstall c.example -Platform wp
    }

    It 'lists every site in uri order' {
        (Get-AegirSite).Uri | Should -Be @('a.example', 'b.example', 'c.example')
    }

    It 'finds a site by an alias' {
        (Get-AegirSite www.a.example).Uri | Should -Be 'a.example'
    }

    It 'filters by platform, client and status' {
        (Get-AegirSite -Platform wp).Uri | Should -Be @('a.example', 'c.example')
        (Get-AegirSite -Client acme).Uri | Should -Be 'a.example'
        (Get-AegirSite -Status NotInstalled).Count | Should -Be 3
        Get-AegirSite -Status Installed | Should -BeNullOrEmpty
    }

    It 'takes wildcards' {
        (Get-AegirSite '[ab]*').Uri | Should -Be @('a.example', 'b.example')
    }

    It 'reports a broken file with its line and still lists the rest' {
        Set-Content (Join-Path $env:AEGIR_HOME 'contexts/broken.example.yml') "type: site`nplatform: platform_wp`nlanguage: 'english language'"
        $sites = Get-AegirSite -ErrorVariable errs -ErrorAction SilentlyContinue
        $sites.Count | Should -Be 3
        $errs.Count | Should -Be 1
        $errs[0].Exception.Message | Should -Match 'broken\.example\.yml, line 3'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'CorruptContextFile*'
    }

    It 'formats as a table with its address and its platform''s kind' {
        Get-AegirSite a.example | Out-String -Width 200 | Should -Match 'a\.example\s+NotInstalled\s+http://a\.example/\s+@platform_wp\s+@server_master\s+@client_acme'
        $record = (Get-AegirPlatform wp).Path
        Add-Content $record 'kind: wordpress'
        Get-AegirSite a.example | Out-String -Width 200 | Should -Match 'a\.example\s+NotInstalled\s+wordpress\s+http://a\.example/'
    }

    It 'gives its address with the web server''s port' {
        $null = Set-AegirServer master -HttpSetting @{ port = 8080 }
        (Get-AegirSite a.example).Url | Should -Be 'http://a.example:8080/'
    }

    It 'converts to compact JSON for scripts: references as names, enums as names' {
        $json = Get-AegirSite a.example | ConvertTo-Json -Depth 5
        # Its own fields only (about 1 KB): a record that dragged its platform's or server's whole graph along would be many.
        $json.Length | Should -BeLessThan 1500
        $data = $json | ConvertFrom-Json
        $data.PlatformName, $data.DbServerName, $data.ClientName | Should -Be @('platform_wp', 'server_master', 'client_acme')
        $data.Status | Should -Be 'NotInstalled'
        $data.Type | Should -Be 'Site'
        $data.Platform, $data.DbServer | Should -Be @('platform_wp', 'server_master') -Because 'Platform and DbServer are the names too, for Format-Table and Select-Object'
        $data.Health.Healthy | Should -BeTrue -Because 'a site asked for by name carries its health'
        (Get-AegirServer master | ConvertTo-Json -Depth 5 | ConvertFrom-Json).Db.Settings.admin_password | Should -Be '********'
        (Get-AegirSite a.example).psbase.Status | Should -BeOfType ([Aegir.Core.Contexts.SiteStatus])
    }
}

Describe 'Set-AegirSite' {
    BeforeEach { $null = New-AegirSite -NoInstall a.example -Platform wp -Alias www.a.example -Redirection a.example }

    It 'adds and removes aliases' {
        $site = Set-AegirSite a.example -AddAlias shop.a.example -PassThru
        $site.Aliases | Should -Be @('www.a.example', 'shop.a.example')
        $site = Set-AegirSite a.example -RemoveAlias www.a.example -PassThru
        $site.Aliases | Should -Be @('shop.a.example')
    }

    It 'turns redirection off with an empty string' {
        Set-AegirSite a.example -Redirection ''
        (Get-AegirSite a.example).Redirection | Should -BeNullOrEmpty
    }

    It 'hands a platform''s sites to a client through the pipeline' {
        $null = New-AegirClient acme
        $null = New-AegirSite -NoInstall b.example -Platform wp
        Get-AegirSite -Platform wp | Set-AegirSite -Client acme
        (Get-AegirSite -Client acme).Uri | Should -Be @('a.example', 'b.example')
    }

    It 'takes several uris, as the other action cmdlets do' {
        $null = New-AegirSite -NoInstall b.example -Platform wp
        Set-AegirSite a.example, b.example -CronInterval 30m
        (Get-AegirSite a.example, b.example).CronInterval | Should -Be @('30m', '30m')
    }

    It 'refuses an alias another site has, and keeps the site as it was' {
        $null = New-AegirSite -NoInstall b.example -Platform wp
        $before = Get-ContextSnapshot
        { Set-AegirSite b.example -AddAlias www.a.example -ErrorAction Stop } | Should -Throw -ErrorId 'HostNameTaken*'
        Get-ContextSnapshot | Should -Be $before
    }

    It 'moves a site that is not installed to another platform' {
        $null = New-TestPlatform d10
        (Set-AegirSite a.example -Platform d10 -PassThru).PlatformName | Should -Be 'platform_d10'
    }

    It 'refuses to change the platform of an installed site' {
        $null = New-TestPlatform d10
        $file = Join-Path $env:AEGIR_HOME 'contexts/a.example.yml'
        (Get-Content -Raw $file) -replace 'status: NotInstalled', 'status: Installed' | Set-Content $file
        { Set-AegirSite a.example -Platform d10 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*migration*'
    }

    It 'changes nothing with -WhatIf' {
        $before = Get-ContextSnapshot
        Set-AegirSite a.example -Language de -WhatIf
        Get-ContextSnapshot | Should -Be $before
    }
}

Describe 'Remove-AegirSite' {
    It 'removes a site and frees its names' {
        $null = New-AegirSite -NoInstall a.example -Platform wp -Alias www.a.example
        Remove-AegirSite a.example -Force
        Get-AegirSite | Should -BeNullOrEmpty
        (New-AegirSite -NoInstall www.a.example -Platform wp).Uri | Should -Be 'www.a.example'
    }

    It 'removes sites from the pipeline' {
        $null = New-AegirSite -NoInstall a.example -Platform wp
        $null = New-AegirSite -NoInstall b.example -Platform wp
        Get-AegirSite | Remove-AegirSite -Force
        Get-ContextFiles | Should -Be @('platform_wp.yml', 'server_master.yml')
    }

    It 'removes several sites named at once, each in turn, an error for one that is not there' {
        $null = New-AegirSite -NoInstall a.example -Platform wp
        $null = New-AegirSite -NoInstall b.example -Platform wp
        Remove-AegirSite a.example, gone.example, b.example -Force -ErrorVariable errs -ErrorAction SilentlyContinue
        Get-AegirSite | Should -BeNullOrEmpty
        $errs.Count | Should -Be 1
        $errs[0].TargetObject | Should -Be 'gone.example'
    }

    It 'changes nothing with -WhatIf' {
        $null = New-AegirSite -NoInstall a.example -Platform wp
        Remove-AegirSite a.example -WhatIf
        (Get-AegirSite).Uri | Should -Be 'a.example'
    }
}

Describe 'Plain names down the pipeline' {
    It 'binds a piped name to <Command>, which then looks the site up' -ForEach @(
        @{ Command = 'Disable-AegirSite' }, @{ Command = 'Enable-AegirSite' }, @{ Command = 'Install-AegirSite' },
        @{ Command = 'Remove-AegirSite' }, @{ Command = 'Invoke-AegirVerify' }, @{ Command = 'Get-AegirSiteCredential' }
    ) {
        $extra = if ($Command -eq 'Remove-AegirSite') { @{ Force = $true } } else { @{} }
        'nosuch.example', 'other.example' | & $Command @extra -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | Should -HaveCount 2
        $errs.FullyQualifiedErrorId | ForEach-Object { $_ | Should -BeLike 'ContextNotFound*' }
        ($errs.Exception.Message -join ' ') | Should -Match 'nosuch.example.*other.example'
    }

    It 'edits the record of each site named down the pipeline' {
        $null = New-AegirSite -NoInstall a.example -Platform wp
        $null = New-AegirSite -NoInstall b.example -Platform wp
        'a.example', 'b.example' | Set-AegirSite -Profile minimal
        (Get-AegirSite).Profile | Should -Be @('minimal', 'minimal')
    }

    It 'binds a piped name to the platform, server and client cmdlets too' {
        'wp' | Lock-AegirPlatform
        (Get-AegirPlatform wp).Locked | Should -BeTrue
        'wp' | Unlock-AegirPlatform
        $null = New-AegirClient acme
        'acme' | Set-AegirClient -Email ops@acme.example
        (Get-AegirClient acme).Email | Should -Be 'ops@acme.example'
        'master' | Set-AegirServer -ScriptUser aegir
        (Get-AegirServer master).ScriptUser | Should -Be 'aegir'
    }
}

Describe 'Get-AegirSiteCredential' {
    It 'hands back an installed site''s database account as a PSCredential, with where its database is' {
        $null = New-AegirSite -NoInstall cred.example -Platform wp
        $record = (Get-AegirSite cred.example).Path
        (Get-Content -Raw $record) -replace 'status: NotInstalled', "status: Installed`ndb_name: credexample`ndb_password: Cred-Secret-123" | Set-Content -NoNewline $record
        $cred = Get-AegirSiteCredential cred.example
        $cred | Should -BeOfType ([pscredential])
        $cred.UserName | Should -Be 'credexample'
        $cred.Password | Should -BeOfType ([securestring])
        $cred.GetNetworkCredential().Password | Should -Be 'Cred-Secret-123'
        $cred.Site, $cred.Driver, $cred.Database | Should -Be @('cred.example', 'mysql', 'credexample')
        $cred.Port | Should -Be (Get-AegirServer master).Db.GetInt('port')
        ($cred | Format-List | Out-String) | Should -Not -Match 'Cred-Secret-123'
    }

    It 'refuses a site that is not installed: it has no database yet' {
        $null = New-AegirSite -NoInstall new.example -Platform wp
        { Get-AegirSiteCredential new.example -ErrorAction Stop } | Should -Throw -ErrorId 'SiteNotInstalled*' -ExpectedMessage '*not installed*Install-AegirSite*'
    }
}

Describe 'Error ids' {
    It 'names each kind of failure, so scripts can branch on it' {
        $null = New-AegirSite -NoInstall new.example -Platform wp
        Install-AegirSite new.example -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'PlatformNotVerified,*'
        Disable-AegirSite new.example -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'SiteNotInstalled,*'
        $ids = [Aegir.Core.Errors.ErrorCatalog].GetMethods() | Where-Object ReturnType -EQ ([Aegir.Core.Errors.AegirException])
        $ids | Should -Not -BeNullOrEmpty
    }
}

Describe 'Invoke-AegirSiteCommand' {
    It 'refuses a site that is not installed, running nothing' {
        $null = New-AegirSite -NoInstall new.example -Platform wp
        $marker = Join-Path $TestDrive 'ran'
        Invoke-AegirSiteCommand new.example -ErrorVariable errs -ErrorAction SilentlyContinue -- touch $marker
        $errs[0].Exception.Message | Should -Match 'not installed'
        Test-Path $marker | Should -BeFalse
    }

    It 'says what it would run with -WhatIf, and runs nothing' {
        $null = New-AegirSite -NoInstall w.example -Platform wp
        $out = Invoke-AegirChild "Invoke-AegirSiteCommand w.example -WhatIf -- php -v"
        ($out -join "`n") | Should -Match 'What if: .*php -v.*w\.example'
    }

    It 'needs a program' {
        { Invoke-AegirSiteCommand w.example -ErrorAction Stop } | Should -Throw
    }
}
}
