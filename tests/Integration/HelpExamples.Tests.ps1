# Help examples run as written: each example's code block is taken from docs/ and run, word for word, in a fresh pwsh.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Help examples' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'

        # The code block under '### Example <n>' of a cmdlet's page.
        function Get-ExampleCode([string] $Cmdlet, [int] $Number) {
            $page = Get-Content -Raw (Join-Path $PSScriptRoot "../../docs/$Cmdlet.md")
            if ($page -notmatch "(?s)### Example ${Number}:[^\n]*\n``````powershell\n(.*?)\n``````") { throw "docs/$Cmdlet.md has no example $Number" }
            $Matches[1]
        }
        function Invoke-Example([string] $Code) {
            $exe = [Environment]::ProcessPath
            $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
            $script = "`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'; Import-Module '$env:AEGIR_TEST_MODULE'`n$Code"
            $out = & $exe @prefix -NoProfile -NonInteractive -Command $script 2>&1 | ForEach-Object { "$_" }
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $out -join "`n" }
        }

        # Example 1 of Start-AegirLocalServer copies WordPress to this fixed folder; it is put back as it was.
        $platformRoot = '/srv/platforms/wordpress'
        $hadPlatformRoot = Test-Path $platformRoot
        $hadParent = Test-Path (Split-Path $platformRoot)
    }
    AfterAll {
        $null = Invoke-Example "Stop-AegirLocalServer -RemoveData -Confirm:`$false; Stop-AegirLocalServer pgbox -RemoveData -Confirm:`$false; Stop-AegirLocalServer apachebox -RemoveData -Confirm:`$false"
        if (-not $hadPlatformRoot) { Remove-Item -Recurse -Force $platformRoot -ErrorAction SilentlyContinue }
        if (-not $hadParent) { Remove-Item -Recurse -Force (Split-Path $platformRoot) -ErrorAction SilentlyContinue }
        Remove-Item -Recurse -Force $work
    }

    Context 'Start-AegirLocalServer' {
        It 'example 1 hosts a WordPress site and fetches its front page' -Skip:$hadPlatformRoot {
            $run = Invoke-Example (Get-ExampleCode Start-AegirLocalServer 1)
            $run.ExitCode | Should -Be 0 -Because $run.Output
            $run.Output | Should -Match 'StatusCode\s*:\s*200'
            $run.Output | Should -Match 'wp-content'
            (Get-AegirSite blog.test).Status | Should -Be 'Installed'
            (Invoke-Site -Port (Get-AegirServer master).Http.GetInt('port') -HostName blog.test).Status | Should -Be 200
        }

        It 'example 2 starts a private PostgreSQL' {
            $run = Invoke-Example (Get-ExampleCode Start-AegirLocalServer 2)
            $run.ExitCode | Should -Be 0 -Because $run.Output
            (Get-AegirServer pgbox).Db.Type | Should -Be 'postgresql'
            Invoke-PgSql -Server pgbox -Sql 'SELECT 1' | Should -Be 1
        }

        It 'example 3 starts Apache on port 8081 without a database' {
            $run = Invoke-Example (Get-ExampleCode Start-AegirLocalServer 3)
            $run.ExitCode | Should -Be 0 -Because $run.Output
            $server = Get-AegirServer apachebox
            $server.Http.Type | Should -Be 'apache'
            $server.Http.GetInt('port') | Should -Be 8081
            $server.Db.IsNull | Should -BeTrue
            (Invoke-Site -Port 8081 -HostName nothing.test).Status | Should -BeIn 403, 404
        }
    }
}
