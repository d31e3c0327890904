# A backup archive is data, never commands: archives of both formats (this module's and Aegir 3's), with MariaDB
# and PostgreSQL dumps, that try to reach beyond their site. Each is refused with the member or statement named, or
# loaded inert; every other site's database, user and files stay as they were, and no file outside the site is written.
BeforeDiscovery {
    . $PSScriptRoot/IntegrationHelpers.ps1
    $skip = -not (Test-IsRoot)
    # Statements a MariaDB dump may hold that the site's own account in its sandboxed client must not run.
    # {canary} is a path under /tmp that nothing may create; {victim} is another site's database.
    $mysqlRefused = @(
        @{ Name = 'a shell escape (\!)'; Sql = "CREATE TABLE t1 (a INT);`n\! touch {canary}"; Says = 'Unknown command|sandbox' }
        @{ Name = 'a shell command (system)'; Sql = "system touch {canary}"; Says = 'syntax' }
        @{ Name = 'reading a file of the server (source)'; Sql = 'source /etc/passwd'; Says = 'syntax' }
        @{ Name = 'reading a file of the server (\.)'; Sql = '\. /etc/passwd'; Says = 'Unknown command' }
        @{ Name = 'writing a file (tee)'; Sql = "tee {canary}`nSELECT 1;"; Says = 'syntax' }
        @{ Name = 'a connection to another database (connect)'; Sql = 'connect {victim}'; Says = 'syntax' }
        @{ Name = 'dropping another site''s database'; Sql = 'DROP DATABASE {victim};'; Says = 'Access denied' }
        @{ Name = 'changing another site''s table'; Sql = "USE {victim};`nUPDATE posts SET title = 'owned';"; Says = 'Access denied' }
        @{ Name = 'changing another site''s table by its full name'; Sql = 'UPDATE {victim}.posts SET title = ''owned'';'; Says = 'denied' }
        @{ Name = 'moving another site''s table into its own'; Sql = 'RENAME TABLE {victim}.posts TO stolen;'; Says = 'denied' }
        @{ Name = 'creating a database'; Sql = 'CREATE DATABASE evildb;'; Says = 'Access denied' }
        @{ Name = 'creating a global admin'; Sql = "CREATE USER 'evil'@'%' IDENTIFIED BY 'Evil-Pass-1';`nGRANT ALL ON *.* TO 'evil'@'%' WITH GRANT OPTION;"; Says = 'CREATE USER' }
        @{ Name = 'granting itself every right'; Sql = 'GRANT ALL ON *.* TO CURRENT_USER;'; Says = 'denied' }
        @{ Name = 'changing the admin''s password'; Sql = "ALTER USER 'aegir_admin'@'127.0.0.1' IDENTIFIED BY 'x';"; Says = 'denied' }
        @{ Name = 'writing a file (INTO OUTFILE)'; Sql = "CREATE TABLE t2 (a INT);`nSELECT 1 INTO OUTFILE '{canary}';"; Says = 'FILE' }
        @{ Name = 'reading a file of the client (LOAD DATA LOCAL)'; Sql = "CREATE TABLE t3 (a TEXT);`nLOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t3;"; Says = 'local infile' }
        @{ Name = 'reading a file of the server (LOAD DATA)'; Sql = "CREATE TABLE t4 (a TEXT);`nLOAD DATA INFILE '/etc/passwd' INTO TABLE t4;"; Says = 'FILE' }
        @{ Name = 'a global setting (general log to a file)'; Sql = "SET GLOBAL general_log_file = '{canary}';`nSET GLOBAL general_log = 1;"; Says = 'SUPER' }
        @{ Name = 'loading a server plugin'; Sql = "INSTALL SONAME 'ha_archive';"; Says = 'denied' }
        @{ Name = 'a view that reads the server''s accounts'; Sql = 'CREATE DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW v AS SELECT User, Password FROM mysql.user;'; Says = 'denied' }
        @{ Name = 'shutting the server down'; Sql = 'SHUTDOWN;'; Says = 'SHUTDOWN privilege' }
        @{ Name = 'text that is no SQL'; Sql = 'THIS IS NOT SQL;'; Says = 'syntax' }
    )
    # Statements a MariaDB dump may hold that load, but reach nothing beyond the site's own database.
    $mysqlInert = @(
        @{ Name = 'reading a file of the server (LOAD_FILE)'; Sql = "CREATE TABLE leak AS SELECT LOAD_FILE('/etc/passwd') AS c;"; Query = 'SELECT COALESCE(c, ''NULL'') FROM leak'; Expect = 'NULL' }
        @{ Name = 'a trigger made as root'; Sql = "CREATE TABLE t5 (a INT);`n/*!50003 CREATE*/ /*!50017 DEFINER=``root``@``localhost``*/ /*!50003 TRIGGER tr BEFORE INSERT ON t5 FOR EACH ROW SET NEW.a = 1 */;"; Query = 'SELECT DEFINER FROM information_schema.TRIGGERS WHERE TRIGGER_NAME = ''tr'''; Expect = '{user}@127.0.0.1' }
        @{ Name = 'a procedure made as root'; Sql = "DELIMITER ;;`nCREATE DEFINER=``root``@``localhost`` PROCEDURE p() SELECT 1 ;;`nDELIMITER ;"; Query = 'SELECT DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_NAME = ''p'''; Expect = '{user}@127.0.0.1' }
    )
    # Commands a PostgreSQL dump may hold that psql in restricted mode, as the site's own role, must not run.
    $pgRefused = @(
        @{ Name = 'a shell escape (\!)'; Sql = "CREATE TABLE t1 (a INT);`n\! touch {canary}"; Says = 'restricted' }
        @{ Name = 'writing query output to a file (\o)'; Sql = "\o {canary}`nSELECT 1;"; Says = 'restricted' }
        @{ Name = 'a connection to another database (\c)'; Sql = '\c {victim}'; Says = 'restricted' }
        @{ Name = 'reading a file of the server (\i)'; Sql = '\i /etc/passwd'; Says = 'restricted' }
        @{ Name = 'copying a file of the client in (\copy)'; Sql = "CREATE TABLE t2 (a TEXT);`n\copy t2 FROM '/etc/passwd'"; Says = 'restricted' }
        @{ Name = 'guessing the key that lifts the restriction'; Sql = "\unrestrict 00000000`n\! touch {canary}"; Says = 'restrict' }
        @{ Name = 'running a program on the server (COPY FROM PROGRAM)'; Sql = "CREATE TABLE t3 (a TEXT);`nCOPY t3 FROM PROGRAM 'touch {canary}';"; Says = 'permission denied|must be superuser|privileges' }
        @{ Name = 'writing a file of the server (COPY TO)'; Sql = "COPY (SELECT 1) TO '{canary}';"; Says = 'permission denied|must be superuser|privileges' }
        @{ Name = 'reading a file of the server (pg_read_file)'; Sql = "CREATE TABLE t4 AS SELECT pg_read_file('/etc/passwd') AS c;"; Says = 'permission denied' }
        @{ Name = 'reading a file of the server (lo_import)'; Sql = "SELECT lo_import('/etc/passwd');"; Says = 'permission denied|must be superuser|privileges' }
        @{ Name = 'creating a superuser'; Sql = 'CREATE ROLE evil LOGIN SUPERUSER;'; Says = 'permission denied|must be superuser|privileges' }
        @{ Name = 'making itself a superuser'; Sql = 'ALTER ROLE CURRENT_USER SUPERUSER;'; Says = 'permission denied|must be superuser|privileges' }
        @{ Name = 'becoming the admin'; Sql = 'SET ROLE aegir_admin;'; Says = 'permission denied' }
        @{ Name = 'dropping another site''s database'; Sql = 'DROP DATABASE {victim};'; Says = 'must be owner' }
        @{ Name = 'a server setting'; Sql = "ALTER SYSTEM SET log_directory = '/tmp';"; Says = 'permission denied|must be superuser|privileges' }
        @{ Name = 'an extension only a superuser may make'; Sql = 'CREATE EXTENSION file_fdw;'; Says = 'permission denied|must be superuser|privileges' }
    )
}

Describe 'Hostile archives' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $server = Start-AegirLocalServer -HttpServiceType nginx
        $port = $server.Http.GetInt('port')
        $null = Start-AegirLocalServer pgbox -DbServiceType postgresql

        # One front page that speaks either database, and a Drupal-shaped platform for Aegir 3's backups.
        $app = Join-Path $work 'platforms/app'
        $null = New-Item -ItemType Directory -Force $app
        Set-Content "$app/index.php" @'
<?php
$e = static fn(string $k) => $_SERVER[$k] ?? getenv($k);
$dsn = $e('db_type') === 'pgsql' ? "pgsql:host={$e('db_host')};port={$e('db_port')};dbname={$e('db_name')}" : "mysql:host={$e('db_host')};port={$e('db_port')};dbname={$e('db_name')}";
new PDO($dsn, $e('db_user'), $e('db_passwd'), [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
echo 'ok ', $e('db_name');
'@
        $null = New-AegirPlatform app $app
        $dc = Join-Path $work 'platforms/dc'
        New-DrupalShapedCodebase $dc
        $null = New-AegirPlatform dc $dc

        # The neighbours whose databases, accounts and files nothing may touch.
        $null = New-AegirSite victim.test -Platform app
        $victim = (Get-AegirSite victim.test).DbName
        Invoke-Sql -Database $victim -Sql "CREATE TABLE posts (title VARCHAR(40)); INSERT INTO posts VALUES ('mine');"
        Set-Content "$app/files/victim.test/private.txt" 'the victim''s upload'
        $null = New-AegirSite pgvictim.test -Platform app -DbServer pgbox
        $pgvictim = (Get-AegirSite pgvictim.test).DbName
        Invoke-PgSql -Server pgbox -Database $pgvictim -Sql "CREATE TABLE posts (title TEXT); INSERT INTO posts VALUES ('mine');" | Out-Null

        $canary = "/tmp/aegir-canary-$([guid]::NewGuid().ToString('N'))"
        $script:n = 0

        # A backup archive of this module's layout, written member by member (gzip): a manifest for a php site on
        # app, the dump, the members given, and checksums.json computed as Backup-AegirSite computes them.
        function New-HostileBackup {
            param([string] $Uri = 'src.test', [string] $Dump = 'CREATE TABLE ok (a INT);', [object[]] $Members = @(), [hashtable] $Manifest = @{}, [string] $DbType = 'mysql')
            $path = Join-Path $work "hostile-$([guid]::NewGuid().ToString('N')).tar.gz"
            $m = [ordered]@{ format = 1; uri = $Uri; created = '2026-01-02T03:04:05+00:00'; platform = 'platform_app'; platform_kind = 'php'
                db_server = 'server_master'; db_type = $DbType; site_roots = @("files/$Uri") }
            foreach ($k in $Manifest.Keys) { $m[$k] = $Manifest[$k] }
            $sums = [ordered]@{}
            $file = [IO.File]::Create($path)
            $gzip = [IO.Compression.GZipStream]::new($file, [IO.Compression.CompressionLevel]::SmallestSize)
            $tar = [Formats.Tar.TarWriter]::new($gzip, [Formats.Tar.TarEntryFormat]::Pax, $false)
            function Add-Data([string] $Name, [byte[]] $Bytes, [string] $Mode = '420', [string] $User = 'root') {
                $entry = [Formats.Tar.PaxTarEntry]::new([Formats.Tar.TarEntryType]::RegularFile, $Name)
                $entry.DataStream = [IO.MemoryStream]::new($Bytes)
                $entry.Mode = [IO.UnixFileMode][Convert]::ToInt32($Mode, 10)
                $entry.UserName = $User
                $tar.WriteEntry($entry)
                $sums[$Name] = @{ size = $Bytes.Length; sha256 = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($Bytes)).ToLowerInvariant() }
            }
            Add-Data 'manifest.json' ([Text.Encoding]::UTF8.GetBytes(($m | ConvertTo-Json -Depth 5)))
            Add-Data 'database.sql' ([Text.Encoding]::UTF8.GetBytes($Dump))
            $dir = [Formats.Tar.PaxTarEntry]::new([Formats.Tar.TarEntryType]::Directory, "site/files/$Uri")
            $dir.Mode = [IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute'
            $tar.WriteEntry($dir)
            foreach ($member in $Members) {
                $name = if ($member.Name.StartsWith('site/')) { $member.Name } else { "site/files/$Uri/$($member.Name)" }
                switch ($member.Type) {
                    'File' { Add-Data $name ([Text.Encoding]::UTF8.GetBytes($member.Text)) ($member.Mode ?? 420) ($member.User ?? 'root') }
                    'Zeros' {
                        $entry = [Formats.Tar.PaxTarEntry]::new([Formats.Tar.TarEntryType]::RegularFile, $name)
                        $entry.DataStream = [ZeroStream]::new($member.Size)
                        $tar.WriteEntry($entry)
                    }
                    default {
                        $entry = [Formats.Tar.PaxTarEntry]::new([Formats.Tar.TarEntryType]$member.Type, $name)
                        $entry.Mode = [IO.UnixFileMode][Convert]::ToInt32(($member.Mode ?? 493), 10)
                        if ($member.Link) { $entry.LinkName = $member.Link }
                        $tar.WriteEntry($entry)
                        if ($member.Type -eq 'SymbolicLink') { $sums[$name] = @{ size = 0; sha256 = "link:$($member.Link)" } }
                        if ($member.Type -eq 'HardLink') { $sums[$name] = @{ size = 0; sha256 = "hardlink:$($member.Link)" } }
                    }
                }
            }
            $bytes = [Text.Encoding]::UTF8.GetBytes((@{ members = $sums } | ConvertTo-Json -Depth 5))
            $entry = [Formats.Tar.PaxTarEntry]::new([Formats.Tar.TarEntryType]::RegularFile, 'checksums.json')
            $entry.DataStream = [IO.MemoryStream]::new($bytes)
            $tar.WriteEntry($entry)
            $tar.Dispose(); $gzip.Dispose(); $file.Dispose()
            $path
        }

        # An Aegir 3 / BOA site backup: the site's folder with settings.php, drushrc.php, the dump and the members given.
        function New-HostileAegir3 {
            param([string] $Uri, [string] $Dump = 'CREATE TABLE config (name VARCHAR(255));', [object[]] $Members = @())
            $path = Join-Path $work "a3-$([guid]::NewGuid().ToString('N').Substring(0, 6))/$Uri-20240102.030405.tar.gz"
            $null = New-Item -ItemType Directory (Split-Path $path)
            $file = [IO.File]::Create($path)
            $gzip = [IO.Compression.GZipStream]::new($file, [IO.Compression.CompressionLevel]::SmallestSize)
            $tar = [Formats.Tar.TarWriter]::new($gzip, [Formats.Tar.TarEntryFormat]::Pax, $false)
            $all = @(
                @{ Name = 'settings.php'; Type = 'File'; Text = '<?php $databases = [];' }
                @{ Name = 'drushrc.php'; Type = 'File'; Text = '<?php $options["profile"] = "minimal";' }
                @{ Name = 'database.sql'; Type = 'File'; Text = $Dump }
            ) + $Members
            foreach ($member in $all) {
                $name = $member.Name.StartsWith('/') ? $member.Name : "./$($member.Name)"
                $entry = [Formats.Tar.PaxTarEntry]::new([Formats.Tar.TarEntryType]$member.Type.Replace('File', 'RegularFile'), $name)
                $entry.Mode = [IO.UnixFileMode][Convert]::ToInt32(($member.Mode ?? 420), 10)
                $entry.UserName = $member.User ?? 'aegir'
                if ($member.Type -eq 'File') { $entry.DataStream = [IO.MemoryStream]::new([Text.Encoding]::UTF8.GetBytes($member.Text)) }
                if ($member.Link) { $entry.LinkName = $member.Link }
                $tar.WriteEntry($entry)
            }
            $tar.Dispose(); $gzip.Dispose(); $file.Dispose()
            $path
        }

        if (-not ('ZeroStream' -as [type])) {
            Add-Type -TypeDefinition @'
public sealed class ZeroStream : System.IO.Stream {
    readonly long _size; long _at; public ZeroStream(long size) { _size = size; }
    public override int Read(byte[] b, int o, int c) { int n = (int)System.Math.Min(c, _size - _at); System.Array.Clear(b, o, n); _at += n; return n; }
    public override bool CanRead => true; public override bool CanSeek => true; public override bool CanWrite => false;
    public override long Length => _size;
    public override long Position { get => _at; set => _at = value; }
    public override void Flush() { } public override long Seek(long o, System.IO.SeekOrigin s) => _at = s == System.IO.SeekOrigin.Begin ? o : s == System.IO.SeekOrigin.End ? _size + o : _at + o;
    public override void SetLength(long v) => throw new System.NotSupportedException(); public override void Write(byte[] b, int o, int c) => throw new System.NotSupportedException();
}
'@
        }

        # Everything outside a new site that an archive must never change, in one string.
        function Get-World {
            $lines = @()
            $lines += Invoke-Sql -Sql "SELECT CONCAT(User, '@', Host) FROM mysql.user ORDER BY 1"
            $lines += Invoke-Sql -Sql "SELECT CONCAT(User, '@', Host, ' ', Priv) FROM mysql.global_priv ORDER BY 1"
            $lines += Get-SiteDatabases
            $lines += Invoke-Sql -Database $victim -Sql 'SELECT title FROM posts'
            $lines += Invoke-Sql -Sql 'SELECT @@general_log, @@general_log_file'
            $lines += Invoke-PgSql -Server pgbox -Sql 'SELECT datname FROM pg_database ORDER BY 1'
            $lines += Invoke-PgSql -Server pgbox -Sql 'SELECT rolname, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles ORDER BY 1'
            $lines += Invoke-PgSql -Server pgbox -Database $pgvictim -Sql 'SELECT title FROM posts'
            $lines += (& find $app $dc -printf '%p %s %m %u:%g\n' | Sort-Object)
            $lines += Get-AegirSite | ForEach-Object Name
            $lines -join "`n"
        }

        # Imports an archive as a new site that must fail: the error names what was refused, and nothing changed.
        function Assert-Refused {
            param([string] $Archive, [string] $ErrorId, [string] $Says, [string] $Platform = 'app', [string] $DbServer = 'master')
            $before = Get-World
            $uri = "h$((++$script:n)).test"
            $err = $null
            try { Import-AegirSite -Path $Archive -Platform $Platform -Uri $uri -DbServer $DbServer -ErrorAction Stop | Out-Null }
            catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty -Because 'the archive must be refused'
            $err.FullyQualifiedErrorId | Should -BeLike "$ErrorId*"
            $err.Exception.Message | Should -Match $Says
            $canary | Should -Not -Exist
            Get-AegirSite $uri -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Get-World | Should -Be $before
        }

        # Imports an archive that must load with whatever it asked for beyond its site left undone; returns the site.
        function Import-Inert {
            param([string] $Archive, [string] $DbServer = 'master')
            $uri = "h$((++$script:n)).test"
            $own = "$([regex]::Escape($uri))|\b$($uri.Replace('.', ''))\b"
            $before = (Get-World) -split "`n" | Where-Object { $_ -notmatch $own }
            $task = Import-AegirSite -Path $Archive -Platform app -Uri $uri -DbServer $DbServer
            $task.Status | Should -BeIn 'Succeeded', 'Warning' -Because ($task.Log.Message -join "`n")
            $canary | Should -Not -Exist
            (Invoke-Site -Port $port -HostName $uri).Body | Should -Match '^ok '
            (Get-World) -split "`n" | Where-Object { $_ -notmatch $own } | Should -Be $before
            Get-AegirSite $uri
        }
    }
    AfterAll {
        Stop-AegirLocalServer pgbox -RemoveData -Confirm:$false
        Stop-AegirLocalServer -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    Describe 'A MariaDB dump in a backup of this module''s' {
        It 'is refused, with the statement named, when it holds <Name>' -ForEach $mysqlRefused {
            $archive = New-HostileBackup -Dump ($Sql.Replace('{canary}', $canary).Replace('{victim}', $victim))
            Assert-Refused $archive -ErrorId DumpRefused -Says $Says
        }

        It 'loads, inert, when it holds <Name>' -ForEach $mysqlInert {
            $site = Import-Inert (New-HostileBackup -Dump $Sql)
            Invoke-Sql -Database $site.DbName -Sql $Query | Should -Be $Expect.Replace('{user}', $site.DbName)
            Remove-AegirSite $site.Name -NoBackup -Force | Out-Null
        }

        It 'reaches no database whose name matches its own only by a GRANT wildcard (_ is any character there)' {
            # gx.test takes gxtest, so gxt.est gets gxtest_2; gxtest.a2's gxtesta2 is what gxtest_2 matches as a pattern.
            $null = New-AegirSite gx.test -Platform app
            $null = New-AegirSite gxtest.a2 -Platform app
            (Get-AegirSite gxtest.a2).DbName | Should -Be 'gxtesta2'
            Invoke-Sql -Database gxtesta2 -Sql "CREATE TABLE posts (title VARCHAR(40)); INSERT INTO posts VALUES ('mine');"
            $archive = New-HostileBackup -Dump "UPDATE gxtesta2.posts SET title = 'owned';"
            { Import-AegirSite -Path $archive -Platform app -Uri gxt.est -ErrorAction Stop } | Should -Throw -ErrorId 'DumpRefused*'
            Invoke-Sql -Database gxtesta2 -Sql 'SELECT title FROM posts' | Should -Be 'mine'
            # The same account, made by an install, holds its own database only.
            $null = New-AegirSite gxt.est -Platform app
            (Get-AegirSite gxt.est).DbName | Should -Be 'gxtest_2'
            # gxtest\_2 as the server holds it (the client's batch output doubles a backslash).
            Invoke-Sql -Sql "SHOW GRANTS FOR 'gxtest_2'@'127.0.0.1'" | Where-Object { $_ -match '^GRANT ALL' } | Should -Be 'GRANT ALL PRIVILEGES ON `gxtest\\_2`.* TO `gxtest_2`@`127.0.0.1`'
            foreach ($uri in 'gxt.est', 'gxtest.a2', 'gx.test') { Remove-AegirSite $uri -NoBackup -Force | Out-Null }
        }
    }

    Describe 'A MariaDB dump in an Aegir 3 backup' {
        It 'is refused, with the statement named, when it holds <Name>' -ForEach ($mysqlRefused | Where-Object Name -In @('a shell escape (\!)', 'dropping another site''s database', 'creating a global admin', 'writing a file (INTO OUTFILE)', 'reading a file of the client (LOAD DATA LOCAL)')) {
            $archive = New-HostileAegir3 "a3-$(++$script:n).test" -Dump ($Sql.Replace('{canary}', $canary).Replace('{victim}', $victim))
            Assert-Refused $archive -ErrorId DumpRefused -Says $Says -Platform dc
        }
    }

    Describe 'A PostgreSQL dump in a backup of this module''s' {
        It 'is refused, with the command named, when it holds <Name>' -ForEach $pgRefused {
            $archive = New-HostileBackup -DbType pgsql -Manifest @{ db_server = 'server_pgbox' } -Dump ($Sql.Replace('{canary}', $canary).Replace('{victim}', $pgvictim))
            Assert-Refused $archive -ErrorId DumpRefused -Says $Says -DbServer pgbox
        }

        It 'leaves functions and operators that would run as the superuser never run: the admin does not enter a site''s database' {
            # A manifest platform with an installer: restore and verify then check its tables; statistics read its size.
            $mf = Join-Path $work 'platforms/mf'
            $null = New-Item -ItemType Directory -Force $mf
            Copy-Item "$app/index.php" $mf
            Set-Content "$mf/install.php" '<?php'
            Set-Content "$mf/.aegir.yml" "name: Mf`ninstall: [php, install.php]`ninstalled_tables: [ok]"
            $null = New-AegirPlatform mf $mf
            $payload = "BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch $canary'''; RETURN"
            $dump = @"
CREATE SCHEMA evil;
CREATE FUNCTION evil.current_database() RETURNS name LANGUAGE plpgsql AS `$f`$ $payload 'x'; END `$f`$;
CREATE FUNCTION evil.pg_database_size(name) RETURNS bigint LANGUAGE plpgsql AS `$f`$ $payload 1; END `$f`$;
CREATE FUNCTION evil.pg_database_size(oid) RETURNS bigint LANGUAGE plpgsql AS `$f`$ $payload 1; END `$f`$;
DO `$d`$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = evil, pg_catalog, public', current_database()); END `$d`$;
CREATE FUNCTION public.evil_eq(information_schema.character_data, information_schema.character_data) RETURNS boolean LANGUAGE plpgsql AS `$f`$ $payload `$1::text = `$2::text; END `$f`$;
CREATE OPERATOR public.= (LEFTARG = information_schema.character_data, RIGHTARG = information_schema.character_data, FUNCTION = public.evil_eq);
CREATE TABLE ok (a INT);
"@
            $roles = Invoke-PgSql -Server pgbox -Sql 'SELECT rolname FROM pg_roles WHERE rolsuper ORDER BY 1'
            $uri = "h$((++$script:n)).test"
            $task = Import-AegirSite -Path (New-HostileBackup -DbType pgsql -Manifest @{ db_server = 'server_pgbox'; platform = 'platform_mf' } -Dump $dump) -Platform mf -Uri $uri -DbServer pgbox
            $task.Status | Should -BeIn 'Succeeded', 'Warning' -Because ($task.Log.Message -join "`n")
            $null = Get-AegirSiteStatistic $uri -Collect
            (Invoke-AegirVerify $uri).Status | Should -BeIn 'Succeeded', 'Warning'
            $canary | Should -Not -Exist -Because 'nothing of the dump may run as the superuser'
            Invoke-PgSql -Server pgbox -Sql 'SELECT rolname FROM pg_roles WHERE rolsuper ORDER BY 1' | Should -Be $roles
            Remove-AegirSite $uri -NoBackup -Force | Out-Null
        }

        It 'loads a real pg_dump, whose own \restrict lines are left out' {
            $s = Get-AegirServer pgbox
            $env:PGPASSWORD = ((Get-Content -Raw $s.Path) -split "`n" | Where-Object { $_ -match '^\s+admin_password: (.+)$' } | ForEach-Object { $Matches[1].Trim() })
            try { $text = (& pg_dump -h 127.0.0.1 -p $s.Db.Get('port') -U $s.Db.Get('admin_user') --no-owner --no-privileges $pgvictim) -join "`n" }
            finally { Remove-Item Env:PGPASSWORD }
            $text | Should -Match '(?m)^\\restrict '
            $site = Import-Inert (New-HostileBackup -DbType pgsql -Manifest @{ db_server = 'server_pgbox' } -Dump $text) -DbServer pgbox
            Invoke-PgSql -Server pgbox -Database $site.DbName -Sql 'SELECT title FROM posts' | Should -Be 'mine'
            Invoke-PgSql -Server pgbox -Database $site.DbName -Sql "SELECT tableowner FROM pg_tables WHERE tablename = 'posts'" | Should -Be $site.DbName
            Remove-AegirSite $site.Name -NoBackup -Force | Out-Null
        }
    }

    Describe 'A member of a backup of this module''s' {
        It 'is refused by name when it is <Name>' -ForEach @(
            @{ Name = 'a link to a system folder'; Members = @(@{ Name = 'etc'; Type = 'SymbolicLink'; Link = '/etc' }); Says = "files/src.test/etc.*absolute" }
            @{ Name = 'a link that climbs out of the site'; Members = @(@{ Name = 'up'; Type = 'SymbolicLink'; Link = '../../../../etc/passwd' }); Says = 'above the platform' }
            @{ Name = 'a link into another site''s folder'; Members = @(@{ Name = 'theirs'; Type = 'SymbolicLink'; Link = '../victim.test/private.txt' }); Says = 'outside the site' }
            @{ Name = 'a link that climbs after a name'; Members = @(@{ Name = 'here'; Type = 'SymbolicLink'; Link = '.' }, @{ Name = 'sneak'; Type = 'SymbolicLink'; Link = 'here/../../victim.test' }); Says = 'climbs' }
            @{ Name = 'a hard link to a file of the server'; Members = @(@{ Name = 'passwd'; Type = 'HardLink'; Link = '/etc/passwd' }); Says = 'hard link' }
            @{ Name = 'a hard link to another site''s file'; Members = @(@{ Name = 'theirs'; Type = 'HardLink'; Link = 'site/files/victim.test/private.txt' }); Says = 'hard link' }
            @{ Name = 'a character device'; Members = @(@{ Name = 'mem'; Type = 'CharacterDevice' }); Says = 'character device' }
            @{ Name = 'a named pipe'; Members = @(@{ Name = 'pipe'; Type = 'Fifo' }); Says = 'named pipe' }
            @{ Name = 'a file in the platform''s code'; Members = @(@{ Name = 'site/index.php'; Type = 'File'; Text = '<?php system($_GET["c"]);' }); Says = 'none of the site' }
            @{ Name = 'a file in another site''s folder'; Members = @(@{ Name = 'site/files/victim.test/private.txt'; Type = 'File'; Text = 'overwritten' }); Says = 'none of the site' }
            @{ Name = 'a path that climbs out'; Members = @(@{ Name = 'site/files/src.test/../../index.php'; Type = 'File'; Text = 'x' }); Says = 'climbs out' }
        ) {
            $id = if ($Says -in 'none of the site', 'climbs out') { 'Backup' } else { 'BackupMemberRefused' }
            Assert-Refused (New-HostileBackup -Members $Members) -ErrorId $id -Says $Says
        }

        It 'is refused when the manifest names <Name>' -ForEach @(
            @{ Name = 'a uri that is no host name'; Manifest = @{ uri = '../../etc' }; Says = 'manifest names' }
            @{ Name = 'a platform kind that does not exist'; Manifest = @{ platform_kind = 'evil' }; Says = 'manifest names the platform kind' }
            @{ Name = 'a site folder that climbs out'; Manifest = @{ site_roots = @('files/../../../etc') }; Says = 'manifest names the site folder' }
            @{ Name = 'a database type this server does not run'; Manifest = @{ db_type = 'oracle' }; Says = 'oracle database' }
            @{ Name = 'a database type that is no name'; Manifest = @{ db_type = "mysql`n; DROP" }; Says = 'manifest names the database type' }
        ) {
            Assert-Refused (New-HostileBackup -Manifest $Manifest) -ErrorId 'Backup' -Says $Says
        }

        It 'that would not fit the disk is refused before it is written' {
            # The platform on a file system of 64 MB; the archive holds 200 MB of zeros, which compress to almost nothing.
            $small = Join-Path $work 'platforms/small'
            $null = New-Item -ItemType Directory -Force $small
            mount -t tmpfs -o size=96m,mode=0755 tmpfs $small
            try {
                Copy-Item "$app/index.php" $small
                $null = New-AegirPlatform small $small
                $archive = New-HostileBackup -Manifest @{ platform = 'platform_small' } -Members @(@{ Name = 'big.bin'; Type = 'Zeros'; Size = 200MB })
                (Get-Item $archive).Length | Should -BeLessThan 1MB
                Assert-Refused $archive -ErrorId 'DiskSpaceShort' -Says 'would not fit' -Platform small
                [long](& df --output=used -B1 $small | Select-Object -Last 1).Trim() | Should -BeLessThan 1MB
            }
            finally {
                Remove-AegirPlatform small -Force -ErrorAction SilentlyContinue | Out-Null
                umount $small
            }
        }

        It 'lands owned as the site''s folders are, without setuid, setgid or world-write, and links inside the site are kept' {
            $site = Import-Inert (New-HostileBackup -Members @(
                    @{ Name = 'suid'; Type = 'File'; Text = '#!/bin/sh'; Mode = '3565'; User = 'root' }      # 06755
                    @{ Name = 'open.txt'; Type = 'File'; Text = 'anyone may write'; Mode = '438' }            # 0666
                    @{ Name = 'photos'; Type = 'Directory' }
                    @{ Name = 'photos/a.txt'; Type = 'File'; Text = 'a photo' }
                    @{ Name = 'latest.txt'; Type = 'SymbolicLink'; Link = 'photos/a.txt' }
                    @{ Name = 'copy.txt'; Type = 'HardLink'; Link = 'site/files/src.test/photos/a.txt' }
                ))
            $folder = Join-Path $app "files/$($site.Name)"
            # Its setuid and setgid bits gone; in a folder the web server writes to, the web group gets the owner's rights.
            (stat -c '%a %U' "$folder/suid") | Should -Be "775 $((Get-Item "$folder").User)"
            (stat -c '%a' "$folder/open.txt") | Should -Be '664'
            (Get-Item "$folder/latest.txt").LinkTarget | Should -Be 'photos/a.txt'
            Get-Content "$folder/copy.txt" | Should -Be 'a photo'
            (Invoke-Site -Port $port -HostName $site.Name -Path "/files/$($site.Name)/photos/a.txt").Body | Should -Be 'a photo'
            # Kept on disk for the application; the web server follows no link in a site's folders.
            (Invoke-Site -Port $port -HostName $site.Name -Path "/files/$($site.Name)/latest.txt").Status | Should -BeIn 403, 404
            Remove-AegirSite $site.Name -NoBackup -Force | Out-Null
        }
    }

    Describe 'A member of an Aegir 3 backup' {
        It 'is refused by name when it is <Name>' -ForEach @(
            @{ Name = 'settings.local.php linked to a root-only file'; Members = @(@{ Name = 'settings.local.php'; Type = 'SymbolicLink'; Link = '/root/.my.cnf' }); Says = 'settings.local.php.*absolute' }
            @{ Name = 'a files folder linked out of the site'; Members = @(@{ Name = 'files'; Type = 'SymbolicLink'; Link = '../../../../../etc' }); Says = 'above the platform' }
            @{ Name = 'an absolute path'; Members = @(@{ Name = '/etc/cron.d/evil'; Type = 'File'; Text = '* * * * * root touch /tmp/x' }); Says = 'absolute' }
            @{ Name = 'a block device'; Members = @(@{ Name = 'disk'; Type = 'BlockDevice' }); Says = 'block device' }
        ) {
            Assert-Refused (New-HostileAegir3 "a3-$(++$script:n).test" -Members $Members) -ErrorId 'Backup' -Says $Says -Platform dc
        }
    }

    Describe 'A restore' {
        It 'keeps the site on its platform whatever the manifest says, and the plan shows where it goes' {
            $null = New-Item -ItemType Directory -Force (Join-Path $work 'platforms/app2')
            Copy-Item "$app/index.php" (Join-Path $work 'platforms/app2')
            $null = New-AegirPlatform app2 (Join-Path $work 'platforms/app2')
            $backup = Backup-AegirSite victim.test
            $archive = New-HostileBackup -Uri victim.test -Manifest @{ platform = 'platform_app2' } -Dump 'CREATE TABLE posts (title VARCHAR(40)); INSERT INTO posts VALUES (''restored'');'
            $plan = Restore-AegirSite -Path $archive -Plan
            ($plan.Description -join "`n") | Should -Match 'restored onto @platform_app\b'
            $task = Restore-AegirSite -Path $archive -Force
            $task.Status | Should -Be 'Warning'
            $task.Log.Message | Should -Contain ($task.Log.Message | Where-Object { $_ -match 'restore with -Platform platform_app2' })
            (Get-AegirSite victim.test).PlatformName | Should -Be 'platform_app'
            Join-Path $work 'platforms/app2/files/victim.test' | Should -Not -Exist
            Invoke-Sql -Database (Get-AegirSite victim.test).DbName -Sql 'SELECT title FROM posts' | Should -Be 'restored'
            (Restore-AegirSite $backup -Force).Status | Should -Be 'Succeeded'
            Invoke-Sql -Database (Get-AegirSite victim.test).DbName -Sql 'SELECT title FROM posts' | Should -Be 'mine'
        }
    }

    Describe 'An import' {
        It 'answers for the site''s uri alone, whatever names the manifest lists, and warns of them' {
            $archive = New-HostileBackup -Uri names.test -Manifest @{ aliases = @('www.bank.test', 'login.bank.test'); redirection = 'www.bank.test' }
            $task = Import-AegirSite -Path $archive -Platform app
            $task.Status | Should -Be 'Warning' -Because ($task.Log.Message -join "`n")
            ($task.Log | Where-Object Level -eq 'Warning').Message | Should -Match 'www\.bank\.test, login\.bank\.test.*Set-AegirSite names\.test -Alias'
            $site = Get-AegirSite names.test
            $site.Aliases | Should -BeNullOrEmpty
            $site.Redirection | Should -BeNullOrEmpty
            (Invoke-Site -Port $port -HostName names.test).Body | Should -Match '^ok '
            (Invoke-RawSite -Port $port -HostName www.bank.test).Body | Should -Not -Match '^ok '
            Remove-AegirSite names.test -NoBackup -Force | Out-Null
        }
    }
}
