using System.Text.Json;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;
using RabbitMQ.Client.Exceptions;

namespace Aegir.Core.Queues.Broker;

/// <summary>
/// The task queue on a RabbitMQ broker. The task's record stays the truth (workers on this machine, or sharing its
/// $AEGIR_HOME, read it): Enqueue records the task and publishes only its id, type and target, confirmed by the
/// broker; never its parameters, which may hold secrets. A worker holds each delivery the broker hands it until its
/// lease is acked or nacked; a delivery whose target is busy is held, not leased and not nacked, because with a single
/// active consumer and prefetch 1 a requeued message comes straight back. A redelivery whose record has ended (a broker
/// restart lost an ack) is acked and skipped, so a task never runs twice. Tasks the broker dead-lettered at its
/// delivery limit are marked failed by the next worker that waits for work.
/// </summary>
public sealed class BrokerTaskQueue(TaskRunner runner, BrokerSettings settings, BrokerTopology? topology = null) : ITaskQueue, IDisposable
{
    /// <summary>What a message carries: no parameters, so nothing secret.</summary>
    public sealed record Message(string TaskId, string Type, string Target);

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>A delivery this worker holds: leased once it may run; Done ends the broker's handler when it is settled.</summary>
    sealed class Held(BrokerDelivery delivery)
    {
        public BrokerDelivery Delivery { get; } = delivery;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Leased { get; set; }
        /// <summary>Times a lease on it was given back without a run here (the broker does not count these).</summary>
        public int Returned { get; set; }
    }

    /// <summary>The lease a worker runs a task on, with the broker's delivery it answers.</summary>
    sealed record BrokerLease(string TaskId, string Type, string Target, IReadOnlyList<string> Targets, string Worker, int Deliveries, Held Held)
        : TaskLease(TaskId, Type, Target, Targets, Worker, Deliveries);

    readonly BrokerTopology _topology = topology ?? new BrokerTopology();
    readonly object _gate = new();
    readonly List<Held> _held = [];
    readonly SemaphoreSlim _signal = new(0);
    /// <summary>
    /// Also released at each delivery, for a Receive that waits for one: a wait of its own on <see cref="_signal"/>
    /// would compete with the listener's WaitForWork, which takes the delivery's release and leaves Receive to time out.
    /// </summary>
    readonly SemaphoreSlim _arrived = new(0);
    BrokerConsumer? _consumer;
    DateTime _lastDeadScan = DateTime.MinValue;
    DateTime _retryAfter = DateTime.MinValue;
    DateTime _lastSettled = DateTime.MinValue;

    /// <summary>How often a waiting worker reads the dead-letter queue.</summary>
    public TimeSpan DeadScan { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Records the task, then publishes it; a task the broker did not take is recorded as failed, saying why.</summary>
    public AegirTask Enqueue(TaskRequest request)
    {
        var task = runner.Enqueue(request);
        var body = JsonSerializer.SerializeToUtf8Bytes(new Message(task.Id, task.Type, task.Target), Json);
        try { Publish(task, body); }
        catch (Exception ex)
        {
            // Whatever stopped it, the record must not wait for a message that may never come.
            var error = ex as AegirException ?? ErrorCatalog.BrokerUnreachable(settings.Address.ToString(), ex.Message, ex);
            runner.Cancel(task.Id, $"The broker did not take this task: {error.Message}", runner.LockWait, error.ErrorId);
            if (error == ex) throw;
            throw error;
        }
        // The record as queued, as the file queue returns it: a worker may have run it already, and -Queue writes the queued task.
        return task;
    }

    void Publish(AegirTask task, byte[] body)
    {
        for (var attempt = 1; ; attempt++)
        {
            var publisher = Publisher();
            try
            {
                publisher.PublishAsync(task.Id, task.Type, task.Target, body).GetAwaiter().GetResult();
                return;
            }
            catch (AegirException) when (attempt == 1)
            {
                // A connection lost since the last task (a broker restart): once more on a new one. A duplicate is harmless (the record decides).
                DropPublisher(publisher);
            }
        }
    }

    /// <summary>The process's publisher for this broker, shared with every other queue of it (one connection, not one per cmdlet call).</summary>
    BrokerQueue Publisher() => BrokerPublishers.Get(settings, _topology);

    static void DropPublisher(BrokerQueue publisher) => BrokerPublishers.Drop(publisher);

    public IReadOnlyList<TaskLease> Receive(LeaseRequest request)
    {
        if (!Consuming(request.Worker)) return [];
        while (_arrived.Wait(0)) { }   // what arrived before this look is among the held deliveries Lease sees
        var leases = Lease(request);
        // Just after an ack the broker sends the partition's next task within moments: a single pass waits for it
        // rather than ending with it still on the way (briefly, and only then).
        if (leases.Count == 0 && DateTime.UtcNow - _lastSettled < TimeSpan.FromSeconds(1) && runner.Store.QueuedHeaders().Count > 0 && _arrived.Wait(TimeSpan.FromMilliseconds(300)))
            leases = Lease(request);
        return leases;
    }

    List<TaskLease> Lease(LeaseRequest request)
    {
        var leases = new List<TaskLease>();
        var busy = new HashSet<string>(request.Busy, StringComparer.Ordinal);
        List<Held> held;
        lock (_gate) held = _held.Where(h => !h.Leased).ToList();
        foreach (var h in held)
        {
            if (leases.Count >= request.Max) break;
            var d = h.Delivery;
            var record = runner.Store.Get(d.TaskId);
            if (record is null)
            {
                // Published by a machine whose records this worker cannot read: it never will run here.
                Settle(h, d => d.RejectAsync());
                continue;
            }
            if (record.Status == AegirTaskStatus.Running)
            {
                // Given back by a worker that lost its connection: when that worker died, the repair of its target
                // undoes what it did and queues the task again; while it lives and runs it (here, or elsewhere), the
                // delivery waits here, so the task is never left without its message.
                if (request.Busy.Contains(record.Target)) continue;
                try { runner.Settle(record.Target, (_, _) => { }); }
                catch (AegirException) { }   // an undo that waits for its server: the task is failed, or left to its holder
                record = runner.Store.Get(d.TaskId) ?? record;
                if (record.Status == AegirTaskStatus.Running) continue;
            }
            if (record.Status != AegirTaskStatus.Queued)
            {
                Settle(h, d => d.AckAsync());   // run already (an ack lost to a broker restart) or stopped: never twice
                continue;
            }
            var queued = new QueuedTask(d.TaskId, d.Type, d.Target);
            var choice = request.Choose(queued);
            var targets = request.TargetsOf(queued);
            bool free = !targets.Any(busy.Contains);
            busy.UnionWith(targets);   // a later task on these targets waits behind this one
            // Skip and Wait alike: held, not leased, as a nack would hand it straight back (it is asked again later).
            if (!free || choice != LeaseChoice.Take) continue;
            lock (_gate) h.Leased = true;
            leases.Add(new BrokerLease(d.TaskId, d.Type, d.Target, targets, request.Worker, d.DeliveryCount + 1, h));
        }
        return leases;
    }

    public void Ack(TaskLease lease)
    {
        var held = Of(lease);
        runner.Store.Unmark(new AegirTask { Id = lease.TaskId, Type = lease.Type, Target = lease.Target });
        Settle(held, d => d.AckAsync());
    }

    /// <summary>
    /// Requeue: held again for a later Receive while its record is still queued (its target was held elsewhere), acked
    /// when another worker has it; given back to the broker (which counts it toward the delivery limit) only after it
    /// came back here as often as that limit. Poison: dead-lettered, and its record failed with TaskPoisoned.
    /// </summary>
    public void Nack(TaskLease lease, bool requeue, string? why = null)
    {
        var held = Of(lease);
        if (!requeue)
        {
            runner.Cancel(lease.TaskId, $"The queue gave this task up after {lease.Deliveries} deliveries: {why ?? "it could not be run"}.", runner.LockWait, "TaskPoisoned");
            Settle(held, d => d.RejectAsync());
            return;
        }
        if (runner.Store.Get(lease.TaskId) is not { Status: AegirTaskStatus.Queued })
        {
            Settle(held, d => d.AckAsync());
            return;
        }
        lock (_gate)
        {
            if (++held.Returned < _topology.DeliveryLimit)
            {
                held.Leased = false;
                return;
            }
        }
        Settle(held, d => d.NackAsync());
    }

    static Held Of(TaskLease lease)
        => (lease as BrokerLease)?.Held ?? throw new ArgumentException($"The lease on task {lease.TaskId} is not the broker's.", nameof(lease));

    /// <summary>Answers the broker and lets its handler return; a delivery on a connection gone since is redelivered anyway.</summary>
    void Settle(Held held, Func<BrokerDelivery, Task> answer)
    {
        lock (_gate) _held.Remove(held);
        _lastSettled = DateTime.UtcNow;
        try { answer(held.Delivery).GetAwaiter().GetResult(); }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException) { }
        finally { held.Done.TrySetResult(); }
    }

    /// <summary>The tasks recorded as queued in this home, oldest first (the broker's messages are not browsed).</summary>
    public IReadOnlyList<QueuedTask> Pending()
        => runner.Store.QueuedHeaders().Select(h => new QueuedTask(h.Id, h.Type, h.Target)).ToList();

    public void WaitForWork(TimeSpan timeout, CancellationToken cancellation)
    {
        if (Consuming(runner.Worker) && DateTime.UtcNow - _lastDeadScan >= DeadScan)
        {
            _lastDeadScan = DateTime.UtcNow;
            MarkDead();
        }
        try { _signal.Wait(timeout, cancellation); }
        catch (OperationCanceledException) { }
        while (_signal.CurrentCount > 0 && _signal.Wait(0)) { }
    }

    /// <summary>
    /// Takes the dead-letter queue's tasks and fails each record still queued, saying how often it was tried: Get-AegirTask
    /// shows why it never ran.
    /// </summary>
    public int MarkDead()
    {
        IReadOnlyList<BrokerDelivery> dead;
        try { dead = Publisher().TakeDeadAsync(100).GetAwaiter().GetResult(); }
        catch (Exception ex) when (ex is AegirException or AlreadyClosedException or OperationInterruptedException or IOException) { return 0; }
        foreach (var d in dead)
        {
            var tries = d.DeliveryCount > 0 ? d.DeliveryCount : _topology.DeliveryLimit + 1;
            runner.Cancel(d.TaskId, $"The broker dead-lettered this task after {tries} tries (its delivery limit is {_topology.DeliveryLimit}): each worker that took it stopped or lost its connection before it ended. Queue it again with Restart-AegirTask {d.TaskId} once the cause is found.",
                runner.LockWait, "TaskPoisoned");
        }
        return dead.Count;
    }

    /// <summary>Consumes as <paramref name="worker"/> (again after a lost connection); false while the broker cannot be reached.</summary>
    bool Consuming(string worker)
    {
        // The worker's loop (Receive) and its listener (WaitForWork) both come here: one consumer per queue.
        lock (_connecting) return ConsumingLocked(worker);
    }

    readonly object _connecting = new();

    bool ConsumingLocked(string worker)
    {
        BrokerConsumer? lost = null;
        lock (_gate)
        {
            if (_consumer is { Lost.IsCancellationRequested: false }) return true;
            if (_consumer is not null)
            {
                // Its deliveries went back to the broker with the connection: forget them (running ones settle into nothing).
                lost = _consumer;
                _consumer = null;
                foreach (var h in _held) h.Done.TrySetResult();
                _held.Clear();
            }
            if (DateTime.UtcNow < _retryAfter) return false;
        }
        lost?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        BrokerConsumer consumer;
        try { consumer = Publisher().ConsumeAsync(worker, OnDeliveryAsync).GetAwaiter().GetResult(); }
        catch (Exception ex) when (ex is AegirException or AlreadyClosedException or OperationInterruptedException or IOException)
        {
            // The shared publisher, if the broker dropped it too, is opened anew when next asked for.
            lock (_gate) _retryAfter = DateTime.UtcNow.AddSeconds(2);
            return false;
        }
        lock (_gate) _consumer = consumer;
        _lastDeadScan = DateTime.UtcNow;
        MarkDead();   // a single pass marks them too, not only a waiting worker
        // The broker hands out what waits within moments: a single pass (not continuous) looks once, so it waits for the first.
        if (runner.Store.QueuedHeaders().Count > 0) _arrived.Wait(TimeSpan.FromSeconds(1));
        return true;
    }

    async Task OnDeliveryAsync(BrokerDelivery delivery, CancellationToken lost)
    {
        var held = new Held(delivery);
        lock (_gate) _held.Add(held);
        _signal.Release();
        _arrived.Release();
        // The handler's end is the delivery's end (the consumer nacks what is unsettled): it waits for the lease's answer.
        using (lost.Register(() => held.Done.TrySetResult())) await held.Done.Task.ConfigureAwait(false);
    }

    /// <summary>Stops consuming: what it holds unsettled goes back to the broker. The shared publisher stays open for the process.</summary>
    public void Dispose()
    {
        BrokerConsumer? consumer;
        List<Held> held;
        lock (_gate)
        {
            consumer = _consumer;
            _consumer = null;
            held = [.. _held];
            _held.Clear();
        }
        // The connection closes first, so what was held goes back as the broker had it, not nacked one by one.
        consumer?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        foreach (var h in held) h.Done.TrySetResult();
    }
}
