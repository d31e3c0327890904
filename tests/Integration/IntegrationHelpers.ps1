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

# A root CA of the test's own and a leaf it signs for the names (and addresses), as PEM files in the folder: a server's
# certificate as an admin would have it. fullchain.pem holds the leaf, then the root.
function New-TestCertificate([string[]] $Names, [string] $Dir, [System.Net.IPAddress[]] $Addresses = @()) {
    $now = [DateTimeOffset]::UtcNow
    $rootKey = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
    $rootReq = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=Aegir Test Root', $rootKey, 'SHA256')
    $rootReq.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($true, $false, 0, $true))
    $rootReq.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509KeyUsageExtension]::new('KeyCertSign, CrlSign', $true))
    $root = $rootReq.CreateSelfSigned($now.AddDays(-2), $now.AddYears(2))
    $key = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
    $req = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new("CN=$($Names[0])", $key, 'SHA256')
    $san = [System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder]::new()
    foreach ($n in $Names) { $san.AddDnsName($n) }
    foreach ($a in $Addresses) { $san.AddIpAddress($a) }
    $req.CertificateExtensions.Add($san.Build())
    $usage = [System.Security.Cryptography.OidCollection]::new()
    $null = $usage.Add([System.Security.Cryptography.Oid]::new('1.3.6.1.5.5.7.3.1'))
    $req.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension]::new($usage, $false))
    $leaf = $req.Create($root, $now.AddDays(-1), $now.AddDays(60), [byte[]](7, 8, 9))
    $null = New-Item -ItemType Directory -Force $Dir
    Set-Content "$Dir/fullchain.pem" ($leaf.ExportCertificatePem() + "`n" + $root.ExportCertificatePem())
    Set-Content "$Dir/key.pem" $key.ExportPkcs8PrivateKeyPem()
    Set-Content "$Dir/root.pem" $root.ExportCertificatePem()
    [pscustomobject]@{ Chain = "$Dir/fullchain.pem"; Key = "$Dir/key.pem"; Root = "$Dir/root.pem"; Thumbprint = $leaf.GetCertHashString('SHA256') }
}

# curl over TLS to 127.0.0.1 as a visitor of the name, trusting only the given PEM file: status, headers and body.
function Invoke-Tls([string] $HostName, [int] $Port, [string] $CaFile, [string] $Path = '/') {
    $headers = Join-Path $TestDrive "h-$([guid]::NewGuid().ToString('N')).txt"
    $body = & curl -sS --max-time 20 --cacert $CaFile --resolve "${HostName}:${Port}:127.0.0.1" -D $headers "https://${HostName}:$Port$Path" 2>&1
    [pscustomobject]@{ Exit = $LASTEXITCODE; Body = "$body"; Headers = $(if (Test-Path $headers) { Get-Content -Raw $headers } else { '' }) }
}

# The certificate the server shows for a name (SNI), taken without judging it.
function Get-ServedCertificate([string] $HostName, [int] $Port) {
    $tcp = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $Port)
    try {
        $ssl = [System.Net.Security.SslStream]::new($tcp.GetStream(), $false, { $true })
        $ssl.AuthenticateAsClient($HostName)
        [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($ssl.RemoteCertificate)
    }
    finally { $tcp.Dispose() }
}

# The certificate file of the generation the store uses for a site (certificate.json names it).
function Get-StoredPem([string] $Uri) {
    $generation = (Get-Content -Raw "$env:AEGIR_HOME/certificates/$Uri/certificate.json" | ConvertFrom-Json).generation
    "$env:AEGIR_HOME/certificates/$Uri/$generation/fullchain.pem"
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
    [Aegir.Core.Machine.Packages]::Ensure($Name, [Action[string]] { param($m) Write-Host $m })
}

function Test-IsRoot { (id -u) -eq '0' }

. $PSScriptRoot/TestRabbitMq.ps1

# A child pwsh that imports the module, runs $Warmup (so the code the script needs is loaded), prints 'ready',
# then runs $Script: to kill at a chosen moment. -NoWait returns it at once; Wait-AegirChild waits for its 'ready'.
function Start-AegirChild {
    param([string] $Script, [string] $Warmup = '', [switch] $NoWait)
    $exe = [Environment]::ProcessPath
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    $psi = [System.Diagnostics.ProcessStartInfo]::new($exe)
    $full = "`$ErrorActionPreference = 'Continue'; `$ProgressPreference = 'SilentlyContinue'; Import-Module '$env:AEGIR_TEST_MODULE'; $Warmup; [Console]::Out.WriteLine('ready'); [Console]::Out.Flush(); $Script"
    foreach ($a in @($prefix) + @('-NoProfile', '-NonInteractive', '-Command', $full)) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $child = [System.Diagnostics.Process]::Start($psi)
    $null = $child.StandardError.ReadToEndAsync()
    if (-not $NoWait) { Wait-AegirChild $child }
    $child
}

function Wait-AegirChild($Child) {
    if ($Child.StandardOutput.ReadLine() -ne 'ready') { throw 'the child pwsh did not start' }
    $null = $Child.StandardOutput.ReadToEndAsync()
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

# Drupal 7's installer as a real core has it (includes/install.core.inc), as far as the module reaches it: called
# non-interactively, it finds the site's settings.php from the host name as conf_path() does, connects with the
# database that file gives (from $_SERVER, as the vhost hands it), refuses a database form (the settings are
# written), makes the tables Drupal 7 keeps (system, variable, users) with user 1, and leaves a files folder as
# Drupal does (.htaccess 0444, styles/). It records who ran it; db_query reads back as Drupal's does.
$drupal7Installer = @'
<?php
function install_drupal($settings = array()) {
  if (empty($settings['parameters']['profile']) || !empty($settings['forms']['install_settings_form'])) throw new Exception('Drupal 7 needs a profile, and its database from settings.php');
  $conf_path = 'sites/' . $_SERVER['HTTP_HOST'];
  $databases = array();
  require DRUPAL_ROOT . '/' . $conf_path . '/settings.php';
  $c = $databases['default']['default'];
  $dsn = $c['driver'] === 'pgsql' ? "pgsql:host={$c['host']};port={$c['port']};dbname={$c['database']}" : "mysql:host={$c['host']};port={$c['port']};dbname={$c['database']}";
  $db = $GLOBALS['drupal7_stand_in'] = new PDO($dsn, $c['username'], $c['password'], array(PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION));
  $form = $settings['forms']['install_configure_form'];
  if ($form['account']['pass']['pass1'] === '' || $form['account']['pass']['pass1'] !== $form['account']['pass']['pass2']) throw new Exception('The specified passwords do not match.');
  $db->exec("CREATE TABLE system (name VARCHAR(255) NOT NULL, type VARCHAR(12) NOT NULL DEFAULT 'module', status INT NOT NULL DEFAULT 1, schema_version INT NOT NULL DEFAULT 7000)");
  $db->exec("CREATE TABLE variable (name VARCHAR(128) NOT NULL, value TEXT NOT NULL)");
  $db->exec("CREATE TABLE users (uid INT NOT NULL, name VARCHAR(60) NOT NULL, mail VARCHAR(254), pass VARCHAR(128) NOT NULL, access INT NOT NULL DEFAULT 0)");
  $db->exec("INSERT INTO system (name) VALUES ('node')");
  $db->prepare("INSERT INTO users (uid, name, mail, pass) VALUES (1, ?, ?, ?)")->execute(array($form['account']['name'], $form['account']['mail'], password_hash($form['account']['pass']['pass1'], PASSWORD_DEFAULT)));
  $variables = array('site_name' => $form['site_name'], 'install_profile' => $settings['parameters']['profile'], 'installed_by' => posix_getpwuid(posix_geteuid())['name'],
    'cron_key' => bin2hex(random_bytes(16)), 'install_task' => 'done');
  foreach ($variables as $name => $value) $db->prepare("INSERT INTO variable (name, value) VALUES (?, ?)")->execute(array($name, serialize($value)));
  $files = DRUPAL_ROOT . '/' . $conf_path . '/files';
  file_put_contents("$files/.htaccess", "SetHandler Drupal_Security_Do_Not_Remove_See_SA_2006_006\n");
  chmod("$files/.htaccess", 0444);
  if (!is_dir("$files/styles")) mkdir("$files/styles", 0775);
}
final class Drupal7StandInResult {
  public function __construct(private PDOStatement $statement) {}
  public function fetchField() { return $this->statement->fetchColumn(); }
}
function db_query($sql) { return new Drupal7StandInResult($GLOBALS['drupal7_stand_in']->query(strtr($sql, array('{' => '', '}' => '')))); }
'@

# Drupal 7's cron.php as far as the module reaches it: the site from the host name, its cron_key, then cron_last.
$drupal7Cron = @'
<?php
$databases = array();
require __DIR__ . '/sites/' . preg_replace('/:\d+$/', '', $_SERVER['HTTP_HOST']) . '/settings.php';
$c = $databases['default']['default'];
$dsn = $c['driver'] === 'pgsql' ? "pgsql:host={$c['host']};port={$c['port']};dbname={$c['database']}" : "mysql:host={$c['host']};port={$c['port']};dbname={$c['database']}";
$db = new PDO($dsn, $c['username'], $c['password'], array(PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION));
$key = $db->query("SELECT value FROM variable WHERE name = 'cron_key'")->fetchColumn();
if (!isset($_GET['cron_key']) || $key !== serialize($_GET['cron_key'])) { http_response_code(403); exit; }
$db->exec("DELETE FROM variable WHERE name = 'cron_last'");
$db->prepare("INSERT INTO variable (name, value) VALUES ('cron_last', ?)")->execute(array(serialize(time())));
'@

# A Drupal-shaped codebase (core, sites, folders, a settings file) with that front page. Drupal 8+: a drush stand-in
# that installs the table Drupal keeps its modules in (config) and says the site boots when asked; slow for slow*,
# failing for fail* sites. -Seven: as a real Drupal 7 core, no drush, and a stand-in of its own installer.
function New-DrupalShapedCodebase([string] $Root, [switch] $Seven) {
    Write-DbPage $Root
    $null = New-Item -ItemType Directory -Force "$Root/sites"
    if ($Seven) {
        $null = New-Item -ItemType Directory -Force "$Root/includes"
        Set-Content "$Root/includes/bootstrap.inc" "<?php`ndefine('VERSION', '7.101');"
        Set-Content "$Root/includes/install.core.inc" $drupal7Installer
        Set-Content "$Root/cron.php" $drupal7Cron
        return
    }
    $null = New-Item -ItemType Directory -Force "$Root/vendor/bin", "$Root/core/lib"
    Set-Content "$Root/core/lib/Drupal.php" "<?php class Drupal { const VERSION = '10.3.1'; }"
    $drush = @'
#!/bin/sh
if [ "$1" = status ]; then echo Successful; exit 0; fi
for a in "$@"; do [ "$a" = cron ] && { echo "Cron run completed."; exit 0; }; done
for a in "$@"; do [ "$a" = updatedb ] && { echo " [success] No pending updates ($1)."; exit 0; }; done
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

# Another machine for a test (tests/hosts/testhost.sh): a network namespace with its own mount and UTS namespace and
# Debian's sshd, root's login by a key made for it. Its subnet, 10.231.<n>.0/24, is free of any other's.
function New-TestHost([string] $Name) {
    if (-not (Test-Path /usr/sbin/sshd)) { Install-TestPackage openssh-server }
    $script = Join-Path $PSScriptRoot '../hosts/testhost.sh'
    $used = (ip -o -4 addr show) -join "`n"
    $n = (Get-Random -Minimum 10 -Maximum 210)..250 | Where-Object { $used -notmatch "10\.231\.$_\." } | Select-Object -First 1
    $dir = Join-Path ([IO.Path]::GetTempPath()) "aegir-host-$([guid]::NewGuid().ToString('N').Substring(0, 10))"
    $address = (& bash $script up $Name $dir $n | Select-Object -Last 1)
    if ($LASTEXITCODE) { throw "the test host $Name did not start" }
    $pub = Join-Path $dir 'fs/etc/ssh/ssh_host_ed25519_key.pub'
    [pscustomobject]@{
        Name = $Name; Dir = $dir; Address = $address; KeyPath = Join-Path $dir 'id_ed25519'; Script = $script
        Fingerprint = ((ssh-keygen -lf $pub) -split ' ')[1]
    }
}

# Runs a command on a test host as its root, outside the module.
function Invoke-OnTestHost($TestHost, [string] $Command) {
    $out = & bash $TestHost.Script run $TestHost.Dir sh -c $Command 2>&1
    if ($LASTEXITCODE) { throw "on $($TestHost.Name): $Command`n$out" }
    $out
}

# Starts PHP-FPM and nginx on a test host at Debian's paths, nginx including every server config the module writes there.
function Start-TestHostWeb($TestHost) {
    # PHP-FPM lets each worker finish its request on a reload, as an admin sets it for sites with pools of their own.
    $null = Invoke-OnTestHost $TestHost 'mkdir -p /var/log/nginx /run/php && echo "include /var/aegir/config/*/nginx.conf;" > /etc/nginx/conf.d/aegir.conf && rm -f /etc/nginx/sites-enabled/* && sed -i "s/^;*process_control_timeout = .*/process_control_timeout = 10s/" /etc/php/8.2/fpm/php-fpm.conf && php-fpm8.2 -D && nginx'
}

# This machine's address on a test host's link (the test host reaches this machine there).
function Get-TestHostGateway($TestHost) { $TestHost.Address -replace '\.2$', '.1' }

# A pwsh on a test host (its network, mount and UTS namespaces) that imports the module under test, as a worker
# there runs: PowerShell is copied into the host's own /srv once, as /root (where the tool lives here) is the host's
# own. Returns the process (stdout and stderr redirected); $Environment is set for it (read from a private file).
function Start-TestHostChild($TestHost, [string] $Script, [hashtable] $Environment = @{}) {
    $pwshHome = Join-Path $TestHost.Dir 'fs/srv/pwsh'
    if (-not (Test-Path $pwshHome)) { & cp -a $PSHOME $pwshHome; if ($LASTEXITCODE) { throw "could not copy PowerShell to $($TestHost.Name)" } }
    # The module too: the one under test may live in this machine's /tmp, which the host does not see.
    $moduleHome = Join-Path $TestHost.Dir 'fs/srv/aegir-module'
    if (-not (Test-Path $moduleHome)) { & cp -a (Split-Path $env:AEGIR_TEST_MODULE) $moduleHome; if ($LASTEXITCODE) { throw "could not copy the module to $($TestHost.Name)" } }
    $psi = [System.Diagnostics.ProcessStartInfo]::new('nsenter')
    $anchor = Get-Content (Join-Path $TestHost.Dir 'anchor.pid')
    # The environment (it may hold a password) in an owner-only file the child reads and removes, never on a command line.
    $envName = "child-$([guid]::NewGuid().ToString('N')).env"
    $envFile = Join-Path $TestHost.Dir "fs/root/$envName"
    $null = New-Item -ItemType File $envFile
    [IO.File]::SetUnixFileMode($envFile, 'UserRead, UserWrite')
    Set-Content $envFile ($Environment.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" })
    $load = "foreach (`$l in Get-Content /root/$envName) { `$k, `$v = `$l -split '=', 2; [Environment]::SetEnvironmentVariable(`$k, `$v) }; Remove-Item /root/$envName"
    $full = "`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'; $load; Import-Module '/srv/aegir-module/$(Split-Path -Leaf $env:AEGIR_TEST_MODULE)'; $Script"
    foreach ($a in '-t', $anchor, '-m', '-u', '-n', '--', 'env', '-i', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'LANG=C.UTF-8', 'DOTNET_CLI_TELEMETRY_OPTOUT=1') { $psi.ArgumentList.Add($a) }
    foreach ($a in [Environment]::ProcessPath, '/srv/pwsh/pwsh.dll', '-NoProfile', '-NonInteractive', '-Command', $full) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    [System.Diagnostics.Process]::Start($psi)
}

function Remove-TestHost($TestHost) {
    if ($TestHost) { & bash $TestHost.Script down $TestHost.Dir 2>&1 | Out-Null }
}

# Starts MariaDB on a test host at Debian's paths, listening on the host's address, with an admin that may connect
# from anywhere (as a database server shared by web servers is set up); returns the admin's credential.
function Start-TestHostMariaDb($TestHost) {
    Install-TestPackage mariadb-server
    $null = Invoke-OnTestHost $TestHost 'mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld /var/lib/mysql && mariadb-install-db --no-defaults --user=mysql --datadir=/var/lib/mysql --auth-root-authentication-method=socket --skip-test-db >/dev/null 2>&1'
    Start-TestHostMariaDbProcess $TestHost
    $password = "pw-$([guid]::NewGuid().ToString('N'))"
    $out = "CREATE USER 'aegir_admin'@'%' IDENTIFIED BY '$password'; GRANT ALL ON *.* TO 'aegir_admin'@'%' WITH GRANT OPTION;" |
        & bash $TestHost.Script run $TestHost.Dir mariadb --socket=/run/mysqld/mysqld.sock 2>&1
    if ($LASTEXITCODE) { throw "on $($TestHost.Name): the MariaDB admin was not made: $out" }
    [pscredential]::new('aegir_admin', (ConvertTo-SecureString $password -AsPlainText -Force))
}

# Starts (again) the MariaDB server of a test host whose data Start-TestHostMariaDb made; waits for its socket.
function Start-TestHostMariaDbProcess($TestHost) {
    $null = Invoke-OnTestHost $TestHost "setsid mariadbd --no-defaults --user=mysql --datadir=/var/lib/mysql --bind-address=$($TestHost.Address) --socket=/run/mysqld/mysqld.sock --pid-file=/run/mysqld/mysqld.pid --skip-name-resolve --log-error=/var/log/mariadb.err </dev/null >/dev/null 2>&1 &"
    $null = Invoke-OnTestHost $TestHost 'for i in $(seq 100); do [ -S /run/mysqld/mysqld.sock ] && exit 0; sleep 0.1; done; exit 1'
}

# Stops the MariaDB server of a test host, as a crash or a shutdown would, and waits until it is gone.
function Stop-TestHostMariaDb($TestHost) {
    $null = Invoke-OnTestHost $TestHost 'kill -9 $(cat /run/mysqld/mysqld.pid); for i in $(seq 100); do [ -S /run/mysqld/mysqld.sock ] || exit 0; rm -f /run/mysqld/mysqld.sock; sleep 0.1; done; exit 0'
}

# SQL on a test host's MariaDB as its root (by socket), outside the module.
function Invoke-TestHostSql($TestHost, [string] $Sql) {
    $out = $Sql | & bash $TestHost.Script run $TestHost.Dir mariadb --socket=/run/mysqld/mysqld.sock --batch --skip-column-names 2>&1
    if ($LASTEXITCODE) { throw "on $($TestHost.Name): $Sql`n$out" }
    $out
}

# Copies a folder of this machine into a folder of a test host (tar through the host's namespace), readable by all.
function Copy-ToTestHost($TestHost, [string] $Path, [string] $Destination) {
    $null = Invoke-OnTestHost $TestHost "mkdir -p '$Destination'"
    $out = bash -c "tar -C '$(Split-Path $Path)' -c '$(Split-Path -Leaf $Path)' | bash '$($TestHost.Script)' run '$($TestHost.Dir)' tar -C '$Destination' -x" 2>&1
    if ($LASTEXITCODE) { throw "copying $Path to $($TestHost.Name): $out" }
    $null = Invoke-OnTestHost $TestHost "chmod -R o+rX '$Destination'"
}

# Starts PostgreSQL on a test host (a cluster of its own under /var/lib/postgresql), listening on the host's address,
# with a superuser that may log in with a password from anywhere; returns its credential.
function Start-TestHostPostgreSql($TestHost) {
    Install-TestPackage postgresql
    $bin = (Get-ChildItem /usr/lib/postgresql -Directory | Sort-Object { [int]$_.Name } | Select-Object -Last 1).FullName + '/bin'
    $null = Invoke-OnTestHost $TestHost "mkdir -p /run/postgresql /var/lib/postgresql/data && chown postgres:postgres /run/postgresql /var/lib/postgresql/data && runuser -u postgres -- $bin/initdb -D /var/lib/postgresql/data --auth-local=peer --auth-host=scram-sha-256 >/dev/null"
    $null = Invoke-OnTestHost $TestHost "echo 'host all aegir_admin 0.0.0.0/0 scram-sha-256' >> /var/lib/postgresql/data/pg_hba.conf"
    $null = Invoke-OnTestHost $TestHost "runuser -u postgres -- $bin/pg_ctl -D /var/lib/postgresql/data -l /var/lib/postgresql/data/server.log -w -o '-c listen_addresses=$($TestHost.Address) -c unix_socket_directories=/run/postgresql' start >/dev/null"
    $password = "pw-$([guid]::NewGuid().ToString('N'))"
    $out = "CREATE ROLE aegir_admin LOGIN SUPERUSER PASSWORD '$password';" | & bash $TestHost.Script run $TestHost.Dir runuser -u postgres -- psql -X -q -h /run/postgresql -d postgres 2>&1
    if ($LASTEXITCODE) { throw "on $($TestHost.Name): the PostgreSQL admin was not made: $out" }
    [pscredential]::new('aegir_admin', (ConvertTo-SecureString $password -AsPlainText -Force))
}

# SQL on a test host's PostgreSQL as its superuser (by socket), outside the module.
function Invoke-TestHostPgSql($TestHost, [string] $Sql, [string] $Database = 'postgres') {
    $out = $Sql | & bash $TestHost.Script run $TestHost.Dir runuser -u postgres -- psql -X -q -A -t -h /run/postgresql -d $Database 2>&1
    if ($LASTEXITCODE) { throw "on $($TestHost.Name): $Sql`n$out" }
    $out
}

# Web hosts A and C (nginx) and database host B (MariaDB), made by the caller (so its AfterAll removes what was made),
# started and recorded as @server_weba, @server_webc and @server_dbb with their host keys pinned. The admin credential of B.
function Initialize-RemoteTrio($A, $B, $C) {
    $null = Start-TestHostWeb $A
    $null = Start-TestHostWeb $C
    $admin = Start-TestHostMariaDb $B
    $null = New-AegirServer weba -RemoteHost $A.Address -SshKeyPath $A.KeyPath -HostKeyFingerprint $A.Fingerprint -HttpServiceType nginx
    $null = New-AegirServer dbb -RemoteHost $B.Address -SshKeyPath $B.KeyPath -HostKeyFingerprint $B.Fingerprint -DbServiceType mysql -DbAdminCredential $admin
    $null = New-AegirServer webc -RemoteHost $C.Address -SshKeyPath $C.KeyPath -HostKeyFingerprint $C.Fingerprint -HttpServiceType nginx
    $admin
}

# An application known by its manifest only: its installer makes a notes table from the environment, its page reads
# the note back and says which host answered.
function Write-NotesApp([string] $Path) {
    Write-Tree $Path @{
        '.aegir.yml'      = "name: Notes`nversion_command: [echo, 3.1]`ninstall: [php, bin/install.php]`ninstalled_tables: [notes]`n"
        'index.php'       = '<?php $db = new mysqli(getenv("db_host"), getenv("db_user"), getenv("db_passwd"), getenv("db_name"), (int)getenv("db_port")); echo "notes of ", $_SERVER["aegir_site"], ": ", $db->query("SELECT body FROM notes")->fetch_row()[0], " (", gethostname(), ")";'
        'bin/install.php' = '<?php $db = new mysqli(getenv("db_host"), getenv("db_user"), getenv("db_passwd"), getenv("db_name"), (int)getenv("db_port")); $db->query("CREATE TABLE notes (body TEXT)"); $db->query("INSERT INTO notes VALUES (''first note'')");'
    }
}
