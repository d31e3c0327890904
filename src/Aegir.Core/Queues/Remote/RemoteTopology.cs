using RabbitMQ.Client;

namespace Aegir.Core.Queues.Remote;

/// <summary>
/// Where tasks for servers' own workers travel: one quorum queue per server (<c>aegir.server.&lt;name&gt;</c>), read
/// by the workers on that server, and a direct exchange for what they send back, routed by task id to the queue of
/// the control machine's worker that dispatched the task (exclusive: it lives as long as that worker's connection).
/// Order and one-at-a-time per target are the dispatcher's: it holds the task's targets until the answer comes.
/// </summary>
public static class RemoteTopology
{
    public const string Replies = "aegir.replies";
    public const int DeliveryLimit = 5;

    public static string ServerQueue(string server) => $"aegir.server.{server}";

    public static async Task DeclareServerAsync(IChannel channel, string server, CancellationToken cancellation = default)
    {
        await channel.QueueDeclareAsync(ServerQueue(server), durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?>
        {
            ["x-queue-type"] = "quorum",
            ["x-delivery-limit"] = DeliveryLimit,
        }, cancellationToken: cancellation).ConfigureAwait(false);
        await channel.ExchangeDeclareAsync(Replies, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: cancellation).ConfigureAwait(false);
    }
}
