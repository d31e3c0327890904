using System.Collections.Concurrent;
using System.Text.Json;
using Aegir.Core.Contexts;
using Aegir.Core.Queues.Broker;
using Aegir.Core.Queues.Sealing;
using Aegir.Core.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Aegir.Core.Queues.Remote;

/// <summary>
/// Runs a queued task on the worker of its server, when every machine the task touches is one server that has a
/// worker of its own (a worker key in its record): the control machine's worker holds the task's targets, sends the
/// task with its contexts sealed for that server's key, writes the log entries into the task's record as they come,
/// and takes the contexts the task changed back into its records (only the task's own, each checked) before the task
/// ends here. A task that also touches another machine runs here, over SSH, as before.
/// </summary>
public sealed class RemoteDispatch(BrokerSettings settings) : IServerDispatch
{
    /// <summary>How long the dispatcher waits without a word from the server's worker before the task fails (a running task's worker speaks every <see cref="RemoteWorker.Heartbeat"/>).</summary>
    public TimeSpan Silence { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The server whose own worker runs a task on these contexts; null to run it here.</summary>
    public AegirServer? ServerFor(ContextStore store, string target, IEnumerable<string> locks)
    {
        // Asked for every queued task on a broker: the records they name as the store has them cached; only the servers
        // are read again, as a long-running worker must see -OwnWorker given or taken since it started.
        var machines = ContextBundle.Closure(store, locks.Append(target)).OfType<AegirServer>().Where(s => !s.IsCluster)
            .Select(s => store.ReadFresh(s.Name) as AegirServer).OfType<AegirServer>().ToList();
        if (machines.Count == 0 || machines.Any(s => s.WorkerKey is null || s.Name == ContextNames.Master)) return null;
        return machines.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count() == 1 ? machines[0] : null;
    }

    /// <summary>Sends the task to <paramref name="server"/>'s worker and waits for its end; throws what the task failed with there.</summary>
    public void Run(AegirTask task, AegirServer server, IReadOnlyList<string> locks, TaskContext ctx, ContextStore store)
    {
        using var reply = WorkerKey.Create();
        using var workerKey = WorkerKey.FromSpki(server.WorkerKey!);
        var contexts = ContextBundle.Collect(store, locks.Append(task.Target));
        // A request no worker took within half the silence allowed expires (on the broker, and at the worker): by the
        // time this dispatcher gives the task up, nothing can start it any more.
        var startBy = TimeSpan.FromTicks(Silence.Ticks / 2);
        var payload = new RemotePayload(task.Parameters, locks, contexts, reply.PublicSpki, task.Created, DateTimeOffset.UtcNow + startBy);
        using var control = WorkerKey.Control(store.Home);
        var request = new RemoteRequest(task.Id, task.Type, task.Target, server.Name,
            SealedSecret.Seal(JsonSerializer.Serialize(payload, RemoteJson.Options), workerKey, RemoteRequest.Binding(task.Id))).SignedBy(control);
        ctx.Info($"Sent to the worker on server '{RemoteErrors.Short(server.Name)}' (its key {workerKey.Kid}), which runs it there.");

        var events = new BlockingCollection<RemoteEvent>();
        using var connection = BrokerConnection.OpenAsync(settings, $"aegir dispatch {task.Id}").GetAwaiter().GetResult();
        using var channel = connection.CreateChannelAsync(new CreateChannelOptions(true, true)).GetAwaiter().GetResult();
        RemoteTopology.DeclareServerAsync(channel, server.Name).GetAwaiter().GetResult();
        var answers = channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true).GetAwaiter().GetResult().QueueName;
        channel.QueueBindAsync(answers, RemoteTopology.Replies, task.Id).GetAwaiter().GetResult();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivered) =>
        {
            try { events.Add(RemoteJson.Read<RemoteEvent>(delivered.Body.Span)); }
            catch (JsonException) { }   // not an answer of ours: nothing to take from it
            return Task.CompletedTask;
        };
        channel.BasicConsumeAsync(answers, autoAck: true, consumer).GetAwaiter().GetResult();
        var props = new BasicProperties
        {
            Persistent = true, MessageId = task.Id, Type = task.Type, ContentType = "application/json",
            Expiration = ((long)startBy.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        channel.BasicPublishAsync("", RemoteTopology.ServerQueue(server.Name), mandatory: true, props, RemoteJson.Bytes(request)).GetAwaiter().GetResult();

        // The task runs there to its end once sent: a stop here does not stop it, so the answer is waited for. Only
        // events sealed for this task's reply key count, even as a sign of life.
        var heardBy = DateTime.UtcNow + Silence;
        while (true)
        {
            var left = heardBy - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !events.TryTake(out var e, left)) throw RemoteErrors.WorkerSilent(server.Name, task.Id, Silence);
            if (e.TaskId != task.Id) continue;
            RemoteNews? news;
            try { news = JsonSerializer.Deserialize<RemoteNews>(e.Sealed.Open(reply, RemoteEvent.Binding(task.Id)), RemoteJson.Options); }
            catch (Exception ex) when (ex is Errors.AegirException or JsonException)
            {
                // Not sealed with this task's reply key: not from the worker that has it (anyone may publish here).
                ctx.Debug($"Passed over an answer for this task that does not open: {ex.Message}");
                continue;
            }
            if (news is null) continue;
            heardBy = DateTime.UtcNow + Silence;
            if (news.Entry is { } entry) ctx.Log(entry.Level, entry.Message);
            if (news.Outcome is not { } outcome) continue;
            ctx.Debug($"Run on server '{RemoteErrors.Short(server.Name)}' by worker {outcome.Worker} (try {outcome.Tries}).");
            // Only what the task holds: its target and what it locks, each as it was sent (a record changed here meanwhile stays).
            var allowed = locks.Append(task.Target).ToHashSet(StringComparer.Ordinal);
            var kept = ContextBundle.TakeChanges(store, outcome.Changes, allowed, server.Name, contexts);
            foreach (var name in kept) ctx.Warn($"Kept this machine's record of '{name}': it changed here while the task ran on '{RemoteErrors.Short(server.Name)}', and the server's change to it was not taken.");
            var taken = outcome.Changes.Keys.Except(kept).ToList();
            if (taken.Count > 0) ctx.Info($"Took back {taken.Count} record(s) the task changed: {string.Join(", ", taken)}.");
            if (outcome.Status == AegirTaskStatus.Failed) throw RemoteErrors.Failed(server.Name, outcome.ErrorId, outcome.Error);
            return;
        }
    }
}
