using RabbitMQ.Client;

namespace Aegir.Core.Queues.Broker;

/// <summary>
/// The queue's exchanges and queues on the broker, declared idempotently by every publisher and worker (a declaration
/// that matches what exists is a no-op; one that differs fails, so two versions never silently disagree).
/// <para>
/// A consistent-hash exchange routes each task by its target (the routing key) to one of <see cref="Partitions"/>
/// queues, so one target's tasks always meet in one queue, in publish order. Each partition queue has a single active
/// consumer, read with prefetch 1: the broker hands out one task of a partition at a time and the next only after the
/// ack, so one target never has two tasks in flight across all workers. The price: targets that share a partition
/// wait for each other, so parallelism is at most the number of partitions (more partitions, less waiting).
/// </para>
/// <para>
/// Quorum queues, not classic ones: they are replicated and written to disk before a publish is confirmed, and they
/// count deliveries (a nack with requeue and a consumer lost with the message both count), so
/// <c>x-delivery-limit</c> sends a poison task to the dead-letter exchange after <see cref="DeliveryLimit"/>
/// redeliveries with no counting of our own. Classic queues only say "redelivered", not how often. Dead-lettering is
/// at-least-once (it needs <c>x-overflow: reject-publish</c>), so a poison task is not lost between the two queues.
/// </para>
/// </summary>
public sealed record BrokerTopology(string Prefix = "aegir.tasks", int Partitions = 8, int DeliveryLimit = 5)
{
    public string Exchange => Prefix;
    public string DeadLetterExchange => Prefix + ".dead";
    public string DeadLetterQueue => Prefix + ".dead";
    /// <summary>A queue nothing is sent to, that every worker subscribes to: its consumer count is the number of live workers.</summary>
    public string WorkersQueue => Prefix + ".workers";
    public string Partition(int i) => $"{Prefix}.p{i}";
    public IEnumerable<string> PartitionQueues => Enumerable.Range(0, Partitions).Select(Partition);

    public async Task DeclareAsync(IChannel channel, CancellationToken cancellation = default)
    {
        await channel.ExchangeDeclareAsync(DeadLetterExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellation).ConfigureAwait(false);
        await channel.QueueDeclareAsync(DeadLetterQueue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellation).ConfigureAwait(false);
        await channel.QueueBindAsync(DeadLetterQueue, DeadLetterExchange, "", cancellationToken: cancellation).ConfigureAwait(false);

        await channel.QueueDeclareAsync(WorkersQueue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "classic" }, cancellationToken: cancellation).ConfigureAwait(false);

        await channel.ExchangeDeclareAsync(Exchange, "x-consistent-hash", durable: true, autoDelete: false, cancellationToken: cancellation).ConfigureAwait(false);
        foreach (var queue in PartitionQueues)
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?>
            {
                ["x-queue-type"] = "quorum",
                ["x-single-active-consumer"] = true,
                ["x-delivery-limit"] = DeliveryLimit,
                ["x-dead-letter-exchange"] = DeadLetterExchange,
                ["x-dead-letter-strategy"] = "at-least-once",
                ["x-overflow"] = "reject-publish",
            }, cancellationToken: cancellation).ConfigureAwait(false);
            // The binding key of a consistent-hash exchange is the partition's weight: all equal.
            await channel.QueueBindAsync(queue, Exchange, "1", cancellationToken: cancellation).ConfigureAwait(false);
        }
    }
}
