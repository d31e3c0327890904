# Nothing secret travels through the broker: tasks queued with -Queue by the cmdlets whose work uses secrets (a
# server's database admin password, a site's database credentials, the broker's own password) are read back off
# every aegir queue with the AMQP client, and no secret is in any body, header or property, plain or base64. The
# records those tasks keep on disk are owner-only.
BeforeDiscovery { . $PSScriptRoot/IntegrationHelpers.ps1; $skip = -not (Test-IsRoot) }

Describe 'Secrets and the broker''s messages' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        $work, $broker = (Initialize-TestBrokerHome).PSObject.Properties.Value
        $adminFirst = 'Fs-Admin-First-7q2w'
        $adminSecond = 'Fs-Admin-Second-9x4z'
        $remoteAdmin = 'Fs-Remote-Admin-3k8v'
        $secrets = @($adminFirst, $adminSecond, $remoteAdmin, $broker.Credential.GetNetworkCredential().Password)
        function ConvertTo-TestCredential([string] $Secret) { [pscredential]::new('root', (ConvertTo-SecureString $Secret -AsPlainText -Force)) }
        $null = New-AegirServer -Name master -HttpServiceType nginx -DbServiceType mysql -DbAdminCredential (ConvertTo-TestCredential $adminFirst)
        Set-AegirServer master -DbAdminCredential (ConvertTo-TestCredential $adminSecond)
        $null = New-AegirServer -Name fsdb -RemoteHost 192.0.2.10 -DbServiceType mysql -DbAdminCredential (ConvertTo-TestCredential $remoteAdmin)
        $null = New-AegirPlatform -Name fsp -Root /var/aegir/platforms/fsp -NoVerify 3>$null

        # Each secret as it could leak: plain, base64 of its UTF-8 and UTF-16 bytes, hex.
        function Get-SecretForms([string] $Secret) {
            $Secret
            [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($Secret))
            [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Secret))
            [Convert]::ToHexString([Text.Encoding]::UTF8.GetBytes($Secret))
        }
        function Find-Secret([string] $Text) { foreach ($s in $secrets) { foreach ($f in Get-SecretForms $s) { if ($Text.Contains($f, [StringComparison]::OrdinalIgnoreCase)) { $s } } } }

        # Reads every message of every aegir queue without taking it: a consumer with no prefetch limit (basic.get is
        # refused on single-active-consumer queues) that acks nothing, then the channel closes and the broker puts them
        # back. Each as text: its queue, id, body, every property and header.
        $client = Join-Path (Split-Path (Get-Module Aegir).Path) 'RabbitMQ.Client.dll'   # the module's own AMQP client
        Add-Type -Path $client
        Add-Type -IgnoreWarnings -ReferencedAssemblies $client, System.Collections.Concurrent, System.Collections, System.Linq, System.Runtime, System.Memory, System.Threading, netstandard -TypeDefinition @'
using System; using System.Collections.Concurrent; using System.Linq; using System.Text; using System.Threading.Tasks;
using RabbitMQ.Client; using RabbitMQ.Client.Events;
public static class FsBrokerReader
{
    public static string[] Read(ConnectionFactory factory, string[] queues, int expected) => ReadAsync(factory, queues, expected).GetAwaiter().GetResult();

    static async Task<string[]> ReadAsync(ConnectionFactory factory, string[] queues, int expected)
    {
        var seen = new ConcurrentQueue<string>();
        var connection = await factory.CreateConnectionAsync();
        try
        {
            var channel = await connection.CreateChannelAsync();
            await channel.BasicQosAsync(0, 0, false);
            foreach (var queue in queues)
            {
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += (_, e) => { seen.Enqueue(Describe(queue, e.BasicProperties, e.Body)); return Task.CompletedTask; };
                await channel.BasicConsumeAsync(queue, false, consumer);
            }
            var until = DateTime.UtcNow.AddSeconds(20);
            while (seen.Count < expected && DateTime.UtcNow < until) await Task.Delay(100);
            await Task.Delay(1000);   // more than expected shows too
            await channel.CloseAsync();
        }
        finally { await connection.CloseAsync(); }
        return seen.ToArray();
    }

    static string Describe(string queue, IReadOnlyBasicProperties p, ReadOnlyMemory<byte> body)
    {
        var headers = (p.Headers ?? new System.Collections.Generic.Dictionary<string, object>()).Select(h => h.Key + "=" + (h.Value is byte[] b ? Encoding.UTF8.GetString(b) : Convert.ToString(h.Value)));
        return string.Join("\n", new[] { queue, p.MessageId, Encoding.UTF8.GetString(body.Span), p.Type, p.ContentType, p.CorrelationId, p.ReplyTo, p.UserId, p.AppId, p.ClusterId, p.Expiration }.Concat(headers));
    }
}
'@ 3>$null   # CS1701: the client is built for net8.0's System.Runtime
        function Read-BrokerMessages([int] $Expected) {
            $names = @(Invoke-TestRabbitMqCtl $broker @('list_queues', '-p', 'aegir', 'name') | Where-Object { $_ -like 'aegir*' })
            $factory = [RabbitMQ.Client.ConnectionFactory]::new()
            $factory.HostName = '127.0.0.1'; $factory.Port = $broker.Port; $factory.VirtualHost = 'aegir'
            $factory.UserName = 'aegir'; $factory.Password = $broker.Credential.GetNetworkCredential().Password
            foreach ($m in [FsBrokerReader]::Read($factory, $names, $Expected)) {
                $queue, $id, $null = $m -split "`n"
                [pscustomobject]@{ Queue = $queue; Id = $id; Text = $m }
            }
        }
    }
    AfterAll {
        Stop-TestRabbitMq $broker
        Remove-Item -Recurse -Force $work
    }

    It 'puts no secret in any queued message, and keeps the task records owner-only' {
        $queued = @(
            New-AegirSite -Uri fs-one.example -Platform fsp -DbServer master -Queue
            New-AegirSite -Uri fs-two.example -Platform fsp -DbServer fsdb -Title 'Two' -AdminEmail 'two@fs.example' -Queue
            Invoke-AegirVerify fsdb -Queue
            Invoke-AegirVerify master -Queue
            Invoke-AegirVerify fsp -Queue
            Lock-AegirPlatform fsp -Queue
            New-AegirPlatform -Name fsq -Root /var/aegir/platforms/fsq -Queue 3>$null
        )
        $queued.Count | Should -Be 7
        # The secrets are where they belong, and this search finds them there.
        Find-Secret (Get-Content -Raw (Join-Path $env:AEGIR_HOME 'contexts/server_master.yml')) | Should -Contain $adminSecond
        Find-Secret (Get-Content -Raw (Join-Path $env:AEGIR_HOME 'queue.json')) | Should -Contain $secrets[-1]

        $messages = @(Read-BrokerMessages $queued.Count)
        # Every queued task was read (no worker runs), and nothing else is there.
        @($messages.Id | Sort-Object) | Should -Be @($queued.Id | Sort-Object)
        foreach ($m in $messages) {
            $m.Text | Should -Match ([regex]::Escape($m.Id))
            Find-Secret $m.Text | Should -BeNullOrEmpty -Because "the message of task $($m.Id) on $($m.Queue) must hold no secret"
        }
        # Not taken: back on the broker for the workers.
        # The broker's counts lag the channel's close by moments.
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        do {
            $left = Invoke-TestRabbitMqCtl $broker @('list_queues', '-p', 'aegir', 'name', 'messages') | Where-Object { $_ -like 'aegir.tasks.p*' } |
                ForEach-Object { [int](($_ -split '\s+')[1]) } | Measure-Object -Sum
        } while ($left.Sum -ne $queued.Count -and [DateTime]::UtcNow -lt $deadline -and -not (Start-Sleep -Milliseconds 250))
        $left.Sum | Should -Be $queued.Count

        # The records, which hold the parameters, are owner-only, in folders only the owner can open.
        $records = @(Get-ChildItem -Recurse -File (Join-Path $env:AEGIR_HOME 'tasks'))
        $records.Count | Should -Be $queued.Count
        $groupOrOthers = 0x3F   # 0077
        foreach ($r in $records) { [int]$r.UnixFileMode -band $groupOrOthers | Should -Be 0 -Because "$($r.FullName) must not be readable by others" }
        foreach ($d in @(Get-Item (Join-Path $env:AEGIR_HOME 'tasks')) + @(Get-ChildItem -Recurse -Directory (Join-Path $env:AEGIR_HOME 'tasks'))) {
            [int]$d.UnixFileMode -band $groupOrOthers | Should -Be 0 -Because "$($d.FullName) must not be open to others"
        }
    }
}
