# Listing and retention of backups, from their descriptions alone (the archives here are stand-ins: listing reads none), and what Restore-AegirSite refuses before any task.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    # A backup as Backup-AegirSite describes it, made <Hours> ago.
    function New-FakeBackup([string] $Uri, [double] $Hours, [string] $Description) {
        $folder = Join-Path $env:AEGIR_HOME 'backups'
        $null = New-Item -ItemType Directory -Force $folder
        $when = [DateTimeOffset]::UtcNow.AddHours(-$Hours)
        $path = Join-Path $folder "$Uri-$($when.ToString('yyyyMMdd.HHmmss'))_$([guid]::NewGuid().ToString('N').Substring(0, 4)).tar.zst"
        Set-Content $path 'archive'
        @{
            manifest = @{ format = 1; uri = $Uri; created = $when.ToString('o'); description = $Description; platform = 'platform_wp'; platform_kind = 'wordpress'; db_server = 'server_master'; db_type = 'mysql' }
            checksums = @{ members = @{ 'database.sql' = @{ size = 100; sha256 = 'x' } } }
            size = 7; compression = 'zstd'
        } | ConvertTo-Json -Depth 5 | Set-Content "$path.json"
        $path
    }
}

Describe 'Get-AegirBackup' {
    BeforeEach { $null = Reset-AegirHome }

    It 'lists each site''s backups newest first, and -First the newest of each' {
        $old = New-FakeBackup a.example 48 'old'
        $new = New-FakeBackup a.example 1 'new'
        $other = New-FakeBackup b.example 5 'other'
        (Get-AegirBackup a.example).Path | Should -Be @($new, $old)
        (Get-AegirBackup).Count | Should -Be 3
        (Get-AegirBackup -First 1).Path | Sort-Object | Should -Be (@($new, $other) | Sort-Object)
        (Get-AegirBackup a.example -First 1).Description | Should -Be 'new'
        Get-AegirBackup c.example | Should -BeNullOrEmpty
    }

    It 'refuses a path that is no archive, naming it' {
        $file = Join-Path $TestDrive 'not-a-backup.txt'
        Set-Content $file 'hello'
        { Get-AegirBackup -Path $file -ErrorAction Stop } | Should -Throw -ExpectedMessage "*not-a-backup.txt*is not a zstd or gzip archive*"
        { Get-AegirBackup -Path (Join-Path $TestDrive 'missing.tar.zst') -ErrorAction Stop } | Should -Throw -ExpectedMessage '*there is no such file*'
    }
}

Describe 'Remove-AegirBackup' {
    BeforeEach { $null = Reset-AegirHome }

    It 'deletes piped backups with their descriptions, and -WhatIf deletes nothing' {
        $path = New-FakeBackup a.example 1 'one'
        Get-AegirBackup a.example | Remove-AegirBackup -WhatIf
        $path | Should -Exist
        Get-AegirBackup a.example | Remove-AegirBackup -Force
        $path | Should -Not -Exist
        "$path.json" | Should -Not -Exist
    }

    It 'applies retention rules per site: the newest per bucket stays, recent ones all stay' {
        $recent = 1..3 | ForEach-Object { New-FakeBackup a.example $_ 'recent' }
        # Twelve backups, one every 6 hours, 10 to 13 days ago: older than 7 days, one a day stays.
        $older = 0..11 | ForEach-Object { New-FakeBackup a.example (240 + 6 * $_) 'older' }
        $otherSite = New-FakeBackup b.example 300 'other site'
        $gone = Remove-AegirBackup a.example -Retention 7d:1d -Force -PassThru
        $gone.Count | Should -BeGreaterOrEqual 8
        $left = Get-AegirBackup a.example
        $left.Path | Should -Contain $recent[0]
        ($left | Where-Object Description -EQ 'recent').Count | Should -Be 3
        ($left | Where-Object Description -EQ 'older' | Group-Object { [math]::Floor($_.Created.ToUnixTimeSeconds() / 86400) } | Where-Object Count -GT 1) | Should -BeNullOrEmpty
        $otherSite | Should -Exist
    }

    It 'refuses a rule that does not read, deleting nothing' {
        $path = New-FakeBackup a.example 500 'old'
        { Remove-AegirBackup -Retention 30days -Force -ErrorAction Stop } | Should -Throw -ExpectedMessage "*Retention '30days' is not valid*30d:7d*"
        $path | Should -Exist
    }
}

Describe 'Import-AegirSite -Path' {
    BeforeEach { $null = Reset-AegirHome }

    It 'refuses, naming the fix, an archive that does not say its site, two uris, or a file that is no archive' {
        $folder = Join-Path $TestDrive 'aegir3'
        $null = New-Item -ItemType Directory -Force $folder
        Set-Content (Join-Path $folder 'database.sql') '-- dump'
        Set-Content (Join-Path $folder 'settings.php') '<?php'
        $unnamed = Join-Path $TestDrive 'backup.tar.gz'
        tar -C $folder -czf $unnamed .
        { Import-AegirSite -Path $unnamed -Platform d10 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage "*does not say which site*Give the site's uri with -Uri*"
        { Import-AegirSite -Path $unnamed -Platform d10 -Uri a.test, b.test -ErrorAction Stop } | Should -Throw -ExpectedMessage '*an archive holds one site*'
        # Read as a backup of this module's, it is pointed to the import.
        { Get-AegirBackup -Path $unnamed -ErrorAction Stop } | Should -Throw -ExpectedMessage '*not made by Backup-AegirSite*Import-AegirSite -Path*'
        { Import-AegirSite -Path (Join-Path $TestDrive 'missing.tar.gz') -Platform d10 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*there is no such file*'
        $text = Join-Path $TestDrive 'notes-20240102.030405.tar.gz'
        Set-Content $text 'hello'
        { Import-AegirSite -Path $text -Platform d10 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*is not a zstd or gzip archive*'
        Get-AegirSite | Should -BeNullOrEmpty
        Join-Path $env:AEGIR_HOME 'backups' | Should -Not -Exist
    }
}

Describe 'Restore-AegirSite -DbServer' {
    BeforeEach {
        $null = Reset-AegirHome
        $null = New-TestMaster
        $null = New-TestPlatform
    }

    It 'takes the database server of a removed site brought back, and refuses it for a site that exists, naming Move-AegirSite' {
        # The message of a platform whose server runs no database says "Give -DbServer": a restore of a removed site takes it, as Import-AegirSite does.
        $parameter = (Get-Command Restore-AegirSite).Parameters['DbServer']
        $parameter | Should -Not -BeNullOrEmpty
        $parameter.ParameterSets.Keys | Should -Be '__AllParameterSets'
        $null = New-AegirSite -NoInstall a.test -Platform wp
        $before = Get-ContextSnapshot
        { Restore-AegirSite -Path (Join-Path $TestDrive 'a.test-20261207.120000.tar.zst') -Uri a.test -DbServer master -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage '*a.test exists, and a restore keeps its database on the server it is on*Move-AegirSite a.test -DbServer master*'
        Get-ContextSnapshot | Should -Be $before
        Get-AegirTask | Should -BeNullOrEmpty
    }
}
