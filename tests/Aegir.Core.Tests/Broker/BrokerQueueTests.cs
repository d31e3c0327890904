using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Aegir.Core.Queues.Broker;

namespace Aegir.Core.Tests.Broker;

/// <summary>The task queue on a real RabbitMQ node: order and exclusivity per target, dead workers, a broker restart, poison tasks.</summary>
[Collection(nameof(TestRabbitMq))]
public sealed class BrokerQueueTests(TestRabbitMq broker)
{
    // Each test its own exchange and queues, so none sees another's messages.
    static BrokerTopology Fresh(int partitions = 8, int deliveryLimit = 5) => new("t" + Guid.NewGuid().ToString("N")[..8], partitions, deliveryLimit);

    // What a queued task's message holds: its id, type, target and parameters, nothing else.
    static byte[] Body(string id, string type, string target, int seq)
        => JsonSerializer.SerializeToUtf8Bytes(new { taskId = id, type, target, parameters = new { uri = target, seq } });

    [Fact]
    public async Task Three_workers_take_300_tasks_over_30_targets_each_once_in_order_never_two_at_once_on_a_target()
    {
        if (!TestRabbitMq.Available) return;
        var topology = Fresh();
        await using var queue = await BrokerQueue.OpenAsync(broker.Settings, topology);
        var order = new ConcurrentDictionary<string, ConcurrentQueue<string>>();
        var inFlight = new ConcurrentDictionary<string, int>();
        var byWorker = new ConcurrentDictionary<string, int>();
        var overlaps = 0;
        var done = new TaskCompletionSource();
        var count = 0;
        var bodies = new ConcurrentBag<(BrokerDelivery D, byte[] Body)>();
        var sent = new ConcurrentDictionary<string, long>();
        var waited = new ConcurrentBag<double>();
        async Task Handle(string worker, BrokerDelivery d)
        {
            if (sent.TryGetValue(d.TaskId, out var at)) waited.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
            if (inFlight.AddOrUpdate(d.Target, 1, (_, n) => n + 1) > 1) Interlocked.Increment(ref overlaps);
            order.GetOrAdd(d.Target, _ => new()).Enqueue(d.TaskId);
            bodies.Add((d, d.Body));
            await Task.Delay(Random.Shared.Next(0, 4));
            inFlight.AddOrUpdate(d.Target, 0, (_, n) => n - 1);
            byWorker.AddOrUpdate(worker, 1, (_, n) => n + 1);
            await d.AckAsync();
            if (Interlocked.Increment(ref count) == 300) done.TrySetResult();
        }
        var workers = new List<BrokerConsumer>();
        foreach (var w in new[] { "w1", "w2", "w3" }) workers.Add(await queue.ConsumeAsync(w, (d, _) => Handle(w, d)));
        var published = new Dictionary<string, List<string>>();
        // The workers wait first, as they would for a queue that fills while they run.
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 300; i++)
        {
            var target = $"site{i % 30}.example";
            var id = $"task-{i:D3}";
            sent[id] = Stopwatch.GetTimestamp();
            await queue.PublishAsync(id, "verify", target, Body(id, "verify", target, i));
            (published.TryGetValue(target, out var l) ? l : published[target] = []).Add(id);
        }
        var publishTime = watch.Elapsed;

        await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
        var allTime = watch.Elapsed;
        await Task.Delay(300);   // a duplicate would arrive now
        foreach (var w in workers) await w.DisposeAsync();

        Assert.Equal(300, count);
        Assert.Equal(0, overlaps);
        foreach (var (target, ids) in published) Assert.Equal(ids, order[target].ToList());
        Assert.True(byWorker.Count >= 2, $"the work went to {byWorker.Count} worker(s)");
        // Every message is the task's id, type, target and parameters as published; no property adds a secret.
        foreach (var (d, body) in bodies)
        {
            using var json = JsonDocument.Parse(body);
            Assert.Equal(["taskId", "type", "target", "parameters"], json.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Equal(d.TaskId, json.RootElement.GetProperty("taskId").GetString());
            Assert.DoesNotContain(broker.Password, Encoding.UTF8.GetString(body), StringComparison.Ordinal);
        }
        var wait = waited.Order().ToList();
        Console.Error.WriteLine($"broker: publish to handler start p50 {wait[wait.Count / 2]:F1} ms, p99 {wait[wait.Count * 99 / 100]:F1} ms");
        Console.Error.WriteLine($"broker: published 300 in {publishTime.TotalMilliseconds:F0} ms (confirmed one by one), all done by 3 workers {allTime.TotalMilliseconds:F0} ms after the first publish; per worker {string.Join(", ", byWorker.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))}");
    }

    [Fact]
    public async Task A_worker_killed_holding_a_task_leaves_it_to_another_worker()
    {
        if (!TestRabbitMq.Available) return;
        var topology = Fresh(partitions: 2);
        await using var queue = await BrokerQueue.OpenAsync(broker.Settings, topology);
        using var child = StartChild(topology);
        Assert.Equal("consuming", await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        await queue.PublishAsync("task-kill", "verify", "kill.example", Body("task-kill", "verify", "kill.example", 1));
        Assert.Equal("got task-kill", await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        var got = new TaskCompletionSource<BrokerDelivery>();
        await using var other = await queue.ConsumeAsync("other", async (d, _) => { await d.AckAsync(); got.TrySetResult(d); });
        await Task.Delay(500);
        Assert.False(got.Task.IsCompleted);   // the child still holds it: nobody else may start it
        child.Kill();
        var again = await got.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("task-kill", again.TaskId);
        Assert.True(again.Redelivered);
        Assert.Equal(1, again.DeliveryCount);
    }

    [Fact]
    public async Task A_broker_restart_mid_run_loses_no_task()
    {
        if (!TestRabbitMq.Available) return;
        var topology = Fresh(partitions: 4);
        var acked = new ConcurrentDictionary<string, int>();
        var seen = new ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource();
        async Task Worker(string id)
        {
            // A worker's loop: consume until the connection is lost, then connect again (the broker may be down a while).
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await using var queue = await BrokerQueue.OpenAsync(broker.Settings, topology);
                    await using var consumer = await queue.ConsumeAsync(id, async (d, lost) =>
                    {
                        seen.AddOrUpdate(d.TaskId, 1, (_, n) => n + 1);
                        await Task.Delay(150, lost);   // slow enough that the restart finds work in hand and queued
                        await d.AckAsync(lost);
                        acked.AddOrUpdate(d.TaskId, 1, (_, n) => n + 1);
                    });
                    await Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(consumer.Lost, stop.Token).Token).ContinueWith(_ => { });
                }
                catch (Errors.AegirException) { await Task.Delay(500); }
            }
        }
        var workers = new[] { Worker("r1"), Worker("r2") };
        var ids = Enumerable.Range(0, 200).Select(i => $"task-{i:D3}").ToList();
        await using (var publisher = await BrokerQueue.OpenAsync(broker.Settings, topology))
            foreach (var id in ids.Take(100)) await publisher.PublishAsync(id, "backup", $"site{id[^1]}.example", Body(id, "backup", "x", 0));
        while (acked.Count < 20) await Task.Delay(20);
        broker.Stop();   // mid-run: tasks in flight, most still queued
        var ackedBefore = acked.Count;
        broker.Start();
        await using (var publisher = await BrokerQueue.OpenAsync(broker.Settings, topology))
            foreach (var id in ids.Skip(100)) await publisher.PublishAsync(id, "backup", $"site{id[^1]}.example", Body(id, "backup", "x", 0));
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (acked.Count < ids.Count && DateTime.UtcNow < deadline) await Task.Delay(50);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        Assert.Equal(ids, acked.Keys.Order(StringComparer.Ordinal));
        Assert.True(ackedBefore < 100, "the restart came after every first task was done");
        // At least once: a task whose ack the restart swallowed is handed out again. An ack is not confirmed in AMQP, so
        // one sent just as the broker stopped can be lost too (the task's record, not the broker, keeps it from running twice:
        // BrokerTaskQueueTests); a second delivery is the most a restart makes.
        Assert.All(acked, a => Assert.InRange(a.Value, 1, 2));
        Console.Error.WriteLine($"broker restart: {ackedBefore} of the first 100 acked before it, all 200 acked after; {seen.Values.Count(n => n > 1)} handed out twice (ack lost in the restart)");
    }

    [Fact]
    public async Task A_task_nacked_to_the_delivery_limit_lands_in_the_dead_letter_queue()
    {
        if (!TestRabbitMq.Available) return;
        var topology = Fresh(partitions: 1, deliveryLimit: 3);
        await using var queue = await BrokerQueue.OpenAsync(broker.Settings, topology);
        var tries = 0;
        var after = new TaskCompletionSource<string>();
        await using var worker = await queue.ConsumeAsync("poison", async (d, _) =>
        {
            if (d.TaskId == "task-good") { await d.AckAsync(); after.TrySetResult(d.TaskId); return; }
            Interlocked.Increment(ref tries);
            await d.NackAsync();
        });
        await queue.PublishAsync("task-poison", "install", "poison.example", Body("task-poison", "install", "poison.example", 1));
        await queue.PublishAsync("task-good", "install", "poison.example", Body("task-good", "install", "poison.example", 2));
        // The poison task blocks its target's partition only until the limit: then the next one runs.
        Assert.Equal("task-good", await after.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        IReadOnlyList<BrokerDelivery> dead = [];
        for (var i = 0; i < 50 && dead.Count == 0; i++) { dead = await queue.TakeDeadAsync(10); await Task.Delay(100); }
        var poison = Assert.Single(dead);
        Assert.Equal("task-poison", poison.TaskId);
        Assert.Equal("poison.example", poison.Target);
        Assert.Equal(topology.DeliveryLimit + 1, tries);
    }

    [Fact]
    public async Task A_target_lock_is_held_by_one_connection_and_freed_when_it_goes()
    {
        if (!TestRabbitMq.Available) return;
        var prefix = "l" + Guid.NewGuid().ToString("N")[..8];
        var a = await BrokerLocks.OpenAsync(broker.Settings, "a", prefix);
        await using var b = await BrokerLocks.OpenAsync(broker.Settings, "b", prefix);
        var held = await a.TryAcquireAsync("site1.example");
        Assert.NotNull(held);
        Assert.Null(await b.TryAcquireAsync("site1.example"));
        await using (var other = await b.TryAcquireAsync("site2.example")) Assert.NotNull(other);
        await a.DisposeAsync();   // the holder's connection gone: the broker drops its exclusive queues
        await using var taken = await b.TryAcquireAsync("site1.example");
        Assert.NotNull(taken);
    }

    Process StartChild(BrokerTopology topology)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { typeof(Program).Assembly.Location, "broker-consumer", topology.Prefix, topology.Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture) }) psi.ArgumentList.Add(a);
        psi.Environment[BrokerSettings.UrlVariable] = broker.Settings.Address.ToString();
        psi.Environment[BrokerSettings.PasswordVariable] = broker.Password;
        return Process.Start(psi)!;
    }
}
