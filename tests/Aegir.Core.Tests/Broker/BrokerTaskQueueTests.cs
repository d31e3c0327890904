using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aegir.Core.Queues.Broker;
using Aegir.Core.Tasks;

namespace Aegir.Core.Tests.Broker;

/// <summary>The engine's task queue on a real RabbitMQ node: what a message holds, leases held for a busy target, a finished task's redelivery, dead letters.</summary>
[Collection(nameof(TestRabbitMq))]
public sealed class BrokerTaskQueueTests(TestRabbitMq broker)
{
    static BrokerTopology Fresh(int deliveryLimit = 5) => new("q" + Guid.NewGuid().ToString("N")[..8], 8, deliveryLimit);

    static LeaseRequest Request(string worker, params string[] busy)
        => new(worker, 10, busy.ToHashSet(StringComparer.Ordinal), _ => LeaseChoice.Take, q => [q.Target]);

    static TaskRequest Verify(string target, string? secret = null)
        => new("verify", target, [], secret is null ? [] : new JsonObject { ["uri"] = target, ["dbPassword"] = secret });

    /// <summary>Leases from the queue until <paramref name="count"/> arrived (deliveries come in moments after the consumer starts).</summary>
    static List<TaskLease> ReceiveUntil(BrokerTaskQueue queue, LeaseRequest request, int count)
    {
        var leases = new List<TaskLease>();
        for (var i = 0; i < 50 && leases.Count < count; i++)
        {
            leases.AddRange(queue.Receive(request));
            if (leases.Count < count) Thread.Sleep(100);
        }
        return leases;
    }

    [Fact]
    public async Task A_message_holds_the_tasks_id_type_and_target_and_never_its_parameters()
    {
        if (!TestRabbitMq.Available) return;
        using var home = new TestHome();
        var topology = Fresh();
        var runner = new TaskRunner(home.Path);
        using (var queue = new BrokerTaskQueue(runner, broker.Settings, topology))
        {
            var task = queue.Enqueue(Verify("secret.example", "Db-Secret-Pw-9"));
            Assert.Equal(AegirTaskStatus.Queued, task.Status);
            Assert.Equal("Db-Secret-Pw-9", runner.Store.Get(task.Id)!.Parameters["dbPassword"]!.GetValue<string>());
        }
        await using var raw = await BrokerQueue.OpenAsync(broker.Settings, topology);
        var got = new TaskCompletionSource<BrokerDelivery>();
        await using var consumer = await raw.ConsumeAsync("reader", async (d, _) => { await d.AckAsync(); got.TrySetResult(d); });
        var delivery = await got.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var body = Encoding.UTF8.GetString(delivery.Body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(["taskId", "type", "target"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("secret.example", json.RootElement.GetProperty("target").GetString());
        Assert.DoesNotContain("Db-Secret-Pw-9", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Secret-Admin-Pw", body, StringComparison.Ordinal);
        Assert.DoesNotContain(broker.Password, body, StringComparison.Ordinal);
    }

    [Fact]
    public void A_busy_targets_task_is_held_not_leased_until_it_is_free_and_a_finished_task_is_acked_unrun()
    {
        if (!TestRabbitMq.Available) return;
        using var home = new TestHome();
        var runner = new TaskRunner(home.Path);
        using var queue = new BrokerTaskQueue(runner, broker.Settings, Fresh());
        var busy = queue.Enqueue(Verify("busy.example"));
        var done = queue.Enqueue(Verify("done.example"));
        // Finished meanwhile (a redelivery after a broker restart lost its ack): it must not run again.
        var record = runner.Store.Get(done.Id)!;
        record.Status = AegirTaskStatus.Succeeded;
        runner.Store.Save(record);

        Thread.Sleep(500);
        Assert.Empty(queue.Receive(Request(runner.Worker, "busy.example")));
        Assert.Empty(queue.Receive(Request(runner.Worker, "busy.example")));   // held, not handed back and forth
        var lease = Assert.Single(ReceiveUntil(queue, Request(runner.Worker), 1));
        Assert.Equal(busy.Id, lease.TaskId);
        Assert.Equal(1, lease.Deliveries);
        // Given back (its target held by another process): held again, leased again, without the broker counting it.
        queue.Nack(lease, requeue: true);
        var again = Assert.Single(queue.Receive(Request(runner.Worker)));
        Assert.Equal(busy.Id, again.TaskId);
        queue.Ack(again);
        Assert.Empty(queue.Receive(Request(runner.Worker)));
        Assert.Equal(AegirTaskStatus.Succeeded, runner.Store.Get(done.Id)!.Status);
    }

    [Fact]
    public async Task A_queue_stopped_while_it_holds_deliveries_lets_them_go_at_once_for_the_next_worker()
    {
        if (!TestRabbitMq.Available) return;
        using var home = new TestHome();
        var runner = new TaskRunner(home.Path);
        var topology = Fresh();
        var queue = new BrokerTaskQueue(runner, broker.Settings, topology);
        var tasks = Enumerable.Range(0, 6).Select(i => queue.Enqueue(Verify($"held{i}.example"))).ToList();
        // Held: its targets busy here, so nothing is leased (as a worker at its throttle holds what arrives).
        Thread.Sleep(500);
        Assert.Empty(queue.Receive(Request(runner.Worker, tasks.Select(t => t.Target).ToArray())));
        var stopping = Task.Run(queue.Dispose);
        Assert.Same(stopping, await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(20))));
        // All of them go to the next worker, none counted as poison.
        using var next = new BrokerTaskQueue(runner, broker.Settings, topology);
        var got = new List<TaskLease>();
        for (var i = 0; i < 100 && got.Count < tasks.Count; i++)
        {
            // A partition hands out its next task once the one before is acked.
            var leases = next.Receive(Request(runner.Worker));
            foreach (var l in leases) next.Ack(l);
            got.AddRange(leases);
            if (leases.Count == 0) Thread.Sleep(100);
        }
        Assert.Equal(tasks.Select(t => t.Id).Order(StringComparer.Ordinal), got.Select(l => l.TaskId).Order(StringComparer.Ordinal));
        Assert.All(got, l => Assert.True(l.Deliveries <= 2, $"task {l.TaskId} came {l.Deliveries} times"));
    }

    [Fact]
    public void A_poison_lease_is_dead_lettered_and_its_record_fails()
    {
        if (!TestRabbitMq.Available) return;
        using var home = new TestHome();
        var runner = new TaskRunner(home.Path);
        var topology = Fresh();
        using var queue = new BrokerTaskQueue(runner, broker.Settings, topology);
        var task = queue.Enqueue(Verify("poison.example"));
        var lease = Assert.Single(ReceiveUntil(queue, Request(runner.Worker), 1));
        queue.Nack(lease, requeue: false, "its record does not read");
        var failed = runner.Store.Get(task.Id)!;
        Assert.Equal(AegirTaskStatus.Failed, failed.Status);
        Assert.Equal("TaskPoisoned", failed.ErrorId);
        Assert.Contains("its record does not read", failed.Error);
        // It went to the dead-letter queue; reading it changes nothing more (the record has ended already).
        var dead = 0;
        for (var i = 0; i < 50 && dead == 0; i++) { dead = queue.MarkDead(); Thread.Sleep(100); }
        Assert.Equal(1, dead);
        Assert.Contains("its record does not read", runner.Store.Get(task.Id)!.Error);
    }

    [Fact]
    public async Task A_task_the_broker_dead_letters_at_its_delivery_limit_shows_failed_saying_after_how_many_tries()
    {
        if (!TestRabbitMq.Available) return;
        using var home = new TestHome();
        var runner = new TaskRunner(home.Path);
        var topology = Fresh(deliveryLimit: 2);
        using var queue = new BrokerTaskQueue(runner, broker.Settings, topology);
        var task = queue.Enqueue(Verify("crashing.example"));
        // Workers that each lose the task before its end: the broker counts every delivery.
        await using (var raw = await BrokerQueue.OpenAsync(broker.Settings, topology))
        {
            var tries = new ConcurrentBag<int>();
            await using var consumer = await raw.ConsumeAsync("crashing", async (d, _) => { tries.Add(d.DeliveryCount); await d.NackAsync(); });
            for (var i = 0; i < 100 && tries.Count < 3; i++) await Task.Delay(100);
            await Task.Delay(300);
            Assert.Equal(3, tries.Count);
        }
        var dead = 0;
        for (var i = 0; i < 50 && dead == 0; i++) { dead = queue.MarkDead(); Thread.Sleep(100); }
        Assert.Equal(1, dead);
        var failed = runner.Store.Get(task.Id)!;
        Assert.Equal(AegirTaskStatus.Failed, failed.Status);
        Assert.Equal("TaskPoisoned", failed.ErrorId);
        Assert.Contains("dead-lettered this task after 3 tries", failed.Error);
    }

    [Fact]
    public async Task Engines_of_one_process_queue_on_one_publisher_which_a_broker_restart_replaces()
    {
        if (!TestRabbitMq.Available) return;
        using var home = new TestHome();
        var topology = Fresh();
        // A cmdlet per task, as a loop of Lock-AegirPlatform -Queue makes them: an engine (and a queue) each.
        AegirTask Queue(string target)
        {
            using var queue = new BrokerTaskQueue(new TaskRunner(home.Path), broker.Settings, topology);
            return queue.Enqueue(Verify(target));
        }
        var first = Queue("one.example");
        var publisher = BrokerPublishers.Get(broker.Settings, topology);
        var second = Queue("two.example");
        Assert.Same(publisher, BrokerPublishers.Get(broker.Settings, topology));
        Assert.True(publisher.IsOpen);   // the first queue's Dispose left it open for the next

        broker.Stop();
        broker.Start();
        var third = Queue("three.example");
        Assert.False(publisher.IsOpen);
        Assert.NotSame(publisher, BrokerPublishers.Get(broker.Settings, topology));

        // All three reached the broker.
        var got = new ConcurrentDictionary<string, bool>();
        await using var raw = await BrokerQueue.OpenAsync(broker.Settings, topology);
        await using var consumer = await raw.ConsumeAsync("reader", async (d, _) => { got[d.TaskId] = true; await d.AckAsync(); });
        for (var i = 0; i < 100 && got.Count < 3; i++) await Task.Delay(100);
        Assert.Equal(new[] { first.Id, second.Id, third.Id }.Order(StringComparer.Ordinal), got.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_receive_just_after_an_ack_gets_the_next_task_at_once_while_the_listener_waits_too()
    {
        if (!TestRabbitMq.Available) return;
        using var home = new TestHome();
        var runner = new TaskRunner(home.Path);
        using var queue = new BrokerTaskQueue(runner, broker.Settings, Fresh());
        queue.Enqueue(Verify("first.example"));
        var lease = Assert.Single(ReceiveUntil(queue, Request(runner.Worker), 1));
        // A continuous worker's listener, waiting for work as QueueWorker's does.
        using var stop = new CancellationTokenSource();
        var listener = new Thread(() => { while (!stop.IsCancellationRequested) queue.WaitForWork(TimeSpan.FromSeconds(5), stop.Token); });
        listener.Start();
        try
        {
            Thread.Sleep(200);
            queue.Ack(lease);
            var next = queue.Enqueue(Verify("next.example"));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            // Its delivery is on the way: the listener hearing of it must not leave this Receive waiting out its 300 ms.
            var leases = queue.Receive(Request(runner.Worker));
            clock.Stop();
            foreach (var l in leases) queue.Ack(l);   // settled before the queue is disposed
            Assert.Equal(next.Id, Assert.Single(leases).TaskId);
            Assert.True(clock.ElapsedMilliseconds < 250, $"Receive took {clock.ElapsedMilliseconds} ms");
        }
        finally
        {
            stop.Cancel();
            listener.Join();
        }
    }
}
