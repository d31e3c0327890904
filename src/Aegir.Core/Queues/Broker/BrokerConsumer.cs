using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Aegir.Core.Queues.Broker;

/// <summary>
/// A worker's hold on the partition queues: one connection (named for the worker) and one channel, prefetch 1 per
/// partition. Each partition has a single active consumer, so the broker gives a partition to one worker at a time
/// and moves it to another when that worker's connection goes. Dispose to stop: unsettled tasks go back to the queue.
/// </summary>
public sealed class BrokerConsumer : IAsyncDisposable
{
    readonly IConnection _connection;
    readonly IChannel _channel;
    readonly CancellationTokenSource _stop = new();
    readonly BrokerTopology _topology;
    readonly Func<BrokerDelivery, CancellationToken, Task> _handler;
    readonly Dictionary<string, string> _tags = [];
    readonly HashSet<string> _held = [];
    int _subscriptions;

    BrokerConsumer(string workerId, IConnection connection, IChannel channel, BrokerTopology topology, Func<BrokerDelivery, CancellationToken, Task> handler)
    {
        WorkerId = workerId;
        _connection = connection;
        _channel = channel;
        _topology = topology;
        _handler = handler;
    }

    public string WorkerId { get; }
    /// <summary>Set when the connection closes, whoever closed it: the worker must consume again (a broker restart).</summary>
    public CancellationToken Lost => _stop.Token;

    internal static async Task<BrokerConsumer> StartAsync(BrokerSettings settings, BrokerTopology topology, string workerId,
        Func<BrokerDelivery, CancellationToken, Task> handler, CancellationToken cancellation)
    {
        var connection = await BrokerConnection.OpenAsync(settings, "aegir worker " + workerId, cancellation).ConfigureAwait(false);
        try
        {
            // One dispatcher per partition, so tasks of different partitions run side by side on one connection.
            var channel = await connection.CreateChannelAsync(new CreateChannelOptions(false, false, null, (ushort)topology.Partitions), cancellation).ConfigureAwait(false);
            await topology.DeclareAsync(channel, cancellation).ConfigureAwait(false);
            await channel.BasicQosAsync(0, 1, global: false, cancellation).ConfigureAwait(false);
            var consumer = new BrokerConsumer(workerId, connection, channel, topology, handler);
            connection.ConnectionShutdownAsync += (_, _) => { consumer._stop.Cancel(); return Task.CompletedTask; };
            // Counted among the live workers (a single-active-consumer queue counts only its active consumer).
            await channel.BasicConsumeAsync(topology.WorkersQueue, autoAck: true, consumerTag: $"{workerId}/present", new AsyncEventingBasicConsumer(channel), cancellation).ConfigureAwait(false);
            // Start at a partition picked at random, so workers that start together line up for different partitions first.
            var first = Random.Shared.Next(topology.Partitions);
            foreach (var i in Enumerable.Range(0, topology.Partitions).Select(k => (k + first) % topology.Partitions))
                await consumer.SubscribeAsync(topology.Partition(i), cancellation).ConfigureAwait(false);
            return consumer;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>How many partitions this worker is the active consumer of (it knows one once a task of it arrives).</summary>
    public int Held { get { lock (_held) return _held.Count; } }

    async Task SubscribeAsync(string queue, CancellationToken cancellation)
    {
        var basic = new AsyncEventingBasicConsumer(_channel);
        basic.ReceivedAsync += (_, e) => DeliverAsync(queue, e);
        var tag = $"{WorkerId}/{queue}/{Interlocked.Increment(ref _subscriptions)}";
        lock (_tags) _tags[queue] = tag;
        await _channel.BasicConsumeAsync(queue, autoAck: false, consumerTag: tag, basic, cancellation).ConfigureAwait(false);
    }

    async Task DeliverAsync(string queue, BasicDeliverEventArgs e)
    {
        lock (_held) _held.Add(queue);
        var delivery = new BrokerDelivery(_channel, e.DeliveryTag, queue, e.Redelivered, e.BasicProperties, e.Body) { BeforeAck = () => HandOffIfOverShareAsync(queue) };
        try { await _handler(delivery, Lost).ConfigureAwait(false); }
        catch (Exception) when (!delivery.Settled && _channel.IsOpen && !_stop.IsCancellationRequested)
        {
            // A handler that failed without saying: the task is tried again (and dead-lettered at the limit).
            await delivery.NackAsync().ConfigureAwait(false);
            return;
        }
        // Stopping: what is unsettled goes back with the connection, as the broker had it (a nack now would come straight
        // back to this consumer, still subscribed, and again, each time counted toward the delivery limit).
        if (!delivery.Settled && _channel.IsOpen && !_stop.IsCancellationRequested) await delivery.NackAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Single active consumer gives every partition to the worker that subscribed first. So a worker that has work from
    /// more than one partition gives this one up as it finishes a task, while other workers live (a share of all the
    /// partitions would let one worker keep every busy one when the targets fall into few of them):
    /// it cancels its subscription before the ack (prefetch 1: nothing else of the partition is with it), so the next
    /// worker in line takes the partition with nothing of it in flight, and subscribes again at the back of the line.
    /// </summary>
    async Task HandOffIfOverShareAsync(string queue)
    {
        int held;
        lock (_held) held = _held.Count;
        if (held <= 1) return;
        var workers = (int)await _channel.ConsumerCountAsync(_topology.WorkersQueue).ConfigureAwait(false);
        if (workers <= 1) return;
        string tag;
        lock (_tags) tag = _tags[queue];
        lock (_held) _held.Remove(queue);
        await _channel.BasicCancelAsync(tag).ConfigureAwait(false);
        _ = Task.Run(async () =>
        {
            try { await SubscribeAsync(queue, Lost).ConfigureAwait(false); }
            catch (Exception ex) when (ex is OperationCanceledException or RabbitMQ.Client.Exceptions.AlreadyClosedException or RabbitMQ.Client.Exceptions.OperationInterruptedException) { }
        });
    }

    public async ValueTask DisposeAsync()
    {
        // The handlers end first: closing waits for the ones running, and a handler holding a delivery waits for Lost.
        await _stop.CancelAsync().ConfigureAwait(false);
        await BrokerConnection.CloseQuietlyAsync(_connection).ConfigureAwait(false);
        await _channel.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
