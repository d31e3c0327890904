# Stop-AegirLocalServer -RemoveData removes what the module made for the home on this machine: the client groups it
# made (by its notes) go with the sites' accounts; a group it adopted, or one someone else is in, stays. Real groups.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Stop-AegirLocalServer -RemoveData' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        Install-TestPackage acl
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $null = Start-AegirLocalServer -HttpServiceType nginx
        $shop = Join-Path $work 'platforms/afshop'
        Write-Tree $shop @{
            '.aegir.yml'         = "name: Shop`nversion: 1.0`nsite_folders: ['uploads/{uri}']`nsettings:`n  path: config/{uri}.php`n  template: aegir/site.php.sbn`n"
            'aegir/site.php.sbn' = "<?php const SHOP_SITE = '{{ uri }}';"
            'index.php'          = '<?php echo "shop ", $_SERVER["aegir_site"];'
        }
        $null = New-AegirPlatform afshop $shop
        $r = Get-Random -Minimum 1000 -Maximum 9999
        $made, $adopted, $shared = "af-m$r", "af-a$r", "af-s$r"
        $stranger = "afstr$r"
        $madeGroups = @($made, $adopted, $shared)
    }
    AfterAll {
        if (getent passwd $stranger) { userdel $stranger }
        foreach ($g in $madeGroups) { if (getent group $g) { groupdel $g } }
        Remove-Item -Recurse -Force $work
    }

    It 'deletes the client groups the module made, and leaves one it adopted and one someone else is in' {
        $null = New-AegirClient "afm$r" -UnixGroup $made
        $null = New-AegirSite afm.test -Platform afshop -Client "afm$r" -ErrorAction Stop
        groupadd $adopted
        $null = New-AegirClient "afa$r" -UnixGroup $adopted -AdoptGroup
        $null = New-AegirSite afa.test -Platform afshop -Client "afa$r" -ErrorAction Stop
        $null = New-AegirClient "afs$r" -UnixGroup $shared
        $null = New-AegirSite afs.test -Platform afshop -Client "afs$r" -ErrorAction Stop
        useradd --no-create-home --shell /usr/sbin/nologin $stranger
        usermod --append --groups $shared $stranger
        foreach ($g in $madeGroups) { getent group $g | Should -Not -BeNullOrEmpty }

        Stop-AegirLocalServer -RemoveData -Confirm:$false

        getent group $made | Should -BeNullOrEmpty
        getent group $adopted | Should -Not -BeNullOrEmpty -Because 'it was there before the module used it'
        getent group $shared | Should -Not -BeNullOrEmpty -Because "$stranger is in it"
    }
}
