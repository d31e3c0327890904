using RabbitMQ.Client;

namespace Aegir.Core.Queues.Broker;

/// <summary>
/// A task a worker holds: its lease lasts until <see cref="AckAsync"/> (done: the broker forgets it),
/// <see cref="NackAsync"/> (not done: back to the head of its partition for the next try, or to the dead-letter queue
/// once its deliveries reach the limit), or the worker's connection dying (the same as a nack).
/// </summary>
public sealed class BrokerDelivery
{
    readonly IChannel _channel;
    readonly ulong _tag;
    int _settled;

    internal BrokerDelivery(IChannel channel, ulong tag, string queue, bool redelivered, IReadOnlyBasicProperties props, ReadOnlyMemory<byte> body)
    {
        _channel = channel;
        _tag = tag;
        Queue = queue;
        Redelivered = redelivered;
        TaskId = props.MessageId ?? "";
        Type = props.Type ?? "";
        Target = BrokerQueue.Header(props, BrokerQueue.TargetHeader) ?? "";
        // Quorum queues count earlier deliveries in x-delivery-count (absent on the first).
        DeliveryCount = props.Headers?.TryGetValue("x-delivery-count", out var n) == true ? Convert.ToInt32(n, System.Globalization.CultureInfo.InvariantCulture) : 0;
        Body = body.ToArray();   // the client reuses its buffer once the handler returns
    }

    public string TaskId { get; }
    public string Type { get; }
    public string Target { get; }
    public byte[] Body { get; }
    /// <summary>The partition queue it came from.</summary>
    public string Queue { get; }
    public bool Redelivered { get; }
    /// <summary>How many times the broker handed it out before (0 the first time).</summary>
    public int DeliveryCount { get; }
    public bool Settled => _settled != 0;

    /// <summary>Run before the ack goes out (the consumer hands its partition on there).</summary>
    internal Func<Task>? BeforeAck { get; init; }

    /// <summary>Done: call only once the task's result is recorded, so a crash before it means a redelivery, not a loss.</summary>
    public async Task AckAsync(CancellationToken cancellation = default)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0) return;
        if (BeforeAck is not null) await BeforeAck().ConfigureAwait(false);
        await _channel.BasicAckAsync(_tag, multiple: false, cancellation).ConfigureAwait(false);
    }

    /// <summary>Not done: try again (at the head of its partition, keeping the target's order), counted toward the delivery limit.</summary>
    public Task NackAsync(CancellationToken cancellation = default)
        => Interlocked.Exchange(ref _settled, 1) == 0 ? _channel.BasicNackAsync(_tag, multiple: false, requeue: true, cancellation).AsTask() : Task.CompletedTask;

    /// <summary>Never to be tried again (poison): the broker moves it to the dead-letter queue at once.</summary>
    public Task RejectAsync(CancellationToken cancellation = default)
        => Interlocked.Exchange(ref _settled, 1) == 0 ? _channel.BasicNackAsync(_tag, multiple: false, requeue: false, cancellation).AsTask() : Task.CompletedTask;
}
