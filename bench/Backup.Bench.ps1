<#
.SYNOPSIS
    Backup and restore of one site holding 1 GB of files and a 200 MB database, against the raw tools on the same
    data in the same run: mariadb-dump --single-transaction | zstd plus tar --zstd -cf, and their reverse
    (zstd -dc | mariadb into a new database, tar --zstd -xf beside). Goal: within 1.3x for each.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $FilesMB = 1024, [int] $DatabaseMB = 200)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
if ((id -u) -ne '0') { 'backup bench skipped: it starts private servers and needs root'; return }

$work = Join-Path ([IO.Path]::GetTempPath()) "aegir-bench-backup-$PID"
$null = New-Item -ItemType Directory $work
[IO.File]::SetUnixFileMode($work, 'UserRead, UserWrite, UserExecute, GroupExecute, OtherExecute')
$env:AEGIR_HOME = Join-Path $work 'home'
function Seconds([scriptblock] $block) { $clock = [Diagnostics.Stopwatch]::StartNew(); & $block | Out-Null; $clock.Elapsed.TotalSeconds }
try {
    $server = Start-AegirLocalServer
    [Aegir.Core.Machine.Packages]::Ensure([string[]]@('zstd'), [Action[string]] { param($m) })
    $root = Join-Path $work 'platforms/php'
    $null = New-Item -ItemType Directory -Force $root
    Set-Content (Join-Path $root 'index.php') '<?php $db = new mysqli($_SERVER["db_host"], $_SERVER["db_user"], $_SERVER["db_passwd"], $_SERVER["db_name"], (int)$_SERVER["db_port"]); try { $n = $db->query("SELECT COUNT(*) FROM big")->fetch_row()[0]; } catch (Throwable $e) { $n = "no table yet"; } echo "ok ", $n;'
    $null = New-AegirPlatform php $root
    $null = New-AegirSite big.bench.test -Platform php
    $site = Get-AegirSite big.bench.test
    $socket = (Get-ChildItem -Recurse (Join-Path $env:AEGIR_HOME 'local') -Filter 'mariadbd.sock' | Select-Object -First 1).FullName
    function Sql([string] $sql, [string] $db = '') { $sql | mariadb --no-defaults "--socket=$socket" -u root $db; if ($LASTEXITCODE) { throw "SQL failed: $sql" } }

    # The data: files of photo-like (incompressible) bytes, and rows of text.
    $files = Join-Path $root "files/big.bench.test"
    foreach ($i in 1..($FilesMB / 8)) { head -c 8388608 /dev/urandom > (Join-Path $files "photo-$i.jpg") }
    Sql "CREATE TABLE big (id INT PRIMARY KEY, body TEXT) ENGINE=InnoDB; INSERT INTO big SELECT seq, REPEAT(MD5(seq), 32) FROM seq_1_to_$($DatabaseMB * 1024);" $site.DbName
    sync

    # Raw tools, the same data.
    $raw = Join-Path $work 'raw'
    $null = New-Item -ItemType Directory $raw
    $rawBackup = Seconds {
        sh -c "mariadb-dump --no-defaults --socket=$socket -u root --single-transaction $($site.DbName) | zstd -q -T0 -3 -o $raw/db.sql.zst"
        tar --zstd -cf "$raw/files.tar.zst" -C $root "files/big.bench.test"
    }
    Sql 'CREATE DATABASE rawrestore'
    $null = New-Item -ItemType Directory "$raw/out"
    $rawRestore = Seconds {
        sh -c "zstd -dc $raw/db.sql.zst | mariadb --no-defaults --socket=$socket -u root rawrestore"
        tar --zstd -xf "$raw/files.tar.zst" -C "$raw/out"
    }
    Sql 'DROP DATABASE rawrestore'
    Remove-Item -Recurse -Force "$raw/out"

    $backup = $null
    $ours = Seconds { $script:backup = Backup-AegirSite big.bench.test }
    $restore = $null
    $oursRestore = Seconds { $script:restore = Restore-AegirSite $backup -Force }
    if ($restore.Status -ne 'Succeeded') { throw "restore failed: $($restore.Error)" }
    # The restore's own pre-restore backup, from its log: the rest is the restore proper.
    $log = $restore.psbase.Log
    $start = ($log | Where-Object Message -Like 'Setting a private place*' | Select-Object -First 1).Time
    $end = ($log | Where-Object Message -Like 'Describing the backup*' | Select-Object -First 1).Time
    $preBackup = if ($start -and $end) { ($end - $start).TotalSeconds } else { 0 }
    $port = $server.Http.GetInt('port')
    $answer = curl -s -H "Host: big.bench.test:$port" "http://127.0.0.1:$port/"

    'data:                          {0:N0} MB of files, {1:N0} MB of database ({2:N0} MB archive)' -f $FilesMB, $DatabaseMB, ($backup.Size / 1MB)
    'raw backup (dump|zstd, tar):   {0,7:N1} s' -f $rawBackup
    'Backup-AegirSite:              {0,7:N1} s   ratio {1:N2}x (goal <= 1.3x: {2})' -f $ours, ($ours / $rawBackup), $(if ($ours / $rawBackup -le 1.3) { 'met' } else { 'MISSED' })
    'raw restore (zstd|mariadb, tar): {0,5:N1} s' -f $rawRestore
    'Restore-AegirSite:             {0,7:N1} s   of which its pre-restore backup {1:N1} s' -f $oursRestore, $preBackup
    'restore proper:                {0,7:N1} s   ratio {1:N2}x (goal <= 1.3x: {2})' -f ($oursRestore - $preBackup), (($oursRestore - $preBackup) / $rawRestore), $(if (($oursRestore - $preBackup) / $rawRestore -le 1.3) { 'met' } else { 'MISSED' })
    'site after restore:            {0}' -f $answer
    # Where a restore's time goes: its longest steps, from the task's log.
    $steps = for ($i = 0; $i -lt $log.Count - 1; $i++) { [pscustomobject]@{ Seconds = ($log[$i + 1].Time - $log[$i].Time).TotalSeconds; Step = $log[$i].Message } }
    $steps | Sort-Object Seconds -Descending | Select-Object -First 5 | ForEach-Object { '  {0,6:N1} s  {1}' -f $_.Seconds, ($_.Step.Length -gt 90 ? $_.Step.Substring(0, 90) : $_.Step) }
}
finally {
    Stop-AegirLocalServer -RemoveData -Confirm:$false
    Remove-Item -Recurse -Force $work
}
