BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $null = Reset-AegirHome
    $null = New-TestMaster
    $null = New-AegirServer -RemoteHost web1.example.com -HttpServiceType nginx
    $null = New-TestPlatform wp
    $null = New-TestPlatform wordpress6
    $null = New-AegirClient acme
    $null = New-AegirSite -NoInstall blog.example.com -Platform wp

    function Complete([string] $line) {
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
    }
}

Describe 'Completion' {
    It 'completes platform names with or without the prefix' {
        Complete 'New-AegirSite x.example -Platform w' | Should -Be @('platform_wordpress6', 'platform_wp')
        Complete 'New-AegirSite x.example -Platform platform_wo' | Should -Be @('platform_wordpress6')
    }

    It 'quotes names typed with @ (a bare @name is splatting)' {
        Complete "Get-AegirServer '@server_m" | Should -Be @("'@server_master'")
        Complete 'Get-AegirServer "@server_w' | Should -Be @("'@server_web1examplecom'")
    }

    It 'completes servers, sites and clients on every parameter that takes one' {
        Complete 'New-AegirPlatform x /srv/x -WebServer ma' | Should -Be @('server_master')
        Complete 'Remove-AegirSite bl' | Should -Be @('blog.example.com')
        Complete 'Set-AegirSite blog.example.com -Client a' | Should -Be @('client_acme')
        Complete 'Get-AegirSite -DbServer m' | Should -Be @('server_master')
        Complete 'Get-AegirPlatform -WebServer w' | Should -Be @('server_web1examplecom')
    }

    It 'completes the names of the type a shared base takes by the command''s noun' {
        Complete 'Remove-AegirServer w' | Should -Be @('server_web1examplecom')
        Complete 'Remove-AegirClient ' | Should -Be @('client_acme')
        Complete 'Set-AegirClient a' | Should -Be @('client_acme')
    }

    It 'completes service types from the registry' {
        Complete 'New-AegirServer -Name x -HttpServiceType ' | Should -Be @('apache', 'cluster', 'nginx', 'none')
        Complete 'Set-AegirServer master -DbServiceType m' | Should -Be @('mysql')
    }

    It 'completes task ids newest first, and task types' {
        'wp' | Lock-AegirPlatform
        'wp' | Unlock-AegirPlatform
        $ids = @(Get-AegirTask | ForEach-Object Id)
        $ids.Count | Should -Be 2
        Complete 'Get-AegirTask ' | Should -Be $ids
        Complete "Get-AegirTask -Id $($ids[1].Substring(0, 20))" | Should -Contain $ids[1]
        Complete 'Get-AegirTask -Type ver' | Should -Be @('verify')
        Complete 'Get-AegirTask -Type ' | Should -Contain 'install'
    }

    It 'completes a site''s host names for aliases and redirection' {
        Set-AegirSite blog.example.com -Alias www.blog.example.com, old.example.com
        Complete 'Set-AegirSite blog.example.com -RemoveAlias o' | Should -Be @('old.example.com')
        Complete 'Set-AegirSite blog.example.com -Redirection ' | Should -Be @('blog.example.com', 'www.blog.example.com', 'old.example.com')
        Complete 'Set-AegirSite blog.example.com -RemoveAlias old.example.com -Redirection ' | Should -Be @('blog.example.com', 'www.blog.example.com')
        Complete 'Set-AegirSite blog.example.com -AddAlias ' | Should -BeNullOrEmpty
        Complete 'New-AegirSite shop.example -Alias ' | Should -Be @('www.shop.example')
        Complete 'New-AegirSite shop.example -Alias www.shop.example, m.shop.example -Redirection m' | Should -Be @('m.shop.example')
    }

    It 'offers nothing for an empty store' {
        $env:AEGIR_HOME = Join-Path $TestDrive 'empty'
        Complete 'Get-AegirSite ' | Should -BeNullOrEmpty
    }
}
