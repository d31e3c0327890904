using System.Text.Json;
using System.Text.RegularExpressions;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Queues.Broker;
using Aegir.Core.Queues.Sealing;
using Aegir.Core.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Aegir.Core.Queues.Remote;

/// <summary>
/// The worker on a server that runs that server's tasks there, without SSH: it reads its server's queue on the
/// broker, checks each task is signed by its control machine and opens its sealed contexts with its own key, keeps
/// them in its home (its aegir_root), runs the task with its journal like any worker (a task it died in is repaired
/// from that journal before it runs again), sends each log entry back as it is written, and acks the task only once
/// its outcome (with the contexts it changed, sealed for the dispatcher) is on the broker. A task that touches
/// another machine is refused: this worker holds no keys to other servers.
/// </summary>
public sealed class RemoteWorker : ITaskObserver
{
    static readonly Regex TaskId = new("^[0-9]{8}-[0-9]{9}-[0-9a-f]{4}$", RegexOptions.CultureInvariant);

    readonly BrokerSettings _settings;
    readonly string _server;
    readonly int _throttle;
    readonly WorkerKey _key;
    readonly WorkerKey _control;
    readonly object _publishing = new();
    /// <summary>The reply key of each task's newest dispatcher.</summary>
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, WorkerKey> _replies = new(StringComparer.Ordinal);
    IChannel? _channel;

    /// <param name="home">The worker's home on the server: its keys under keys/, its copies of contexts and its task records.</param>
    public RemoteWorker(ContextStore home, string server, BrokerSettings settings, int throttle)
    {
        _server = server;
        _settings = settings;
        _throttle = Math.Max(1, throttle);
        _key = WorkerKey.LoadPrivate(KeyPath(home.Home));
        _control = WorkerKey.FromSpki(File.ReadAllText(ControlPath(home.Home)).Trim());
        Engine = new Engine(home, this, backend: TaskBackend.Files() with { RetryDead = RemoteTopology.DeliveryLimit });
    }

    public Engine Engine { get; }

    readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _current = new(StringComparer.Ordinal);

    /// <summary>The ids of the tasks running now (a worker's heartbeat says them).</summary>
    public IReadOnlyCollection<string> Current => [.. _current.Keys];

    /// <summary>Where a server's worker keeps its private key, and the control machine's public key.</summary>
    public static string KeyPath(string home) => Path.Combine(home, "keys", "worker.key");
    public static string ControlPath(string home) => Path.Combine(home, "keys", "control.pub");

    /// <summary>Hears of tasks refused and of the broker coming and going.</summary>
    public Action<TaskLogLevel, string>? Log { get; init; }

    /// <summary>Runs its server's tasks until <paramref name="stop"/>, calling <paramref name="finished"/> as each ends (on the task's thread).</summary>
    public void Run(Action<AegirTask> finished, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try { Consume(finished, stop); }
            catch (Exception ex) when (ex is Errors.AegirException or RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException
                                           or RabbitMQ.Client.Exceptions.AlreadyClosedException or RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                Log?.Invoke(TaskLogLevel.Warning, $"The broker at {_settings.Address}: {ex.Message} Trying again in 2 s.");
            }
            stop.WaitHandle.WaitOne(TimeSpan.FromSeconds(2));
        }
    }

    void Consume(Action<AegirTask> finished, CancellationToken stop)
    {
        using var connection = BrokerConnection.OpenAsync(_settings, $"aegir worker of {_server} {WorkerId.Current}").GetAwaiter().GetResult();
        using var channel = connection.CreateChannelAsync(new CreateChannelOptions(true, true, null, (ushort)_throttle)).GetAwaiter().GetResult();
        RemoteTopology.DeclareServerAsync(channel, _server).GetAwaiter().GetResult();
        channel.BasicQosAsync(0, (ushort)_throttle, global: false).GetAwaiter().GetResult();
        using var lost = new CancellationTokenSource();
        connection.ConnectionShutdownAsync += (_, _) => { lost.Cancel(); return Task.CompletedTask; };
        lock (_publishing) _channel = channel;
        var running = 0;
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivered) =>
        {
            var body = delivered.Body.ToArray();
            var tag = delivered.DeliveryTag;
            Interlocked.Increment(ref running);
            try
            {
                // A thread of its own: a task blocks on its programs' pipes.
                var task = await Task.Factory.StartNew(() => Handle(body), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
                await channel.BasicAckAsync(tag, false).ConfigureAwait(false);
                if (task is not null) finished(task);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log?.Invoke(TaskLogLevel.Error, $"A task for server '{_server}' could not be run or answered: {ex.Message}");
                try { await channel.BasicNackAsync(tag, false, requeue: true).ConfigureAwait(false); } catch (Exception) { }
            }
            finally { Interlocked.Decrement(ref running); }
        };
        var consumerTag = channel.BasicConsumeAsync(RemoteTopology.ServerQueue(_server), autoAck: false, consumer).GetAwaiter().GetResult();
        Log?.Invoke(TaskLogLevel.Info, $"Running the tasks of server '{_server}' from {_settings.Address}, {_throttle} at once.");
        WaitHandle.WaitAny([stop.WaitHandle, lost.Token.WaitHandle]);
        if (lost.IsCancellationRequested) return;
        // Stopping: nothing new is taken; the running tasks end and are answered before the connection closes.
        channel.BasicCancelAsync(consumerTag).GetAwaiter().GetResult();
        while (Volatile.Read(ref running) > 0 && !lost.IsCancellationRequested) Thread.Sleep(100);
        lock (_publishing) _channel = null;
    }

    /// <summary>Runs one task (or answers again for one it ran); null when it was refused.</summary>
    AegirTask? Handle(byte[] body)
    {
        RemoteRequest request;
        RemotePayload payload;
        try
        {
            request = RemoteJson.Read<RemoteRequest>(body);
            if (!TaskId.IsMatch(request.TaskId)) throw RemoteErrors.NotHere(_server, "its task id is not one the module makes");
            if (request.Server != _server) throw RemoteErrors.NotHere(_server, $"it was sent for server '{request.Server}'");
            if (!_control.Verify(request.Signed(), request.Signature)) throw RemoteErrors.NotHere(_server, "it is not signed by this worker's control machine");
            payload = JsonSerializer.Deserialize<RemotePayload>(request.Payload.Open(_key, RemoteRequest.Binding(request.TaskId)), RemoteJson.Options)
                      ?? throw RemoteErrors.NotHere(_server, "its payload is empty");
        }
        catch (Exception ex) when (ex is Errors.AegirException or JsonException or NotSupportedException)
        {
            // Nobody may be told (no reply key can be trusted): said here, and the message is dropped.
            Log?.Invoke(TaskLogLevel.Error, $"Refused a message on the queue of server '{_server}': {ex.Message}");
            return null;
        }
        using var reply = WorkerKey.FromSpki(payload.ReplyKey);
        var runner = Engine.Runner;
        var watched = payload.Locks.Append(request.Target).ToList();
        var task = runner.Store.Get(request.TaskId);
        if (task is null && DateTimeOffset.UtcNow > payload.Expires)
        {
            Log?.Invoke(TaskLogLevel.Warning, $"Did not start task {request.TaskId} ({request.Type} on '@{request.Target}'): it came after {payload.Expires:u}, when its dispatcher gives it up.");
            return null;
        }
        // What this task's run sends from now on goes to the newest dispatcher (one that took over after another died).
        _replies[request.TaskId] = reply;
        try
        {
            if (task is { Status: AegirTaskStatus.Running })
            {
                // A run here that died: repaired from its journal, then queued again or failed; what the repair wrote in
                // the task's log goes to the control machine too. One that still runs here is waited for.
                var known = task.Log.Count;
                runner.Settle(request.Target, (level, message) => Log?.Invoke(level, message));
                task = runner.Store.Get(request.TaskId);
                foreach (var entry in task?.Log.Skip(known) ?? []) Send(request.TaskId, new RemoteNews(entry), confirmed: false);
                while (task is { Status: AegirTaskStatus.Running } && _current.ContainsKey(request.TaskId))
                {
                    Thread.Sleep(1000);
                    Alive(request.TaskId);
                    task = runner.Store.Get(request.TaskId);
                }
            }
            if (task is null || task.Status == AegirTaskStatus.Queued)
            {
                if (Refusal(payload) is { } refusal)
                {
                    Answer(request.TaskId, new RemoteOutcome(AegirTaskStatus.Failed, refusal.Message, refusal.ErrorId, WorkerId.Current, 0, []));
                    return null;
                }
                ContextBundle.Apply(Engine.Store, payload.Contexts);
                runner.Adopt(request.TaskId, new TaskRequest(request.Type, request.Target, [], payload.Parameters), payload.Created);
                // A step may run long without a word (a large rsync): the dispatcher hears the task is alive meanwhile.
                _current[request.TaskId] = 0;
                try
                {
                    using (new Timer(_ => Alive(request.TaskId), null, Heartbeat, Heartbeat))
                        task = Engine.RunQueued(request.TaskId)?.Task ?? runner.Store.Get(request.TaskId);
                }
                finally { _current.TryRemove(request.TaskId, out _); }
            }
            if (task is null || !task.IsFinished) throw RemoteErrors.NotHere(_server, $"task {request.TaskId} is still running here, in another process");
            // Against what the control machine sent: what it does not have yet (again, when an earlier answer was lost).
            var changes = ContextBundle.Changes(Engine.Store, payload.Contexts, watched);
            Answer(request.TaskId, new RemoteOutcome(task.Status, task.Error, task.ErrorId, WorkerId.Current, task.Tries ?? 0, changes));
            return task;
        }
        finally { _replies.TryRemove(new KeyValuePair<string, WorkerKey>(request.TaskId, reply)); }
    }

    /// <summary>Why this worker may not run a task on these contexts: a machine other than its own server.</summary>
    Errors.AegirException? Refusal(RemotePayload payload)
    {
        foreach (var (name, text) in payload.Contexts)
        {
            if (ContextSerializer.Parse(name, name, text) is not AegirServer server || server.IsCluster) continue;
            if (server.Name != _server) return RemoteErrors.NotHere(_server, $"it touches server '{server.Name}', and this worker runs only what is on '{_server}'");
            if (!ThisMachine.Is(server)) return RemoteErrors.NotHere(_server, $"this machine is not '{_server}' (its record's address {server.RemoteHost} is not one of this machine's)");
        }
        return null;
    }

    /// <summary>The outcome, sealed for the dispatcher, confirmed by the broker before the task is acked.</summary>
    void Answer(string taskId, RemoteOutcome outcome) => Send(taskId, new RemoteNews(Outcome: outcome), confirmed: true);

    /// <summary>Sends news of a task to its newest dispatcher, sealed for its reply key; nothing when none waits here.</summary>
    void Send(string taskId, RemoteNews news, bool confirmed)
    {
        if (!_replies.TryGetValue(taskId, out var reply)) return;
        var e = new RemoteEvent(taskId, SealedSecret.Seal(JsonSerializer.Serialize(news, RemoteJson.Options), reply, RemoteEvent.Binding(taskId)));
        lock (_publishing)
        {
            if (_channel is not { } channel) return;
            var props = new BasicProperties { Persistent = false, MessageId = taskId, ContentType = "application/json" };
            var sent = channel.BasicPublishAsync(RemoteTopology.Replies, taskId, mandatory: false, props, RemoteJson.Bytes(e)).AsTask();
            if (confirmed) sent.GetAwaiter().GetResult();
        }
    }

    /// <summary>How often a running task tells its dispatcher it is alive (well within <see cref="RemoteDispatch.Silence"/>).</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(30);

    void Alive(string taskId)
    {
        try { Send(taskId, new RemoteNews(), confirmed: false); }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.AlreadyClosedException or IOException or ObjectDisposedException) { }
    }

    void ITaskObserver.OnLog(AegirTask task, TaskLogEntry entry)
    {
        try { Send(task.Id, new RemoteNews(entry), confirmed: false); }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.AlreadyClosedException or IOException or ObjectDisposedException) { }   // the record has it; the outcome follows
    }

    void ITaskObserver.OnProgress(AegirTask task, int percent, string activity) { }
}
