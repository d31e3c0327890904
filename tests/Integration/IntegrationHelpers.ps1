# Shared by the integration suites: the built module, real HTTP requests and real database reads.
Import-Module $env:AEGIR_TEST_MODULE -Force

# An HTTP GET to 127.0.0.1 with a Host header, without following redirects.
function Invoke-Site {
    param([int] $Port, [string] $HostName, [string] $Path = '/')
    $handler = [System.Net.Http.HttpClientHandler]@{ AllowAutoRedirect = $false }
    $client = [System.Net.Http.HttpClient]::new($handler)
    try {
        $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::Get, "http://127.0.0.1:$Port$Path")
        $request.Headers.Host = "${HostName}:$Port"
        $response = $client.SendAsync($request).GetAwaiter().GetResult()
        [pscustomobject]@{
            Status   = [int]$response.StatusCode
            Location = "$($response.Headers.Location)"
            Body     = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
        }
    }
    finally { $client.Dispose() }
}

# An HTTP GET of a path sent exactly as given, as a hostile visitor would: no dot segments resolved, no doubled
# slashes merged, no escapes undone (System.Uri would do all three).
function Invoke-RawSite {
    param([int] $Port, [string] $HostName, [string] $Path)
    $client = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $Port)
    try {
        $stream = $client.GetStream()
        $request = [Text.Encoding]::ASCII.GetBytes("GET $Path HTTP/1.1`r`nHost: ${HostName}:$Port`r`nConnection: close`r`n`r`n")
        $stream.Write($request, 0, $request.Length)
        $text = [IO.StreamReader]::new($stream, [Text.Encoding]::UTF8).ReadToEnd()
    }
    finally { $client.Dispose() }
    $head, $body = $text -split "`r`n`r`n", 2
    [pscustomobject]@{ Status = [int](($head -split ' ')[1]); Body = "$body" }
}

# Runs SQL on a server's MariaDB as its admin, with the password in a private defaults file.
# Runs a MariaDB client program as the server's admin, its password in a private defaults file, never on the command line.
function Invoke-AdminClient {
    param([string] $Server = 'master', [string] $Program, [string[]] $Arguments)
    $s = Get-AegirServer $Server
    $password = ((Get-Content -Raw $s.Path) -split "`n" | Where-Object { $_ -match '^\s+admin_password: (.+)$' } | ForEach-Object { $Matches[1].Trim() })
    $file = Join-Path $TestDrive "my-$([guid]::NewGuid().ToString('N')).cnf"
    New-Item -ItemType File $file | Out-Null
    [System.IO.File]::SetUnixFileMode($file, 'UserRead, UserWrite')
    Set-Content $file "[client]`nuser=$($s.Db.Get('admin_user'))`npassword=$password`nhost=127.0.0.1`nport=$($s.Db.Get('port'))"
    try {
        $out = & $Program "--defaults-extra-file=$file" @Arguments 2>&1
        if ($LASTEXITCODE) { throw "${Program}: $out" }
        $out
    }
    finally { Remove-Item $file -Force }
}

function Invoke-Sql {
    param([string] $Server = 'master', [string] $Sql, [string] $Database)
    $arguments = @('--batch', '--skip-column-names', '-e', $Sql)
    if ($Database) { $arguments += $Database }
    Invoke-AdminClient -Server $Server -Program mariadb -Arguments $arguments
}

# A database's dump as mariadb-dump writes it (as Aegir 3 did for its backups).
function Export-Database([string] $Database, [string] $Path) {
    Invoke-AdminClient -Program mariadb-dump -Arguments @('--single-transaction', "--result-file=$Path", $Database) | Out-Null
}

function Get-SitePassword([string] $Uri) {
    $path = (Get-AegirSite $Uri).Path
    (Get-Content $path | Where-Object { $_ -match '^db_password: (.+)$' } | ForEach-Object { $Matches[1].Trim() })
}

# A folder for one suite's AEGIR_HOME and platforms, reachable by the web server's users.
function New-WorkFolder {
    $path = Join-Path ([IO.Path]::GetTempPath()) "aegir-it-$([guid]::NewGuid().ToString('N').Substring(0, 10))"
    $null = New-Item -ItemType Directory $path
    [IO.File]::SetUnixFileMode($path, 'UserRead, UserWrite, UserExecute, GroupExecute, OtherExecute')
    $path
}

# Writes files under a folder (a codebase the test makes), their folders made as needed: path => text.
function Write-Tree([string] $Root, [hashtable] $Files) {
    foreach ($path in $Files.Keys) {
        $full = Join-Path $Root $path
        $null = New-Item -ItemType Directory -Force (Split-Path $full)
        [IO.File]::WriteAllText($full, $Files[$path])
    }
}

# Debian packages a suite needs beyond a local server's own (apt-get, as the local server does it).
function Install-TestPackage([string[]] $Name) {
    [Aegir.Core.Local.Packages]::Ensure($Name, [Action[string]] { param($m) Write-Host $m })
}

function Test-IsRoot { (id -u) -eq '0' }

# A child pwsh that imports the module, runs $Warmup (so the code the script needs is loaded), prints 'ready',
# then runs $Script: to kill at a chosen moment.
function Start-AegirChild {
    param([string] $Script, [string] $Warmup = '')
    $exe = [Environment]::ProcessPath
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    $psi = [System.Diagnostics.ProcessStartInfo]::new($exe)
    $full = "`$ErrorActionPreference = 'Continue'; `$ProgressPreference = 'SilentlyContinue'; Import-Module '$env:AEGIR_TEST_MODULE'; $Warmup; [Console]::Out.WriteLine('ready'); [Console]::Out.Flush(); $Script"
    foreach ($a in @($prefix) + @('-NoProfile', '-NonInteractive', '-Command', $full)) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $child = [System.Diagnostics.Process]::Start($psi)
    $null = $child.StandardError.ReadToEndAsync()
    if ($child.StandardOutput.ReadLine() -ne 'ready') { throw 'the child pwsh did not start' }
    $null = $child.StandardOutput.ReadToEndAsync()
    $child
}

# What the server's MariaDB holds of the sites' own: their databases and users (never the server's).
# Runs SQL on a server's PostgreSQL as its admin, the password in a private password file.
function Invoke-PgSql {
    param([string] $Server, [string] $Sql, [string] $Database = 'postgres', [string] $User, [string] $Password)
    $s = Get-AegirServer $Server
    if (-not $User) {
        $User = $s.Db.Get('admin_user')
        $Password = ((Get-Content -Raw $s.Path) -split "`n" | Where-Object { $_ -match '^\s+admin_password: (.+)$' } | ForEach-Object { $Matches[1].Trim() })
    }
    $file = Join-Path $TestDrive "pgpass-$([guid]::NewGuid().ToString('N'))"
    New-Item -ItemType File $file | Out-Null
    [System.IO.File]::SetUnixFileMode($file, 'UserRead, UserWrite')
    Set-Content $file "*:*:*:${User}:$Password"
    $env:PGPASSFILE = $file
    try {
        $out = & psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $s.Db.Get('port') -U $User -d $Database -c $Sql 2>&1
        if ($LASTEXITCODE) { throw "psql: $out" }
        $out
    }
    finally { Remove-Item Env:PGPASSFILE; Remove-Item $file -Force }
}

function Get-SiteDatabases { @(Invoke-Sql -Sql "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN ('information_schema','mysql','performance_schema','sys')") }
function Get-SiteDbUsers { @(Invoke-Sql -Sql "SELECT DISTINCT User FROM mysql.user WHERE User NOT IN ('root','mariadb.sys','aegir_admin','') AND User NOT LIKE 'aegir_verify_%'") }

# A front page that answers "ok <database>" once it has connected with the credentials the vhost hands PHP.
function Write-DbPage([string] $Root) {
    $null = New-Item -ItemType Directory -Force $Root
    Set-Content "$Root/index.php" @'
<?php
$db = new mysqli($_SERVER['db_host'], $_SERVER['db_user'], $_SERVER['db_passwd'], $_SERVER['db_name'], (int)$_SERVER['db_port']);
echo 'ok ', $_SERVER['db_name'];
'@
}

# A Drupal-shaped codebase (core, sites, folders, a settings file) with that front page and a drush stand-in that
# installs the table Drupal keeps its modules in (8+: config; -Seven: system) and says the site boots when asked;
# slow for slow*, failing for fail* sites.
function New-DrupalShapedCodebase([string] $Root, [switch] $Seven) {
    Write-DbPage $Root
    $null = New-Item -ItemType Directory -Force "$Root/sites", "$Root/vendor/bin"
    if ($Seven) {
        $null = New-Item -ItemType Directory -Force "$Root/includes"
        Set-Content "$Root/includes/bootstrap.inc" "<?php`ndefine('VERSION', '7.101');"
    }
    else {
        $null = New-Item -ItemType Directory -Force "$Root/core/lib"
        Set-Content "$Root/core/lib/Drupal.php" "<?php class Drupal { const VERSION = '10.3.1'; }"
    }
    $drush = @'
#!/bin/sh
if [ "$1" = status ]; then echo Successful; exit 0; fi
for a in "$@"; do [ "$a" = cron ] && { echo "Cron run completed."; exit 0; }; done
for a in "$@"; do
  case "$a" in
    --sites-subdir=slow*) sleep 1 ;;
    --sites-subdir=fail*) echo "drush: the installer failed" >&2; exit 1 ;;
  esac
done
if [ "$db_type" = pgsql ]; then
  PGPASSWORD="$db_passwd" psql -X -q -v ON_ERROR_STOP=1 -h "$db_host" -p "$db_port" -U "$db_user" -d "$db_name" -c "CREATE TABLE config (collection VARCHAR(255) NOT NULL DEFAULT '', name VARCHAR(255) NOT NULL, data BYTEA); INSERT INTO config VALUES ('', 'core.extension', '');" || exit 1
else
  cnf=$(mktemp); chmod 600 "$cnf"
  printf '[client]\nuser=%s\npassword=%s\nhost=%s\nport=%s\n' "$db_user" "$db_passwd" "$db_host" "$db_port" > "$cnf"
  mariadb --defaults-extra-file="$cnf" "$db_name" -e "CREATE TABLE config (collection VARCHAR(255) NOT NULL DEFAULT '', name VARCHAR(255) NOT NULL, data LONGBLOB); INSERT INTO config VALUES ('', 'core.extension', '');"
  status=$?; rm -f "$cnf"; [ $status -eq 0 ] || exit 1
fi
echo " [success] Installation complete.  User name: admin  User password: Stand-In-Pw-123"
'@
    # Drupal 7 keeps its modules in the system table.
    if ($Seven) { $drush = $drush -replace 'CREATE TABLE config \([^"]*LONGBLOB\); INSERT INTO config VALUES [^"]*', "CREATE TABLE system (name VARCHAR(255) NOT NULL); INSERT INTO system VALUES ('node');" }
    Set-Content "$Root/vendor/bin/drush" $drush
    chmod 755 "$Root/vendor/bin/drush"
}

# A WordPress platform: a copy of Debian's package (its links resolved) under the suite's folder, recorded and verified.
function New-WordPressPlatform([string] $Work, [string] $Name) {
    $root = Join-Path $Work "platforms/$Name"
    $null = New-Item -ItemType Directory -Force (Split-Path $root)
    cp -rL /usr/share/wordpress $root
    $null = New-AegirPlatform $Name $root
    $root
}

# A published post in a WordPress site's database, straight into its tables.
function Add-WordPressPost([string] $Database, [string] $Title, [string] $Name, [string] $Body = 'A post') {
    Invoke-Sql -Database $Database -Sql @"
INSERT INTO wp_posts (post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt, post_status, post_name, to_ping, pinged, post_modified, post_modified_gmt, post_content_filtered, guid, post_type)
VALUES (1, NOW(), NOW(), '$Body', '$Title', '', 'publish', '$Name', '', '', NOW(), NOW(), '', '', 'post')
"@
}
