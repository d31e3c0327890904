# The ACL entries that let a site's account write its platform's shared folders (shared_folders) last only while a
# site of the platform runs as that account on the server: a move to another platform, a removal, or a client's last
# site there leaving takes them away, and an account that is deleted leaves no entry under its number. A real local
# server (nginx, PHP-FPM), real accounts and real ACLs.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Shared folders of a platform' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        Install-TestPackage acl
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $null = Start-AegirLocalServer -HttpServiceType nginx
        $tree = @{
            '.aegir.yml'         = "name: Shop`nversion: 1.0`nsite_folders: ['uploads/{uri}']`nshared_folders: [shared]`nsettings:`n  path: config/{uri}.php`n  template: aegir/site.php.sbn`n"
            'aegir/site.php.sbn' = "<?php const SHOP_SITE = '{{ uri }}';"
            'index.php'          = '<?php echo "shop ", $_SERVER["aegir_site"];'
            'shared/.keep'       = ''
        }
        $one, $two = (Join-Path $work 'platforms/afone'), (Join-Path $work 'platforms/aftwo')
        Write-Tree $one $tree
        Write-Tree $two $tree
        $null = New-AegirPlatform afone $one
        $null = New-AegirPlatform aftwo $two
        $r = Get-Random -Minimum 1000 -Maximum 9999
        $client = "afshare$r"
        $null = New-AegirClient $client
        $clientAccount = [Aegir.Core.Contexts.AccountNames]::ForClient((Get-AegirClient $client).ShortName, $env:AEGIR_HOME)
        function Own([string] $Uri) { [Aegir.Core.Contexts.AccountNames]::ForSite($Uri, $env:AEGIR_HOME) }
        # The named users' entries (by name, or by number once an account is gone) on a shared folder and what is in it.
        function Get-SharedUsers([string] $Root) { @(getfacl -R -p --skip-base "$Root/shared" 2>$null | Where-Object { $_ -match '^(default:)?user:[^:]+:' }) }
    }
    AfterAll {
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    It 'takes the entries of a site''s own account away from the platform it moves from, and with the site' {
        $null = New-AegirSite afsh1.test -Platform afone -ErrorAction Stop
        $account = Own afsh1.test
        Get-SharedUsers $one | Should -Contain "user:${account}:rwx"
        $null = Move-AegirSite afsh1.test -Platform aftwo -Force -ErrorAction Stop
        (Get-SharedUsers $one) -join "`n" | Should -Not -Match ([regex]::Escape($account))
        Get-SharedUsers $two | Should -Contain "user:${account}:rwx"
        Remove-AegirSite afsh1.test -Force -NoBackup -ErrorAction Stop
        getent passwd $account | Should -BeNullOrEmpty
        Get-SharedUsers $two | Should -BeNullOrEmpty -Because 'no entry is left under the deleted account''s number'
    }

    It 'keeps a client''s account entries while another of its sites on the platform runs as it, and takes them with its last site there' {
        $null = Set-AegirServer master -HttpSetting @{ php_accounts = 'per-client' }
        try {
            $null = New-AegirSite afsh2.test -Platform afone -Client $client -ErrorAction Stop
            $null = New-AegirSite afsh3.test -Platform afone -Client $client -ErrorAction Stop
            $null = New-AegirSite afsh4.test -Platform aftwo -Client $client -ErrorAction Stop
            Get-SharedUsers $one | Should -Contain "user:${clientAccount}:rwx"
            Remove-AegirSite afsh2.test -Force -NoBackup -ErrorAction Stop
            Get-SharedUsers $one | Should -Contain "user:${clientAccount}:rwx" -Because 'afsh3.test runs as it there'
            Remove-AegirSite afsh3.test -Force -NoBackup -ErrorAction Stop
            getent passwd $clientAccount | Should -Not -BeNullOrEmpty -Because 'afsh4.test runs as it on the other platform'
            (Get-SharedUsers $one) -join "`n" | Should -Not -Match ([regex]::Escape($clientAccount))
            Get-SharedUsers $two | Should -Contain "user:${clientAccount}:rwx"
            # A site leaving the client's account for its own (no client any more): the client's entries go from its platform.
            $null = New-AegirSite afsh5.test -Platform afone -Client $client -ErrorAction Stop
            Get-SharedUsers $one | Should -Contain "user:${clientAccount}:rwx"
            Set-AegirSite afsh5.test -Client '' -ErrorAction Stop
            Get-SharedUsers $one | Should -Contain "user:$(Own afsh5.test):rwx"
            (Get-SharedUsers $one) -join "`n" | Should -Not -Match ([regex]::Escape($clientAccount))
            Get-SharedUsers $two | Should -Contain "user:${clientAccount}:rwx" -Because 'afsh4.test runs as it there'
            Remove-AegirSite afsh5.test -Force -NoBackup -ErrorAction Stop
            Remove-AegirSite afsh4.test -Force -NoBackup -ErrorAction Stop
            Get-SharedUsers $two | Should -BeNullOrEmpty
            Get-SharedUsers $one | Should -BeNullOrEmpty
        }
        finally { $null = Set-AegirServer master -HttpSetting @{ php_accounts = 'per-site' } }
    }
}
