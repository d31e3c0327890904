# Two server records of one machine (two local servers: one /etc/passwd): a site moved between them keeps the account
# it runs as, and its files' owner, since the pool on the other record runs as it; a site removed ends every process
# still running as its account before the account goes, so no process outlives it as a bare uid.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Sites of two servers on one machine' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $master = Start-AegirLocalServer -HttpServiceType nginx
        $second = Start-AegirLocalServer am2 -HttpServiceType nginx -NoDatabase
        $ports = @{ master = $master.Http.GetInt('port'); am2 = $second.Http.GetInt('port') }
        # The same small application on each server: its page names the user it runs as and reads a file it wrote.
        foreach ($name in 'amapp', 'amapp2') {
            Write-Tree (Join-Path $work "platforms/$name") @{
                '.aegir.yml' = "name: Who`nversion_command: [echo, 1.0]`ninstall: [php, bin/install.php]`ninstalled_tables: [notes]`nsite_folders:`n  - data/{uri}`n"
                'index.php' = '<?php echo posix_getpwuid(posix_geteuid())["name"], " ", file_get_contents("data/" . getenv("aegir_site") . "/mine.txt"), "\n";'
                'bin/install.php' = '<?php $db = new mysqli(getenv("db_host"), getenv("db_user"), getenv("db_passwd"), getenv("db_name"), (int)getenv("db_port")); $db->query("CREATE TABLE notes (body TEXT)"); file_put_contents("data/" . getenv("aegir_site") . "/mine.txt", "mine-" . getenv("aegir_site"));'
            }
        }
        $null = New-AegirPlatform amapp (Join-Path $work 'platforms/amapp')
        $null = New-AegirPlatform amapp2 (Join-Path $work 'platforms/amapp2') -WebServer am2
        function Own([string] $Uri) { [Aegir.Core.Contexts.AccountNames]::ForSite($Uri, $env:AEGIR_HOME) }
        $script:sleepers = @()
        $client = "amc$(Get-Random -Minimum 1000 -Maximum 9999)"
        $null = New-AegirClient $client
        $group = (Get-AegirClient $client).UnixGroup
    }

    AfterAll {
        foreach ($p in $script:sleepers) { if ($p -and -not $p.HasExited) { Stop-Process -Id $p.Id -Force -ErrorAction Ignore } }
        foreach ($uri in 'ammv.test', 'amkill.test', 'amg1.test', 'amg2.test', 'amdead.test', 'amnext.test') { $null = Remove-AegirSite $uri -Force -NoBackup -Confirm:$false -ErrorAction SilentlyContinue }
        $null = Remove-AegirClient $client -Confirm:$false -ErrorAction SilentlyContinue
        Stop-AegirLocalServer am2 -RemoveData -Confirm:$false
        Stop-AegirLocalServer master -RemoveData -Confirm:$false
        foreach ($name in 'ammv.test', 'amkill.test', 'amg1.test', 'amg2.test', 'amdead.test', 'amnext.test' | ForEach-Object { Own $_ }) {
            if ($name -and (getent passwd $name)) { pkill -KILL -u $name; userdel --force $name; if (getent group $name) { groupdel $name } }
        }
        if ($group -and (getent group $group)) { groupdel $group }
        Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
    }

    It 'keeps the account, and its files'' owner, of a site moved to another server of the same machine' {
        $account = Own ammv.test
        $null = New-AegirSite ammv.test -Platform amapp
        (Invoke-Site -Port $ports.master -HostName ammv.test).Body | Should -Be "$account mine-ammv.test`n"
        $task = Move-AegirSite ammv.test -Platform amapp2
        $task.Status | Should -Be 'Succeeded'
        getent passwd $account | Should -Not -BeNullOrEmpty -Because 'the pool on @server_am2, the same machine, runs as it'
        stat -c '%U' (Join-Path $work "platforms/amapp2/data/ammv.test/mine.txt") | Should -Be $account
        (Invoke-Site -Port $ports.am2 -HostName ammv.test).Body | Should -Be "$account mine-ammv.test`n"
        $task.Log.Message | Should -Contain "The account $account of ammv.test was kept: a site on this machine runs as it."
        # And when the site goes from there, its account goes with it.
        (Remove-AegirSite ammv.test -Force -NoBackup -Confirm:$false).Status | Should -Be 'Succeeded'
        getent passwd $account | Should -BeNullOrEmpty
    }

    It 'ends every process of a removed site''s account before deleting the account' {
        $account = Own amkill.test
        $null = New-AegirSite amkill.test -Platform amapp
        # A background job of the site's account, as a site's PHP can leave one (nohup setsid sleep &).
        $sleeper = Start-Process -PassThru -FilePath setpriv -ArgumentList '--reuid', $account, '--regid', $account, '--clear-groups', 'setsid', 'sleep', '300'
        $script:sleepers += $sleeper
        Start-Sleep -Milliseconds 500
        $pids = @(pgrep -u $account)
        $pids.Count | Should -BeGreaterThan 0
        $task = Remove-AegirSite amkill.test -Force -NoBackup -Confirm:$false
        $task.Status | Should -Be 'Succeeded'
        # By number: a process that outlived the account would run as a bare uid, which pgrep -u cannot name.
        @($pids | Where-Object { Test-Path "/proc/$_" }) | Should -BeNullOrEmpty
        $sleeper.WaitForExit(5000) | Should -BeTrue
        getent passwd $account | Should -BeNullOrEmpty
        ($task.Log.Message | Where-Object { $_ -like "Ended * still running as $account of amkill.test*" }) | Should -Not -BeNullOrEmpty
    }

    It 'knows a group it made for a client on one server as its own on every server of the machine' {
        $null = New-AegirSite amg1.test -Platform amapp -Client $client
        getent group $group | Should -Not -BeNullOrEmpty
        $null = New-AegirSite amg2.test -Platform amapp2 -Client $client -ErrorAction Stop
        (Get-AegirSite amg2.test).Status | Should -Be 'Installed'
        (Get-Content "$env:AEGIR_HOME/groups/server_am2/$group") | Should -Contain 'made=true'
    }

    It 'leaves what a removal killed past its point of no return did not do to the next task of another site on the server' {
        $account = Own amdead.test
        $null = New-AegirSite amdead.test -Platform amapp
        $null = New-AegirSite amnext.test -Platform amapp
        $dir = Join-Path (Get-AegirServer master).Http.Get('php_site_dir') $account
        # The machine's accounts held here: the removal stops where it would delete the account, and is killed there.
        $lock = [Aegir.Core.IO.FileLock]::TryAcquire((Join-Path $env:AEGIR_HOME 'locks/accounts-this-machine.lock'), [TimeSpan]::FromSeconds(30))
        try {
            $child = Start-AegirChild "Remove-AegirSite amdead.test -Force -NoBackup -Confirm:`$false | Out-Null" -Warmup "`$env:AEGIR_HOME = '$env:AEGIR_HOME'; `$null = Get-AegirSite amdead.test"
            $until = [DateTime]::UtcNow.AddSeconds(60)
            while ((Test-Path $dir) -and [DateTime]::UtcNow -lt $until) { Start-Sleep -Milliseconds 50 }
            Start-Sleep -Milliseconds 500
            $child.HasExited | Should -BeFalse
            $child.Kill(); $child.WaitForExit()
        }
        finally { $lock.Dispose() }
        Get-AegirSite amdead.test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        getent passwd $account | Should -Not -BeNullOrEmpty -Because 'the kill came before the account went'
        (Invoke-AegirVerify amnext.test).Status | Should -BeIn 'Succeeded', 'Warning'
        getent passwd $account | Should -BeNullOrEmpty -Because 'the next task on the server finishes the dead removal from its journal'
        Test-Path $dir | Should -BeFalse
    }
}
