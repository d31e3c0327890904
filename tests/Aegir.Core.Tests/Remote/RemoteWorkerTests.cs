using System.Text;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Platform;
using Aegir.Core.Queues.Broker;
using Aegir.Core.Queues.Remote;
using Aegir.Core.Queues.Sealing;
using Aegir.Core.Tasks;
using Aegir.Core.Tests.Broker;
using RabbitMQ.Client;

namespace Aegir.Core.Tests.Remote;

/// <summary>
/// A server's own worker on a real RabbitMQ node: the control machine sends a queued task with its contexts sealed
/// and signed, the worker (its own home, as on the server) runs it and sends back the log and the changed records.
/// </summary>
[Collection(nameof(TestRabbitMq))]
public sealed class RemoteWorkerTests(TestRabbitMq broker) : IDisposable
{
    readonly TestHome _control = new();
    readonly TestHome _server = new(seed: false);
    readonly string _name = "web" + Guid.NewGuid().ToString("N")[..6];

    string ServerName => "server_" + _name;

    /// <summary>A server (this machine's loopback address: the worker's own machine) with a worker key, a platform on it, and the worker's keys in its home.</summary>
    void Setup()
    {
        using var key = WorkerKey.Create();
        using var control = WorkerKey.Control(_control.Path);
        var server = new AegirServer(ServerName) { RemoteHost = "127.0.0.1", WorkerKey = key.PublicSpki };
        server.Http.ChangeType("nginx");
        _control.Store.Create(server);
        _control.Store.Create(new AegirPlatform("platform_p1") { Root = "/srv/p1", WebServerName = ServerName });
        Directory.CreateDirectory(Path.Combine(_server.Path, "keys"));
        key.SavePrivate(RemoteWorker.KeyPath(_server.Path));
        File.WriteAllText(RemoteWorker.ControlPath(_server.Path), control.PublicSpki);
    }

    Engine Control(TimeSpan? silence = null)
        => new(_control.Store, backend: TaskBackend.Files() with { Remote = new RemoteDispatch(broker.Settings) { Silence = silence ?? TimeSpan.FromSeconds(30) } });

    [Fact]
    public void A_queued_task_of_a_server_with_its_own_worker_runs_there_and_its_changed_record_comes_back()
    {
        if (!TestRabbitMq.Available) return;
        Setup();
        var control = Control();
        var queued = control.Enqueue(new LockPlatform.Parameters("platform_p1"));
        var worker = new RemoteWorker(_server.Store, ServerName, broker.Settings, 2);
        using var stop = new CancellationTokenSource();
        var ran = new List<AegirTask>();
        var thread = new Thread(() => worker.Run(t => { lock (ran) ran.Add(t); }, stop.Token)) { IsBackground = true };
        thread.Start();
        try
        {
            var outcome = control.RunQueued(queued.Id);
            Assert.NotNull(outcome);
            Assert.Equal(AegirTaskStatus.Succeeded, outcome!.Task.Status);
            // The record here came back from the server's worker; the worker keeps its own, under the same id.
            Assert.True(_control.Store.GetFresh<AegirPlatform>("platform_p1", "Platform").Locked);
            Assert.True(_server.Store.GetFresh<AegirPlatform>("platform_p1", "Platform").Locked);
            var there = worker.Engine.Runner.Store.Get(queued.Id)!;
            Assert.Equal(AegirTaskStatus.Succeeded, there.Status);
            // Its log entries came back as they were written.
            var log = string.Join("\n", outcome.Task.Log.Select(e => e.Message));
            Assert.Contains($"Sent to the worker on server '{_name}'", log);
            Assert.Contains($"Task lock on '@platform_p1' started (task {queued.Id}", log);
            Assert.Contains("Took back 1 record(s) the task changed: platform_p1", log);
        }
        finally
        {
            stop.Cancel();
            thread.Join(TimeSpan.FromSeconds(20));
        }
        Assert.Single(ran);
    }

    [Fact]
    public void A_message_not_signed_by_the_control_machine_is_refused_and_runs_nothing()
    {
        if (!TestRabbitMq.Available) return;
        Setup();
        var queued = Control().Enqueue(new LockPlatform.Parameters("platform_p1"));
        // Anyone with the broker's password and the server's public key can seal a task; only the control machine signs.
        using var key = WorkerKey.FromSpki(_control.Store.Get<AegirServer>(ServerName, "Server").WorkerKey!);
        using var forger = WorkerKey.Create();
        var contexts = ContextBundle.Collect(_control.Store, ["platform_p1"]);
        using var reply = WorkerKey.Create();
        var payload = new RemotePayload([], [], contexts, reply.PublicSpki, DateTimeOffset.Now, DateTimeOffset.UtcNow.AddMinutes(5));
        var forged = new RemoteRequest(queued.Id, "lock", "platform_p1", ServerName,
            SealedSecret.Seal(System.Text.Json.JsonSerializer.Serialize(payload, RemoteJson.Options), key, RemoteRequest.Binding(queued.Id))).SignedBy(forger);
        Publish(forged);
        var refusals = new List<string>();
        var worker = new RemoteWorker(_server.Store, ServerName, broker.Settings, 1) { Log = (_, m) => { lock (refusals) refusals.Add(m); } };
        using var stop = new CancellationTokenSource();
        var thread = new Thread(() => worker.Run(_ => { }, stop.Token)) { IsBackground = true };
        thread.Start();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && !refusals.Any(r => r.Contains("not signed by this worker's control machine"))) Thread.Sleep(100);
        stop.Cancel();
        thread.Join(TimeSpan.FromSeconds(20));
        Assert.Contains(refusals, r => r.Contains("not signed by this worker's control machine"));
        Assert.Null(worker.Engine.Runner.Store.Get(queued.Id));
        Assert.False(_server.Store.Exists("platform_p1"));
    }

    [Fact]
    public void A_request_that_waited_past_its_time_is_not_started_by_a_worker_that_comes_later()
    {
        if (!TestRabbitMq.Available) return;
        Setup();
        var control = Control(TimeSpan.FromSeconds(4));
        var queued = control.Enqueue(new LockPlatform.Parameters("platform_p1"));
        Assert.Equal("WorkerSilent", control.RunQueued(queued.Id)!.Task.ErrorId);
        // The dispatcher gave up; a worker started now finds the request expired (on the broker, or by its own check).
        var said = new List<string>();
        var worker = new RemoteWorker(_server.Store, ServerName, broker.Settings, 1) { Log = (_, m) => { lock (said) said.Add(m); } };
        using var stop = new CancellationTokenSource();
        var thread = new Thread(() => worker.Run(_ => { }, stop.Token)) { IsBackground = true };
        thread.Start();
        Thread.Sleep(3000);
        stop.Cancel();
        thread.Join(TimeSpan.FromSeconds(20));
        Assert.Null(worker.Engine.Runner.Store.Get(queued.Id));
        Assert.False(_server.Store.Exists("platform_p1"));
        Purge();
    }

    [Fact]
    public void No_worker_on_the_server_fails_the_task_saying_how_to_start_one()
    {
        if (!TestRabbitMq.Available) return;
        Setup();
        var control = Control(TimeSpan.FromSeconds(2));
        var queued = control.Enqueue(new LockPlatform.Parameters("platform_p1"));
        var outcome = control.RunQueued(queued.Id)!;
        Assert.Equal((AegirTaskStatus.Failed, "WorkerSilent"), (outcome.Task.Status, outcome.Task.ErrorId));
        Assert.Contains($"Start-AegirWorker -Server {_name}", outcome.Task.Error);
        Assert.False(_control.Store.GetFresh<AegirPlatform>("platform_p1", "Platform").Locked);
        Purge();
    }

    [Fact]
    public void A_task_that_also_touches_the_control_machine_runs_here_as_before()
    {
        if (!TestRabbitMq.Available) return;
        Setup();
        _control.Store.Create(new AegirPlatform("platform_m1") { Root = "/srv/m1" });   // on the master
        var dispatch = new RemoteDispatch(broker.Settings);
        Assert.Null(dispatch.ServerFor(_control.Store, "platform_m1", []));
        Assert.Equal(ServerName, dispatch.ServerFor(_control.Store, "platform_p1", [])!.Name);
    }

    [Fact]
    public void Neither_the_control_machine_nor_a_cluster_gets_a_worker_of_its_own()
    {
        var master = _control.Store.Get<AegirServer>(ContextNames.Master, "Server");
        Assert.Contains("control machine runs its own tasks", Assert.Throws<Errors.AegirException>(() => WorkerKeys.CheckServer(master)).Message);
    }

    void Publish(RemoteRequest request)
    {
        using var connection = BrokerConnection.OpenAsync(broker.Settings, "test publisher").GetAwaiter().GetResult();
        using var channel = connection.CreateChannelAsync(new CreateChannelOptions(true, true)).GetAwaiter().GetResult();
        RemoteTopology.DeclareServerAsync(channel, ServerName).GetAwaiter().GetResult();
        channel.BasicPublishAsync("", RemoteTopology.ServerQueue(ServerName), true, new BasicProperties { Persistent = true }, RemoteJson.Bytes(request)).GetAwaiter().GetResult();
    }

    /// <summary>Drops what a test left on its server's queue.</summary>
    void Purge()
    {
        using var connection = BrokerConnection.OpenAsync(broker.Settings, "test purge").GetAwaiter().GetResult();
        using var channel = connection.CreateChannelAsync().GetAwaiter().GetResult();
        channel.QueueDeleteAsync(RemoteTopology.ServerQueue(ServerName)).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _control.Dispose();
        _server.Dispose();
    }
}
