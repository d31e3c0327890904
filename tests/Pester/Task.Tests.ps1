# Task records kept bounded: Remove-AegirTask and the retention setting, on records of tasks that need no server.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    # Runs a real lock task, then writes copies of its record made -DaysAgo (as the store names them) on -Target.
    function New-OldTasks([string] $Target, [int[]] $DaysAgo, [string] $Status = 'Succeeded') {
        if (-not (Get-AegirPlatform p1 -ErrorAction Ignore)) { $null = New-TestPlatform p1 }
        $null = Lock-AegirPlatform p1
        $real = Get-AegirTask -Target p1 -First 1
        $path = Get-ChildItem (Join-Path $env:AEGIR_HOME tasks) -Recurse -Filter "$($real.Id).*.json"
        $text = Get-Content -Raw $path.FullName
        foreach ($days in $DaysAgo) {
            $at = [DateTime]::UtcNow.AddDays(-$days)
            $id = $at.ToString('yyyyMMdd-HHmmssfff') + '-' + ('{0:x4}' -f (Get-Random -Maximum 65535))
            $dir = Join-Path $env:AEGIR_HOME "tasks/$($at.ToString('yyyy'))/$($at.ToString('MM'))"
            $null = New-Item -ItemType Directory -Force $dir
            $json = $text.Replace($real.Id, $id).Replace('platform_p1', $Target).Replace('"status": "Succeeded"', "`"status`": `"$Status`"")
            [IO.File]::WriteAllText((Join-Path $dir "$id.lock.$Target.json"), $json)
            $id
        }
    }
}

Describe 'Remove-AegirTask' {
    BeforeEach { $null = Reset-AegirHome; $null = New-TestMaster }

    It 'with -WhatIf says what would go and deletes nothing' {
        $old = New-OldTasks platform_p2 200, 150, 100
        $before = @(Get-AegirTask).Count
        $said = Invoke-AegirChild "`$env:AEGIR_HOME = '$env:AEGIR_HOME'; Remove-AegirTask -OlderThan 90d -WhatIf"
        $said | Should -Match "What if: .*Delete 2 task record\(s\) made before .*oldest $($old[0])"
        @(Get-AegirTask).Count | Should -Be $before
    }

    It 'deletes the records older than an age or a date, never the newest of a target, nor a running task' {
        $old = New-OldTasks platform_p2 200, 150, 100
        $running = New-OldTasks platform_p3 300, 250 -Status Running
        $null = New-AegirPlatform -Name p2 -Root /var/aegir/platforms/p2 -NoVerify 3>$null

        Remove-AegirTask -OlderThan (New-TimeSpan -Days 160) -Force
        (Get-AegirTask -Target p2).Id | Should -Be $old[2], $old[1]
        Remove-AegirTask -OlderThan ([DateTime]::Now.AddDays(-1)) -Confirm:$false
        (Get-AegirTask -Target p2).Id | Should -Be $old[2] -Because 'the newest task of a target stays'
        (Get-AegirTask -Target p3).Id | Should -Be $running[1], $running[0]
        @(Get-AegirTask -Target p1).Count | Should -BeGreaterThan 0
        Get-AegirTask -Id $old[0] -ErrorAction SilentlyContinue -ErrorVariable missing | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'TaskNotFound*'
    }

    It 'refuses an age it cannot read, naming the forms it takes' {
        { Remove-AegirTask -OlderThan 'ninety days' -Force } | Should -Throw '*neither a date nor an age*90d*'
    }
}

Describe 'Set-AegirTaskRetention' {
    BeforeEach { $null = Reset-AegirHome; $null = New-TestMaster }

    It 'keeps the setting, changes one value at a time, and -KeepAll removes it' {
        $set = Set-AegirTaskRetention -KeepFor 90d -PassThru
        $set.KeepFor | Should -Be '90d'
        $set.KeepPerTarget | Should -BeNullOrEmpty
        (Set-AegirTaskRetention -KeepPerTarget 5 -PassThru).KeepFor | Should -Be '90d'
        (Get-Item (Join-Path $env:AEGIR_HOME task-retention.json)).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
        Set-AegirTaskRetention -KeepAll
        Join-Path $env:AEGIR_HOME task-retention.json | Should -Not -Exist
    }

    It 'refuses a span under an hour or a count under one, and changes nothing' {
        Set-AegirTaskRetention -KeepFor 30d
        { Set-AegirTaskRetention -KeepFor 10m -ErrorAction Stop } | Should -Throw '*-KeepFor*at least an hour*'
        { Set-AegirTaskRetention -KeepPerTarget 0 -ErrorAction Stop } | Should -Throw '*-KeepPerTarget*'
        { Set-AegirTaskRetention -ErrorAction Stop } | Should -Throw '*-KeepFor*'
        (Get-AegirTaskRetention).KeepFor | Should -Be '30d'
    }

    It 'is applied by the queue''s schedule round' {
        $old = New-OldTasks platform_p2 200, 150
        Set-AegirTaskRetention -KeepFor 100d
        Invoke-AegirQueue -Queue Retention -Verbose 4>&1 | Out-String | Should -Match 'Task retention \(kept for 100d\): 1 task record\(s\) let go'
        (Get-AegirTask -Target platform_p2).Id | Should -Be $old[1]
    }
}

Describe 'Get-AegirTaskRetention' {
    BeforeEach { $null = Reset-AegirHome }

    It 'shows no rule when none is set, then the one set' {
        $none = Get-AegirTaskRetention
        $none.KeepFor | Should -BeNullOrEmpty
        $none.IsSet | Should -BeFalse
        Set-AegirTaskRetention -KeepFor 12w -KeepPerTarget 3
        $set = Get-AegirTaskRetention
        $set.KeepFor, $set.KeepPerTarget | Should -Be '12w', 3
        $set.Path | Should -Be (Join-Path $env:AEGIR_HOME task-retention.json)
    }
}
