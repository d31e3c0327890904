# Platforms built from source: a git repository of a small PHP application made here, with two tags; each built into
# a platform with Debian's git and composer (a path repository, no network) and the manifest's build command, as the
# script user; the commits recorded, sites answering with each tag's page; and builds that fail leaving nothing.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Platforms built from git' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        Install-TestPackage composer
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx -NoDatabase
        $port = $server.Http.GetInt('port')
        $platforms = Join-Path $work 'platforms'
        $null = New-Item -ItemType Directory $platforms

        function Invoke-Git { & git -C $repo -c user.name=Test -c user.email=test@example.com @args 2>&1; if ($LASTEXITCODE) { throw "git $args failed" } }
        function Get-Commit([string] $Ref) { (& git -C $repo rev-parse "$Ref^{commit}").Trim() }
        # The last task of a platform, and whether its root and record are gone.
        function Get-LastTask([string] $Name) { Get-AegirTask -Target "platform_$Name" | Sort-Object Started | Select-Object -Last 1 }

        # A package the application requires, from a path repository (copied into vendor/, never linked).
        $package = Join-Path $work 'packages/greeter'
        Write-Tree $package @{
            'composer.json' = '{ "name": "test/greeter", "version": "1.0.0", "autoload": { "psr-4": { "Greeter\\": "src/" } } }'
            'src/Greeter.php' = '<?php namespace Greeter; final class Greeter { public static function greet(): string { return "greeted by the package"; } }'
        }
        $repo = Join-Path $work 'app'
        Write-Tree $repo @{
            '.aegir.yml' = "name: Hello`ndatabase: none`nversion_command: [cat, VERSION]`nbuild:`n  - [php, bin/build.php, '{root}']`n"
            '.gitignore' = "/vendor/`n/built.txt`n"
            'VERSION' = "1.0`n"
            'index.php' = '<?php require __DIR__ . "/vendor/autoload.php"; echo "page of v1, ", Greeter\Greeter::greet(), ", ", file_get_contents(__DIR__ . "/built.txt");'
            'bin/build.php' = '<?php file_put_contents($argv[1] . "/built.txt", "built as " . posix_getpwuid(posix_geteuid())["name"]); echo "build wrote built.txt\n";'
            'composer.json' = (@{
                    name = 'test/app'; require = @{ 'test/greeter' = '1.0.0' }
                    repositories = @(@{ type = 'path'; url = $package; options = @{ symlink = $false } }, @{ 'packagist.org' = $false })
                } | ConvertTo-Json -Depth 5)
        }
        # The lock, made once here against the path repository (no registry is reachable), and committed with the code.
        $env:COMPOSER_ALLOW_SUPERUSER = '1'
        $out = & composer --working-dir=$repo update --no-interaction --no-progress 2>&1
        if ($LASTEXITCODE) { throw "composer update: $out" }
        $null = Invoke-Git init --quiet --initial-branch=main
        $null = Invoke-Git add --all
        $null = Invoke-Git commit --quiet -m v1
        $null = Invoke-Git tag v1
        [IO.File]::WriteAllText((Join-Path $repo 'VERSION'), "2.0`n")
        [IO.File]::WriteAllText((Join-Path $repo 'index.php'), (Get-Content -Raw (Join-Path $repo 'index.php')).Replace('page of v1', 'page of v2'))
        $null = Invoke-Git commit --quiet -am v2
        $null = Invoke-Git tag v2
        # Commits that fail to build, each on a tag of its own: no lock, a build command that fails, one that edits the code.
        $null = Invoke-Git checkout --quiet --detach v2
        $null = Invoke-Git rm --quiet composer.lock; $null = Invoke-Git commit --quiet -m nolock; $null = Invoke-Git tag nolock
        $null = Invoke-Git checkout --quiet v2
        Set-Content (Join-Path $repo '.aegir.yml') "name: Hello`ndatabase: none`nbuild:`n  - [php, -r, 'fwrite(STDERR, `"the build broke`"); exit(3);']`n"
        $null = Invoke-Git commit --quiet -am failing; $null = Invoke-Git tag failing
        $null = Invoke-Git checkout --quiet v2
        Set-Content (Join-Path $repo '.aegir.yml') "name: Hello`ndatabase: none`nbuild:`n  - [sh, -c, 'echo changed >> VERSION']`n"
        $null = Invoke-Git commit --quiet -am edits; $null = Invoke-Git tag edits
        $null = Invoke-Git checkout --quiet main
        # What is not committed never reaches a platform: the clone takes commits only.
        Add-Content (Join-Path $repo 'index.php') ' echo "uncommitted";'
    }
    AfterAll {
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    It 'builds a platform of each tag as an account of its own, gives it to the script user, records its commit, and serves each tag''s page' {
        $v1 = New-AegirPlatform gv1 (Join-Path $platforms 'v1') -Git $repo -Ref v1 -Composer
        $v2 = New-AegirPlatform gv2 (Join-Path $platforms 'v2') -Git "file://$repo" -Ref v2 -Composer

        $v1.Commit | Should -Be (Get-Commit v1)
        $v2.Commit | Should -Be (Get-Commit v2)
        $recorded = Get-AegirPlatform gv1
        $recorded.Git, $recorded.Ref, $recorded.Commit, $recorded.Kind, $recorded.Version | Should -Be $repo, 'v1', (Get-Commit v1), 'php', '1.0'
        (Get-AegirPlatform gv2).Version | Should -Be '2.0'
        $root = Join-Path $platforms 'v1'
        Test-Path (Join-Path $root 'vendor/test/greeter/src/Greeter.php') | Should -BeTrue -Because 'composer installed the package from the lock'
        & stat -c '%U %a' $root (Join-Path $root 'index.php') (Join-Path $root 'vendor') | Should -Be 'aegir 755', 'aegir 644', 'aegir 755'
        (& git -C $root -c safe.directory=$root status --porcelain) | Should -BeNullOrEmpty -Because 'the checkout is the commit, and vendor/ and built.txt are ignored'
        $log = (Get-LastTask gv1).Log.Message -join "`n"
        $log | Should -Match 'build wrote built.txt'
        $log | Should -Match 'The tag v1 is commit'

        $null = New-AegirSite g1.test -Platform gv1
        $null = New-AegirSite g2.test -Platform gv2
        $page1 = Invoke-Site -Port $port -HostName g1.test
        $page1.Status | Should -Be 200
        $page1.Body | Should -BeLike 'page of v1, greeted by the package, built as build-gv1-*' -Because 'the build runs as an account of its own, not aegir, which owns every other platform'
        $page2 = (Invoke-Site -Port $port -HostName g2.test).Body
        $page2 | Should -BeLike 'page of v2, greeted by the package, built as build-gv2-*' -Because 'the uncommitted change to index.php is no part of any commit'
        @(& getent passwd | Where-Object { $_ -like 'build-gv*' }) | Should -BeNullOrEmpty -Because 'the build''s account is deleted when the build ends'
    }

    It 'warns at verify when a file of the commit was changed by hand, and not once it is put back' {
        $file = Join-Path $platforms 'v2/VERSION'
        $was = Get-Content -Raw $file
        Add-Content $file 'by hand'
        $drift = @(Test-AegirPlatform gv2 -ErrorAction SilentlyContinue)
        @($drift | Where-Object { $_.Kind -eq 'PlatformFile' -and $_.Where -like '*/v2/VERSION*' }).Count | Should -BeGreaterThan 0 -Because 'the drift report sees the hand edit before verify does anything'
        $null = Invoke-AegirVerify gv2 -WarningVariable warned 3>$null
        "$warned" | Should -Match '1 file\(s\) of commit .* were changed, added or hidden .*: VERSION \(changed\)'
        [IO.File]::WriteAllText($file, $was)
        $null = Invoke-AegirVerify gv2 -WarningVariable clean 3>$null
        $clean | Should -BeNullOrEmpty
        Test-AegirPlatform gv2 -Quiet | Should -BeTrue
        # A file added that git does not ignore, and a file git was told to stop looking at, are changes too.
        $v2 = Join-Path $platforms 'v2'
        Set-Content (Join-Path $v2 'evil.php') '<?php'
        $null = runuser -u aegir -- git -C $v2 update-index --skip-worktree VERSION 2>&1
        try {
            $null = Invoke-AegirVerify gv2 -WarningVariable hidden 3>$null
            "$hidden" | Should -Match 'evil\.php \(a file git does not know'
            "$hidden" | Should -Match 'VERSION \(hidden from git status'
            @(Test-AegirPlatform gv2 -ErrorAction SilentlyContinue | Where-Object Where -like '*/v2/evil.php').Count | Should -Be 1
        }
        finally { Remove-Item (Join-Path $v2 'evil.php'); $null = runuser -u aegir -- git -C $v2 update-index --no-skip-worktree VERSION 2>&1; $null = Invoke-AegirVerify gv2 3>$null }
        # A checkout moved to another commit by hand: the record's commit is what the report compares with.
        $null = runuser -u aegir -- git -C (Join-Path $platforms 'v2') checkout --quiet --detach (Get-Commit v1) 2>&1
        try {
            $moved = @(Test-AegirPlatform gv2 -ErrorAction SilentlyContinue | Where-Object Expected -like 'commit *')
            $moved.Count | Should -Be 1
            $moved[0].Found | Should -Be "commit $(Get-Commit v1)"
        }
        finally { $null = runuser -u aegir -- git -C (Join-Path $platforms 'v2') checkout --quiet --detach (Get-Commit v2) 2>&1 }
        Test-AegirPlatform gv2 -Quiet | Should -BeTrue
    }

    It 'resolves a branch to its commit once, which the platform keeps when the branch moves on' {
        $main = New-AegirPlatform gmain (Join-Path $platforms 'main') -Git $repo -Ref main -WarningVariable warned 3>$null
        $built = Get-Commit main
        $main.Commit | Should -Be $built
        "$warned" | Should -Match "main is a branch, which moves: it is resolved to its commit $built now"
        $null = Invoke-Git commit --quiet --allow-empty -m later
        $null = Invoke-AegirVerify gmain -WarningVariable later 3>$null
        $later | Should -BeNullOrEmpty -Because 'the checkout is still the commit it was built from'
        (Get-AegirPlatform gmain).Commit | Should -Be $built
        (Get-Commit main) | Should -Not -Be $built
    }

    It 'leaves no folder and no record when <Why>' -ForEach @(
        @{ Why = 'the ref is unknown'; Ref = 'v9'; Composer = $false; Message = '*has no tag, branch or commit named v9*' }
        @{ Why = 'the commit has no composer.lock'; Ref = 'nolock'; Composer = $true; Message = '*holds no composer.lock*moving target*' }
        @{ Why = 'a build command fails (in an empty folder of the admin''s, which stays, empty)'; Ref = 'failing'; Composer = $false; Message = '*the build broke*'; Existing = $true }
        @{ Why = 'the build changes a file of the commit'; Ref = 'edits'; Composer = $false; Message = '*the build changed 1 file(s) of the commit: VERSION*' }
    ) {
        $name = "gbad$($Ref -replace '\W', '')"
        $root = Join-Path $platforms $name
        if ($Existing) { $null = New-Item -ItemType Directory $root; & chmod 2750 $root }
        New-AegirPlatform $name $root -Git $repo -Ref $Ref -Composer:$Composer -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        "$failed" | Should -BeLike $Message
        if ($Existing) { & stat -c '%U %a' $root | Should -Be 'root 2750'; @(Get-ChildItem -Force $root).Count | Should -Be 0 }
        else { Test-Path $root | Should -BeFalse }
        @(& getent passwd | Where-Object { $_ -like "build-$name-*" }) | Should -BeNullOrEmpty
        Get-AegirPlatform | Where-Object Name -eq "platform_$name" | Should -BeNullOrEmpty
        (Get-LastTask $name).Status | Should -Be 'Failed'
    }

    It 'refuses a moving target, a url with a password, and changes nothing for -WhatIf' {
        $root = Join-Path $platforms 'never'
        { New-AegirPlatform never $root -Git $repo -ErrorAction Stop } | Should -Throw '*needs the tag, branch or commit to build*-Ref*'
        $err = { New-AegirPlatform never $root -Git 'https://deploy:s3cret@git.example.com/app.git' -Ref v1 -ErrorAction Stop } | Should -Throw -PassThru
        $err.Exception.Message | Should -Match 'credential helper'
        "$($err.Exception.Message) $($err.TargetObject)" | Should -Not -Match 's3cret'
        $err = { New-AegirPlatform never $root -Git 'https://git.example.com/app.git?access_token=s3cret' -Ref v1 -ErrorAction Stop } | Should -Throw -PassThru
        "$($err.Exception.Message) $($err.TargetObject)" | Should -Not -Match 's3cret'
        { New-AegirPlatform never $root -Git $repo -Ref HEAD -ErrorAction Stop } | Should -Throw '*moving target*'
        $steps = New-AegirPlatform never $root -Git $repo -Ref main -Composer -Plan
        ($steps.Description -join "`n") | Should -Match "(?s)make $([regex]::Escape($root)).*clone .*composer install --no-dev.*build commands.*verify the built codebase"
        $null = New-AegirPlatform never $root -Git $repo -Ref main -WhatIf
        Test-Path $root | Should -BeFalse
        Get-AegirPlatform | Where-Object Name -eq 'platform_never' | Should -BeNullOrEmpty
    }
}
