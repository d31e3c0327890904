# Start-AegirWorker and Get-AegirWorker on the file queue: workers in child processes, their registry entries, their stops.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    function New-Platforms([string[]] $Names) {
        $null = New-TestMaster
        foreach ($n in $Names) { $null = New-TestPlatform $n }
    }

    # A worker in a child pwsh with this AEGIR_HOME; its output (verbose included) goes to a file.
    function Start-WorkerChild([string] $Arguments) {
        $exe = [Environment]::ProcessPath
        $info = [Diagnostics.ProcessStartInfo]::new($exe)
        if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $info.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        $log = Join-Path $TestDrive ([guid]::NewGuid().ToString('N') + '.log')
        $command = "Import-Module '$env:AEGIR_TEST_MODULE'; Start-AegirWorker $Arguments -Verbose *>&1 | ForEach-Object { `"`$_`" } | Out-File -Append '$log'"
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $command) { $info.ArgumentList.Add($a) }
        $process = [Diagnostics.Process]::Start($info)
        $process | Add-Member -NotePropertyName Log -NotePropertyValue $log -PassThru
    }

    # Waits until the registry lists a live worker of this name; returns it.
    function Wait-Worker([string] $Name, [int] $Seconds = 60) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        while ($clock.Elapsed.TotalSeconds -lt $Seconds) {
            if ($w = Get-AegirWorker -Name $Name -ErrorAction SilentlyContinue) { return $w }
            Start-Sleep -Milliseconds 200
        }
        throw "No live worker $Name after $Seconds s"
    }

    function Get-WorkerFiles { @(Get-ChildItem (Join-Path $env:AEGIR_HOME 'workers') -Filter '*.json' -ErrorAction SilentlyContinue) }

    # The code block under '### Example <n>' of a cmdlet's page (as tests/Integration/HelpExamples.Tests.ps1 reads them).
    function Get-ExampleCode([string] $Cmdlet, [int] $Number) {
        $page = Get-Content -Raw (Join-Path $PSScriptRoot "../../docs/$Cmdlet.md")
        if ($page -notmatch "(?s)### Example ${Number}:[^\n]*\n``````powershell\n(.*?)\n``````") { throw "docs/$Cmdlet.md has no example $Number" }
        $Matches[1]
    }
}

Describe 'Start-AegirWorker' {
    BeforeEach { $null = Reset-AegirHome }

    It 'refuses a bad -Name or -ThrottleLimit before anything starts, and registers nothing' {
        { Start-AegirWorker -Name 'no spaces' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue*' -ExpectedMessage "*Name 'no spaces' is not valid*letters, digits*"
        { Start-AegirWorker -Name web1 -ThrottleLimit 0 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        { Start-AegirWorker -Name web1 -ThrottleLimit 257 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        Test-Path (Join-Path $env:AEGIR_HOME 'workers') | Should -BeFalse
    }

    It '-WhatIf lists what waits and starts nothing' {
        New-Platforms p1
        $task = Lock-AegirPlatform p1 -Queue
        $out = Invoke-AegirChild 'Start-AegirWorker -Name w -WhatIf'
        @($out -match "What if: .*task $($task.Id)").Count | Should -Be 1
        (Get-AegirTask -Id $task.Id).Status | Should -Be 'Queued'
        Get-WorkerFiles | Should -BeNullOrEmpty
    }

    It 'runs queued tasks in a child process, beats with its counts, refuses its name to a second worker, and leaves the registry on SIGTERM' {
        New-Platforms p1, p2
        $worker = Start-WorkerChild '-Name w1 -ThrottleLimit 2'
        try {
            $first = Wait-Worker w1
            $first.Alive | Should -BeTrue
            $first.Pid | Should -Be $worker.Id
            $first.Host | Should -Be ([Environment]::MachineName)
            $first.Queue | Should -Be 'File'
            $first.Id | Should -Be "$([Environment]::MachineName):$($worker.Id):$($first.ProcessStart)"
            $first.Run | Should -Be 0

            $tasks = @(
                Lock-AegirPlatform p1 -Queue
                Unlock-AegirPlatform p1 -Queue
                Lock-AegirPlatform p2 -Queue
            )
            $done = $tasks | Wait-AegirTask -Timeout 60
            $done.Status | Sort-Object -Unique | Should -Be 'Succeeded'
            $done.Worker | Sort-Object -Unique | Should -Be $first.Id
            (Get-AegirPlatform p1, p2).Locked | Should -Be @($false, $true)

            # Heartbeats advance, and the next carries the count of tasks run.
            $clock = [Diagnostics.Stopwatch]::StartNew()
            do { Start-Sleep -Milliseconds 500; $now = Get-AegirWorker w1 } until ($now.Run -eq 3 -or $clock.Elapsed.TotalSeconds -gt 30)
            $now.Run, $now.Failed | Should -Be @(3, 0)
            $now.Heartbeat | Should -BeGreaterThan $first.Heartbeat
            $now.Started | Should -Be $first.Started
            $now.Alive | Should -BeTrue
            @($now.Current).Count | Should -Be 0

            # A second worker of the same name is refused while the first lives.
            $twin = Invoke-AegirChild 'Start-AegirWorker -Name w1 -ErrorAction Continue; "exit:$?"'
            ($twin -join "`n") | Should -Match "A live worker named 'w1' runs already \($([regex]::Escape($first.Id))\)"
            @(Get-AegirWorker).Count | Should -Be 1

            kill -TERM $worker.Id
            $worker.WaitForExit(60000) | Should -BeTrue
            $worker.ExitCode | Should -Be 0
            Get-WorkerFiles | Should -BeNullOrEmpty
            Get-AegirWorker -All | Should -BeNullOrEmpty
            (Get-Content -Raw $worker.Log) | Should -Match 'Worker w1 stopped'
        }
        finally { if (-not $worker.HasExited) { $worker.Kill() } }
    }

    It 'writes a failed task as an error too, counts it, and goes on' {
        New-Platforms p1, p2
        $gone = Lock-AegirPlatform p1 -Queue
        $ok = Lock-AegirPlatform p2 -Queue
        Remove-Item (Join-Path $env:AEGIR_HOME 'contexts/platform_p1.yml')
        $worker = Start-WorkerChild '-Name w2'
        try {
            $null = $gone, $ok | Wait-AegirTask -Timeout 60
            $clock = [Diagnostics.Stopwatch]::StartNew()
            do { Start-Sleep -Milliseconds 500; $w = Get-AegirWorker w2 -ErrorAction SilentlyContinue } until ($w.Run -eq 2 -or $clock.Elapsed.TotalSeconds -gt 30)
            (Get-AegirTask -Id $gone.Id).Status | Should -Be 'Failed'
            (Get-AegirTask -Id $ok.Id).Status | Should -Be 'Succeeded'
            $w.Run, $w.Failed | Should -Be @(2, 1)
            kill -TERM $worker.Id
            $worker.WaitForExit(60000) | Should -BeTrue
            # The child's error stream names the failed task's target.
            (Get-Content $worker.Log) -match 'platform_p1' | Should -Not -BeNullOrEmpty
        }
        finally { if (-not $worker.HasExited) { $worker.Kill() } }
    }
}

Describe 'Get-AegirWorker' {
    BeforeEach { $null = Reset-AegirHome }

    It 'shows a killed worker as dead with -All only, names a missing one, and prunes entries dead for over a day' {
        $worker = Start-WorkerChild '-Name doomed'
        try {
            $live = Wait-Worker doomed
            $worker.Kill()
            $worker.WaitForExit(30000) | Should -BeTrue
        }
        finally { if (-not $worker.HasExited) { $worker.Kill() } }
        Get-AegirWorker | Should -BeNullOrEmpty
        $dead = Get-AegirWorker -All
        $dead.Name, $dead.Alive, $dead.Id | Should -Be @('doomed', $false, $live.Id)
        (Get-AegirWorker doomed -All).Id | Should -Be $live.Id
        { Get-AegirWorker doomed -ErrorAction Stop } | Should -Throw -ErrorId 'WorkerNotFound*' -ExpectedMessage "*No live worker is named 'doomed'*-All*"
        Get-AegirWorker 'doo*' | Should -BeNullOrEmpty

        # Its last beat a day and more ago: the next listing removes it.
        $file = Get-WorkerFiles
        $json = Get-Content -Raw $file.FullName | ConvertFrom-Json -AsHashtable
        $json.heartbeat = [DateTimeOffset]::UtcNow.AddDays(-2).ToString('o')
        $json | ConvertTo-Json | Set-Content $file.FullName
        Get-AegirWorker -All | Should -BeNullOrEmpty
        Get-WorkerFiles | Should -BeNullOrEmpty
    }

    It 'runs its help examples' {
        $worker = Start-WorkerChild '-Name web1'
        try {
            $null = Wait-Worker web1
            $one = Invoke-AegirChild (Get-ExampleCode Get-AegirWorker 1)
            ($one -join "`n") | Should -Match 'web1\s+\S+\s+File\s+True'
            $worker.Kill()
            $worker.WaitForExit(30000) | Should -BeTrue
            $two = Invoke-AegirChild (Get-ExampleCode Get-AegirWorker 2)
            $two = ($two -join "`n") -replace '\e\[[\d;]*m'
            $two | Should -Match 'Name\s*:\s*web1'
            $two | Should -Match "Pid\s*:\s*$($worker.Id)"
            $three = Invoke-AegirChild ('$ErrorActionPreference = "Stop"; ' + (Get-ExampleCode Get-AegirWorker 3) + '; "done"')
            $three | Should -Be 'done'
        }
        finally { if (-not $worker.HasExited) { $worker.Kill() } }
    }
}

Describe 'Start-AegirWorker help' {
    BeforeEach { $null = Reset-AegirHome }

    It 'runs example 1 until SIGTERM' {
        $code = Get-ExampleCode Start-AegirWorker 1
        $code | Should -Match '^Start-AegirWorker '
        $worker = Start-WorkerChild ($code -replace '^Start-AegirWorker ', '' -replace ' -Verbose$', '')
        try {
            $w = Wait-Worker web1
            $w.Pid | Should -Be $worker.Id
            kill -TERM $worker.Id
            $worker.WaitForExit(60000) | Should -BeTrue
            $worker.ExitCode | Should -Be 0
            Get-WorkerFiles | Should -BeNullOrEmpty
        }
        finally { if (-not $worker.HasExited) { $worker.Kill() } }
    }
}
