using System.Text;
using Aegir.Core.Errors;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Aegir.Core.Queues.Broker;

/// <summary>
/// The task queue on a RabbitMQ broker: publish a task (persistent, confirmed by the broker before this returns, so a
/// broker restart loses nothing once Publish has returned) and consume tasks as a worker (<see cref="BrokerConsumer"/>).
/// A message carries the task's id, type and target as properties and the caller's body (the task's parameters): no
/// secret belongs in it, as anyone who may read the queue reads it.
/// </summary>
public sealed class BrokerQueue : IAsyncDisposable
{
    public const string TargetHeader = "aegir-target";
    readonly IConnection _connection;
    readonly IChannel _channel;
    /// <summary>One publish or dead-letter read at a time: the process shares its publisher (<see cref="BrokerPublishers"/>).</summary>
    readonly SemaphoreSlim _use = new(1, 1);

    BrokerQueue(BrokerSettings settings, BrokerTopology topology, IConnection connection, IChannel channel)
    {
        Settings = settings;
        Topology = topology;
        _connection = connection;
        _channel = channel;
    }

    public BrokerSettings Settings { get; }
    public BrokerTopology Topology { get; }
    /// <summary>False once its connection or channel has closed (a broker restart): a new publisher is needed.</summary>
    public bool IsOpen => _connection.IsOpen && _channel.IsOpen;

    /// <summary>Connects as a publisher and declares the topology.</summary>
    public static async Task<BrokerQueue> OpenAsync(BrokerSettings settings, BrokerTopology? topology = null, CancellationToken cancellation = default)
    {
        topology ??= new BrokerTopology();
        var connection = await BrokerConnection.OpenAsync(settings, "aegir publisher", cancellation).ConfigureAwait(false);
        try
        {
            // Confirms tracked by the client: each publish awaits the broker's ack (the message is on disk in the queue).
            var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), cancellation).ConfigureAwait(false);
            await topology.DeclareAsync(channel, cancellation).ConfigureAwait(false);
            return new BrokerQueue(settings, topology, connection, channel);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Queues a task behind the earlier tasks of its <paramref name="target"/>; returns once the broker has it on disk.
    /// Mandatory: a task no queue takes (the topology removed under us) fails here instead of vanishing.
    /// </summary>
    public async Task PublishAsync(string taskId, string type, string target, ReadOnlyMemory<byte> body, CancellationToken cancellation = default)
    {
        var props = new BasicProperties
        {
            Persistent = true,
            MessageId = taskId,
            Type = type,
            ContentType = "application/json",
            Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
            Headers = new Dictionary<string, object?> { [TargetHeader] = target },
        };
        await _use.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            await _channel.BasicPublishAsync(Topology.Exchange, target, mandatory: true, props, body, cancellation).ConfigureAwait(false);
        }
        catch (PublishException ex)
        {
            throw ErrorCatalog.BrokerUnreachable(Settings.Address.ToString(), ex.IsReturn
                ? $"no queue took the task {taskId} (the exchange {Topology.Exchange} has no partition queues bound)"
                : $"the broker did not take the task {taskId} (a full disk or memory alarm makes it refuse)", ex);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            throw ErrorCatalog.BrokerUnreachable(Settings.Address.ToString(), $"the connection was lost while queueing the task {taskId}, which may or may not be queued", ex);
        }
        finally { _use.Release(); }
    }

    /// <summary>Starts consuming as worker <paramref name="workerId"/>; each task goes to <paramref name="handler"/>, which acks or nacks it.</summary>
    public Task<BrokerConsumer> ConsumeAsync(string workerId, Func<BrokerDelivery, CancellationToken, Task> handler, CancellationToken cancellation = default)
        => BrokerConsumer.StartAsync(Settings, Topology, workerId, handler, cancellation);

    /// <summary>Tasks that reached the delivery limit, taken off the dead-letter queue (for a report or a retry), oldest first.</summary>
    public async Task<IReadOnlyList<BrokerDelivery>> TakeDeadAsync(int max, CancellationToken cancellation = default)
    {
        var dead = new List<BrokerDelivery>();
        await _use.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            while (dead.Count < max && await _channel.BasicGetAsync(Topology.DeadLetterQueue, autoAck: false, cancellation).ConfigureAwait(false) is { } got)
            {
                var delivery = new BrokerDelivery(_channel, got.DeliveryTag, Topology.DeadLetterQueue, got.Redelivered, got.BasicProperties, got.Body);
                await delivery.AckAsync(cancellation).ConfigureAwait(false);
                dead.Add(delivery);
            }
        }
        finally { _use.Release(); }
        return dead;
    }

    internal static string? Header(IReadOnlyBasicProperties props, string name)
        => props.Headers?.TryGetValue(name, out var v) == true ? v switch { byte[] b => Encoding.UTF8.GetString(b), string s => s, _ => v?.ToString() } : null;

    public async ValueTask DisposeAsync()
    {
        await BrokerConnection.CloseQuietlyAsync(_connection).ConfigureAwait(false);
        await _channel.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
