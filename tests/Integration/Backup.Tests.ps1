# Backups and restores of WordPress sites on real nginx, PHP-FPM and MariaDB: the archive is checked member by
# member with the system's own tar and sha256, restores bring back content and files, and a bad archive changes nothing.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Backups of WordPress sites' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        Install-TestPackage wordpress, zstd
        $port = $server.Http.GetInt('port')
        $root = New-WordPressPlatform $work wordpress
        $null = New-AegirSite live.test -Platform wordpress -Title 'Live'
        $null = New-AegirSite stage.test -Platform wordpress -Title 'Stage'

        function Get-Db([string] $Uri) { (Get-AegirSite $Uri).DbName }
        function Get-Uploads([string] $Uri) { Join-Path $root "wp-content/uploads/sites/$Uri" }
        function Get-PostTitles([string] $Uri) { Invoke-Sql -Sql "SELECT post_title FROM wp_posts WHERE post_type = 'post' ORDER BY ID" -Database (Get-Db $Uri) }

        # Content to keep: a post and an uploaded file.
        Add-WordPressPost (Get-Db live.test) 'Backed up post' 'backed-up-post' 'Kept by the backup'
        Set-Content (Join-Path (Get-Uploads live.test) 'hello.txt') 'uploaded before the backup'
        $backup = Backup-AegirSite live.test -Description 'before the changes'
    }
    AfterAll {
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    Describe 'Backup-AegirSite' {
        It 'writes one private archive whose members match their checksums, read with the system''s tar and sha256sum' {
            $backup | Should -BeOfType ([Aegir.Core.Backups.AegirBackup])
            $backup.Path | Should -BeLike "$env:AEGIR_HOME/backups/live.test-*.tar.zst"
            (Get-Item $backup.Path).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
            $backup.FileCount | Should -BeGreaterThan 0
            $backup.DatabaseSize | Should -BeGreaterThan 1000
            $x = Join-Path $work 'extracted'
            $null = New-Item -ItemType Directory $x
            tar --zstd -xf $backup.Path -C $x
            $LASTEXITCODE | Should -Be 0
            (tar --zstd -tf $backup.Path | Select-Object -First 2) | Should -Be @('manifest.json', 'database.sql')
            $manifest = Get-Content -Raw "$x/manifest.json" | ConvertFrom-Json
            $manifest.uri, $manifest.platform_kind, $manifest.db_type, $manifest.description | Should -Be @('live.test', 'wordpress', 'mysql', 'before the changes')
            $manifest.packages.name | Should -Contain 'wordpress'
            $sums = (Get-Content -Raw "$x/checksums.json" | ConvertFrom-Json -AsHashtable).members
            $sums.Keys | Should -Contain 'database.sql'
            $sums.Keys | Should -Contain 'site/wp-content/uploads/sites/live.test/hello.txt'
            foreach ($name in $sums.Keys) {
                $file = Join-Path $x $name
                (sha256sum $file).Split(' ')[0] | Should -Be $sums[$name].sha256 -Because $name
                (Get-Item $file).Length | Should -Be $sums[$name].size
            }
            Get-Content "$x/database.sql" -Raw | Should -Match 'Backed up post'
            Get-Content "$x/database.sql" -Raw | Should -Not -Match ([regex]::Escape((Get-SitePassword live.test)))
            Remove-Item -Recurse -Force $x
        }

        It 'refuses a named pipe in the site''s files, naming it where it is, and keeps no archive' {
            $pipe = Join-Path (Get-Uploads stage.test) 'pipe'
            mkfifo $pipe
            try {
                $before = @(Get-ChildItem "$env:AEGIR_HOME/backups" -Name)
                $task = Backup-AegirSite stage.test -ErrorAction SilentlyContinue -ErrorVariable errs
                $task | Should -BeNullOrEmpty
                $errs[0].FullyQualifiedErrorId | Should -BeLike 'SiteFileRefused*'
                $errs[0].Exception.Message | Should -BeLike "Task backup on '@stage.test' failed: $pipe on '@server_master' is a named pipe, which a site's folders do not hold, so the archive of stage.test was not made*Remove it there*"
                @(Get-ChildItem "$env:AEGIR_HOME/backups" -Name) | Should -Be $before
            }
            finally { Remove-Item $pipe }
        }
    }

    Describe 'Get-AegirBackup' {
        It 'lists backups newest first, and reads an archive from elsewhere whole' {
            (Get-AegirBackup live.test).Path | Should -Be @($backup.Path)
            Get-AegirBackup stage.test | Should -BeNullOrEmpty
            $copy = Join-Path $work 'copied.tar.zst'
            Copy-Item $backup.Path $copy
            $read = Get-AegirBackup -Path $copy
            $read.Site, $read.FileCount, $read.DatabaseSize | Should -Be @('live.test', $backup.FileCount, $backup.DatabaseSize)
            Remove-Item $copy
        }
    }

    Describe 'Restore-AegirSite' {
        It 'restores the content and files changed and deleted since, into a new database, leaving nothing behind' {
            $oldDb = Get-Db live.test
            Invoke-Sql -Database $oldDb -Sql "UPDATE wp_posts SET post_title = 'Changed after' WHERE post_name = 'backed-up-post'"
            Remove-Item (Join-Path (Get-Uploads live.test) 'hello.txt')
            Set-Content (Join-Path (Get-Uploads live.test) 'after.txt') 'uploaded after the backup'
            $task = Restore-AegirSite $backup -Force
            $task.Status | Should -Be 'Succeeded' -Because ($task.Log.Message -join "`n")
            Get-PostTitles live.test | Should -Contain 'Backed up post'
            Get-PostTitles live.test | Should -Not -Contain 'Changed after'
            Get-Content (Join-Path (Get-Uploads live.test) 'hello.txt') | Should -Be 'uploaded before the backup'
            Join-Path (Get-Uploads live.test) 'after.txt' | Should -Not -Exist
            (Invoke-Site -Port $port -HostName live.test).Body | Should -Match 'Backed up post'
            Get-Db live.test | Should -Not -Be $oldDb
            Get-SiteDatabases | Should -Not -Contain $oldDb
            Get-SiteDbUsers | Should -Not -Contain $oldDb
            Get-ChildItem -Force (Split-Path (Get-Uploads live.test)) | Where-Object Name -Like '.*' | Should -BeNullOrEmpty
            # The pre-restore backup holds what was replaced.
            $before = Get-AegirBackup live.test | Where-Object Description -Like 'before restoring*'
            @($before).Count | Should -Be 1
        }

        It 'restores a backup of one site onto another: live into staging, answering as staging' {
            $task = Restore-AegirSite $backup -Uri stage.test -Force
            $task.Status | Should -Be 'Succeeded' -Because ($task.Log.Message -join "`n")
            Get-PostTitles stage.test | Should -Contain 'Backed up post'
            Get-Content (Join-Path (Get-Uploads stage.test) 'hello.txt') | Should -Be 'uploaded before the backup'
            Invoke-Sql -Database (Get-Db stage.test) -Sql "SELECT option_value FROM wp_options WHERE option_name = 'siteurl'" | Should -Be "http://stage.test:$port"
            $page = Invoke-Site -Port $port -HostName stage.test
            $page.Status | Should -Be 200
            $page.Body | Should -Match 'Backed up post'
            $page.Body | Should -Not -Match 'live\.test'
            (Invoke-Site -Port $port -HostName live.test).Status | Should -Be 200
        }

        It 'refuses a damaged archive and leaves the site exactly as it was' {
            $bad = Join-Path $env:AEGIR_HOME 'backups/damaged.tar.zst'
            $bytes = [IO.File]::ReadAllBytes($backup.Path)
            $bytes[[int]($bytes.Length * 0.6)] = $bytes[[int]($bytes.Length * 0.6)] -bxor 0xFF
            [IO.File]::WriteAllBytes($bad, $bytes)
            $db = Get-Db live.test
            $databases = Get-SiteDatabases
            { Restore-AegirSite -Path $bad -Uri live.test -Force -ErrorAction Stop } | Should -Throw
            Get-Db live.test | Should -Be $db
            Get-SiteDatabases | Should -Be $databases
            Remove-Item $bad
        }

        It 'undoes everything when the dump does not import' {
            # An archive whose dump is broken SQL, its checksums made to match: only the import can find it out.
            $x = Join-Path $work 'badsql'
            $null = New-Item -ItemType Directory $x
            tar --zstd -xf $backup.Path -C $x
            Add-Content "$x/database.sql" 'THIS IS NOT SQL;'
            $sums = Get-Content -Raw "$x/checksums.json" | ConvertFrom-Json -AsHashtable
            $sums.members['database.sql'] = @{ size = (Get-Item "$x/database.sql").Length; sha256 = (sha256sum "$x/database.sql").Split(' ')[0] }
            $sums | ConvertTo-Json -Depth 5 | Set-Content "$x/checksums.json"
            $badsql = Join-Path $work 'badsql.tar.zst'
            tar --zstd -cf $badsql -C $x manifest.json database.sql site checksums.json
            $db = Get-Db live.test
            $databases = Get-SiteDatabases
            $users = Get-SiteDbUsers
            $backups = @(Get-AegirBackup live.test).Count
            { Restore-AegirSite -Path $badsql -Uri live.test -Force -ErrorAction Stop } | Should -Throw -ErrorId 'DumpRefused*' -ExpectedMessage '*THIS IS NOT SQL*'
            Get-Db live.test | Should -Be $db
            Get-SiteDatabases | Should -Be $databases
            Get-SiteDbUsers | Should -Be $users
            @(Get-AegirBackup live.test).Count | Should -Be $backups
            Get-ChildItem -Force (Split-Path (Get-Uploads live.test)) | Where-Object Name -Like '.*' | Should -BeNullOrEmpty
            (Invoke-Site -Port $port -HostName live.test).Body | Should -Match 'Backed up post'
            Remove-Item -Recurse -Force $x, $badsql
        }

        It 'undoes everything when a member does not match its checksum, found only at the end of the load' {
            # An archive whose upload was altered after the backup, its checksums left as they were.
            $x = Join-Path $work 'altered'
            $null = New-Item -ItemType Directory $x
            tar --zstd -xf $backup.Path -C $x
            Set-Content "$x/site/wp-content/uploads/sites/live.test/hello.txt" 'altered'
            $altered = Join-Path $work 'altered.tar.zst'
            tar --zstd -cf $altered -C $x manifest.json database.sql site checksums.json
            $db = Get-Db live.test
            $databases = Get-SiteDatabases
            $users = Get-SiteDbUsers
            $backups = @(Get-AegirBackup live.test).Count
            Set-Content (Join-Path (Get-Uploads live.test) 'hello.txt') 'live now'
            { Restore-AegirSite -Path $altered -Uri live.test -Force -ErrorAction Stop } | Should -Throw -ErrorId 'BackupBroken*'
            $log = (Get-AegirTask -Target live.test -Type restore -First 1).Log.Message -join "`n"
            $log | Should -Match 'does not match its checksum'
            $log | Should -Match 'as it was before'
            Get-Db live.test | Should -Be $db
            Get-SiteDatabases | Should -Be $databases
            Get-SiteDbUsers | Should -Be $users
            @(Get-AegirBackup live.test).Count | Should -Be $backups
            Get-Content (Join-Path (Get-Uploads live.test) 'hello.txt') | Should -Be 'live now'
            Get-ChildItem -Force (Split-Path (Get-Uploads live.test)) | Where-Object Name -Like '.*' | Should -BeNullOrEmpty
            Get-ChildItem -Force (Join-Path $env:AEGIR_HOME 'backups') -Filter '.*' | Should -BeNullOrEmpty
            (Invoke-Site -Port $port -HostName live.test).Body | Should -Match 'Backed up post'
            Remove-Item -Recurse -Force $x, $altered
        }
    }
    Describe 'Remove-AegirSite' {
        It 'takes a backup of the site before removing it, and -NoBackup does not' {
            $null = New-AegirSite gone.test -Platform wordpress -Title 'Gone'
            Set-AegirSite gone.test -WebSetting @{ upload_max = '16M' }
            $null = New-AegirSite skipped.test -Platform wordpress -Title 'Skipped'
            (Remove-AegirSite gone.test -Force).Status | Should -Be 'Succeeded'
            $kept = Get-AegirBackup gone.test
            @($kept).Count | Should -Be 1
            $kept.Description | Should -Be 'before the site was removed'
            $kept.DatabaseSize | Should -BeGreaterThan 1000
            (Remove-AegirSite skipped.test -NoBackup -Force).Status | Should -Be 'Succeeded'
            Get-AegirBackup skipped.test | Should -BeNullOrEmpty
            Get-AegirSite gone.test, skipped.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'is undone by restoring the backup it took, with -Platform: the backup does not choose where the site comes back' {
            $backup = Get-AegirBackup gone.test -First 1
            { $backup | Restore-AegirSite -Force -ErrorAction Stop } | Should -Throw -ErrorId 'SiteRemoved*' -ExpectedMessage '*-Platform platform_wordpress (the backup says it was taken on @platform_wordpress)*'
            Get-AegirSite gone.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $task = $backup | Restore-AegirSite -Platform wordpress -Force
            $task.Status | Should -BeIn 'Succeeded', 'Warning' -Because ($task.Log.Message -join "`n")
            (Get-AegirSite gone.test).Status | Should -Be 'Installed'
            (Invoke-Site -Port $port -HostName gone.test).Body | Should -Match 'Gone'
            # The archive does not choose how the server serves the site; the settings it had are named with the command that gives them again.
            (Get-AegirSite gone.test).WebSettings | Should -BeNullOrEmpty
            $task.Log.Where({ $_.Level -eq 'Warning' }).Message | Should -Contain "The archive lists web settings for the site (upload_max=16M); an archive does not choose how this server serves a site, so gone.test has its platform's. Give those you want with Set-AegirSite gone.test -WebSetting @{ upload_max = '16M' }."
        }
    }

}
