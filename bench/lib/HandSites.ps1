# The work of installing plain PHP sites done by hand, for the benches to hold the module's figures against (dot-sourced;
# bench/*.ps1 alone are benches). The hand-made sites copy the module's first site: its vhost, its pool.

# What to make for hand1..hand$Sites: the SQL, and per site its account, folders, pool and vhost (texts from the module's $ModelUri).
function New-HandSitePlan($Server, [int] $Sites, [string] $Root, [string] $ModelUri) {
    $model = Get-ChildItem -Recurse (Join-Path $env:AEGIR_HOME 'config') -Filter "$ModelUri.conf" | Select-Object -First 1
    $flat = $ModelUri.Replace('.', '')
    $statements = foreach ($i in 1..$Sites) {
        "CREATE DATABASE hand$i CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
        foreach ($h in '127.0.0.1', 'localhost') { "CREATE USER 'hand$i'@'$h' IDENTIFIED BY 'Hand-$i-Secret'; GRANT ALL PRIVILEGES ON hand$i.* TO 'hand$i'@'$h';" }
    }
    # Each site's own account and pool, as the module makes them: the pool file, its temp and session folders.
    $account1 = (Get-AegirSite $ModelUri).UnixUser
    $poolDir = $Server.Http.Get('php_fpm_pool_dir')
    $poolModel = Get-Content -Raw (Join-Path $poolDir "aegir-$account1.conf")
    $text = Get-Content -Raw $model.FullName
    $planned = foreach ($i in 1..$Sites) {
        $account = "hand$i-bench"
        $uri = $ModelUri -replace '^[^.]+', "hand$i"
        [pscustomobject]@{
            Uri = $uri; Path = Join-Path $model.DirectoryName "$uri.conf"; Files = Join-Path $Root "files/$uri"; Account = $account
            Text = $text.Replace($ModelUri, $uri).Replace($flat, "hand$i").Replace($account1, $account)
            Pool = Join-Path $poolDir "aegir-$account.conf"; PoolText = $poolModel.Replace($account1, $account).Replace($ModelUri, $uri).Replace($flat, "hand$i")
            PhpDir = Join-Path $Server.Http.Get('php_site_dir') $account
        }
    }
    [pscustomobject]@{ Statements = $statements; Sites = $planned }
}

# The SQL in one session; each site's account, folders and pool; one PHP-FPM test and reload. The vhosts are the caller's.
function Invoke-HandSitePlan($Server, $Plan) {
    $socket = Get-ChildItem -Recurse (Join-Path $env:AEGIR_HOME 'local') -Filter 'mariadbd.sock' | Select-Object -First 1
    $Plan.Statements -join "`n" | mariadb --no-defaults "--socket=$($socket.FullName)" -u root
    if ($LASTEXITCODE) { throw 'the hand-made SQL failed' }
    foreach ($v in $Plan.Sites) {
        useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin $v.Account
        $null = New-Item -ItemType Directory "$($v.PhpDir)/tmp", "$($v.PhpDir)/sessions", $v.Files
        chown "$($v.Account):$($v.Account)" "$($v.PhpDir)/tmp" "$($v.PhpDir)/sessions"; chmod 0700 "$($v.PhpDir)/tmp" "$($v.PhpDir)/sessions"
        chmod 2770 $v.Files; chown "$($v.Account):$($Server.Http.Get('web_group'))" $v.Files
        [IO.File]::WriteAllText($v.Pool, $v.PoolText)
        chmod 0600 $v.Pool
    }
    sh -c $Server.Http.Get('php_fpm_test_command') 2>$null
    if ($LASTEXITCODE) { throw 'the hand-made pools failed their test' }
    kill -USR2 (Get-Content $Server.Http.Get('php_fpm_pid_file'))
    $last = Join-Path $Plan.Sites[-1].PhpDir 'php.sock'
    while (-not (Test-Path $last)) { Start-Sleep -Milliseconds 5 }
}

# The web server's config tested once and reloaded once, as the last step of the hand-made work.
function Invoke-HandReload($Server) {
    sh -c $Server.Http.Get('config_test_command') 2>$null
    if ($LASTEXITCODE) { throw 'the hand-made config failed its test' }
    sh -c $Server.Http.Get('restart_command')
}

function Remove-HandAccounts([int] $Sites) {
    foreach ($i in 1..$Sites) { userdel --force "hand$i-bench" 2>$null }
}
