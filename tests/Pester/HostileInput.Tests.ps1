BeforeAll { . $PSScriptRoot/TestHelpers.ps1 }

# Each case runs against a home with master, a platform and a site, and must be refused
# with an error that says what is wrong, leaving every context file as it was.
BeforeDiscovery {
    $long = 'a' * 300
    $cases = @(
        @{ Name = 'uri with a newline'; Run = { New-AegirSite "a`nb.example" -Platform wp } }
        @{ Name = 'uri with ;'; Run = { New-AegirSite 'a;b.example' -Platform wp } }
        @{ Name = 'uri with {'; Run = { New-AegirSite 'a{b.example' -Platform wp } }
        @{ Name = 'uri with }'; Run = { New-AegirSite 'a}b.example' -Platform wp } }
        @{ Name = 'uri with a double quote'; Run = { New-AegirSite 'a"b.example' -Platform wp } }
        @{ Name = 'uri with a single quote'; Run = { New-AegirSite "a'b.example" -Platform wp } }
        @{ Name = 'uri that climbs with ../'; Run = { New-AegirSite '../etc/passwd' -Platform wp } }
        @{ Name = 'uri with a space'; Run = { New-AegirSite 'a b.example' -Platform wp } }
        @{ Name = 'uri with a tab'; Run = { New-AegirSite "`tab.example" -Platform wp } }
        @{ Name = 'uri with a right-to-left override'; Run = { New-AegirSite "evil$([char]0x202E)elpmaxe.com" -Platform wp } }
        @{ Name = 'uri with a zero-width space'; Run = { New-AegirSite "zero$([char]0x200B)width.example" -Platform wp } }
        @{ Name = 'uri with a NUL'; Run = { New-AegirSite "nul$([char]0)byte.example" -Platform wp } }
        @{ Name = 'uri with an escape character'; Run = { New-AegirSite "esc$([char]27)[31m.example" -Platform wp } }
        @{ Name = 'over-long uri'; Run = { New-AegirSite "$long.example" -Platform wp } }
        @{ Name = 'over-long uri of short labels'; Run = { New-AegirSite ((1..60 | ForEach-Object { 'abcd' }) -join '.') -Platform wp } }
        @{ Name = 'empty uri'; Run = { New-AegirSite '' -Platform wp } }
        @{ Name = 'blank uri'; Run = { New-AegirSite '   ' -Platform wp } }
        @{ Name = 'uri that is a URL'; Run = { New-AegirSite 'http://example.com' -Platform wp } }
        @{ Name = 'uri with a path'; Run = { New-AegirSite 'example.com/admin' -Platform wp } }
        @{ Name = 'uri with a port'; Run = { New-AegirSite 'example.com:8080' -Platform wp } }
        @{ Name = 'uri with a wildcard'; Run = { New-AegirSite '*.example.com' -Platform wp } }
        @{ Name = 'uri with $'; Run = { New-AegirSite 'exa$mple.com' -Platform wp } }
        @{ Name = 'uri with an empty label'; Run = { New-AegirSite 'example..com' -Platform wp } }
        @{ Name = 'uri with a leading hyphen'; Run = { New-AegirSite '-example.com' -Platform wp } }
        @{ Name = 'uri that is an IP address'; Run = { New-AegirSite '10.1.2.3' -Platform wp } }
        @{ Name = 'uri with a trailing dot'; Run = { New-AegirSite 'example.com.' -Platform wp } }
        @{ Name = 'uri with a backtick'; Run = { New-AegirSite 'ex`ample.com' -Platform wp } }
        @{ Name = 'uri with an underscore'; Run = { New-AegirSite 'server_x.example' -Platform wp } }
        @{ Name = 'alias with ;'; Run = { Set-AegirSite taken.example -AddAlias 'www.a.example;rm' } }
        @{ Name = 'alias with CRLF header injection'; Run = { Set-AegirSite taken.example -AddAlias "a.example`r`nX-Evil: 1" } }
        @{ Name = 'alias that is the uri'; Run = { Set-AegirSite taken.example -AddAlias 'taken.example' } }
        @{ Name = 'redirection to a stranger'; Run = { Set-AegirSite taken.example -Redirection 'elsewhere.example' } }
        @{ Name = 'platform name with ;'; Run = { New-AegirPlatform 'wp;x' /srv/x } }
        @{ Name = 'platform name with ../'; Run = { New-AegirPlatform '../wp' /srv/x } }
        @{ Name = 'platform name with a newline'; Run = { New-AegirPlatform "wp`nx" /srv/x } }
        @{ Name = 'over-long platform name'; Run = { New-AegirPlatform ('p' * 100) /srv/x } }
        @{ Name = 'relative root'; Run = { New-AegirPlatform x 'platforms/x' } }
        @{ Name = 'root that climbs with ..'; Run = { New-AegirPlatform x '/var/aegir/../../etc' } }
        @{ Name = 'root with a space'; Run = { New-AegirPlatform x '/var/a b' } }
        @{ Name = 'root with ;'; Run = { New-AegirPlatform x '/var/x;rm -rf /' } }
        @{ Name = 'root with { }'; Run = { New-AegirPlatform x '/var/{x}' } }
        @{ Name = 'root with $'; Run = { New-AegirPlatform x '/var/$HOME' } }
        @{ Name = 'root with a newline'; Run = { New-AegirPlatform x "/var/x`nserver { }" } }
        @{ Name = 'root that is /'; Run = { New-AegirPlatform x '/' } }
        @{ Name = 'remote host with ;'; Run = { New-AegirServer -RemoteHost 'host;rm -rf /' } }
        @{ Name = 'remote host with a space'; Run = { New-AegirServer -RemoteHost 'host name.example' } }
        @{ Name = 'client name with ;'; Run = { New-AegirClient 'acme; drop' } }
        @{ Name = 'email with a header injection'; Run = { New-AegirClient acme -Email "a@b.example`nBcc: c@d.example" } }
        @{ Name = 'email in angle brackets'; Run = { New-AegirClient acme -Email '<a@b.example>' } }
        @{ Name = 'language with ;'; Run = { Set-AegirSite taken.example -Language 'en;rm' } }
        @{ Name = 'profile with a path'; Run = { Set-AegirSite taken.example -Profile 'standard/../x' } }
        @{ Name = 'restart command with ;'; Run = { Set-AegirServer master -HttpSetting @{ restart_command = 'nginx -s reload; rm -rf /' } } }
        @{ Name = 'config test command with $( )'; Run = { Set-AegirServer master -HttpSetting @{ config_test_command = 'nginx $(id)' } } }
        @{ Name = 'script user with ;'; Run = { Set-AegirServer master -ScriptUser 'root;id' } }
        @{ Name = 'port 0'; Run = { Set-AegirServer master -HttpPort 0 } }
        @{ Name = 'port 70000'; Run = { Set-AegirServer master -DbPort 70000 } }
        @{ Name = 'admin password with a newline'; Run = { Set-AegirServer master -DbAdminCredential ([pscredential]::new('root', (ConvertTo-SecureString "pw`nmore" -AsPlainText -Force))) } }
        @{ Name = 'unknown http setting'; Run = { Set-AegirServer master -HttpSetting @{ 'include /etc/shadow' = 'x' } } }
        @{ Name = 'web group with a space'; Run = { Set-AegirServer master -HttpSetting @{ web_group = 'www data' } } }
        @{ Name = 'php socket with a newline'; Run = { Set-AegirServer master -HttpSetting @{ php_fpm_socket = "/run/x.sock`nfastcgi_pass evil" } } }
    )
}

Describe 'Hostile input' {
    BeforeAll {
        $null = Reset-AegirHome
        $null = New-TestMaster
        $null = New-TestPlatform
        $null = New-AegirSite -NoInstall taken.example -Platform wp
        $script:before = Get-ContextSnapshot
    }

    It 'has at least 40 cases' -ForEach @(@{ Count = $cases.Count }) {
        $Count | Should -BeGreaterOrEqual 40
    }

    It 'refuses <Name> and writes nothing' -ForEach $cases {
        $failure = $null
        $ErrorActionPreference = 'Stop'
        try { & $Run | Out-Null } catch { $failure = $_ }
        $failure | Should -Not -BeNullOrEmpty -Because 'hostile input must be refused'
        $failure.Exception.Message | Should -Match '(not valid|is required|empty|cannot|not allowed|has no setting|argument)' -Because 'the error must say what is wrong'
        $failure.Exception.Message | Should -Not -Match 'Pester-Admin-Secret'
        Get-ContextSnapshot | Should -Be $script:before
    }
}
