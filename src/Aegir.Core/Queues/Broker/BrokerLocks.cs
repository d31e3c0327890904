using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Aegir.Core.Queues.Broker;

/// <summary>
/// Target locks on the broker, held by a worker's connection: a lock is an exclusive queue named for the target,
/// which only one connection can declare (another gets 405 RESOURCE_LOCKED) and which the broker deletes when that
/// connection closes or dies. So a worker killed mid-task frees its locks without anyone's help.
/// <para>
/// Trade-offs: the lock lives and dies with the TCP connection, as the broker sees it. A worker cut off from the
/// broker (not dead) loses its locks after the heartbeat timeout (about two heartbeats, 20 s here) while it may
/// still be working, and a broker restart frees every lock at once; there is no fencing token to stop the old holder.
/// So it guards against two workers starting on one target, but the task's journal (repair before a retry) and the
/// single-active-consumer partitions, not this lock, are what keep a target's tasks one at a time.
/// </para>
/// </summary>
public sealed class BrokerLocks : IAsyncDisposable
{
    const ushort ResourceLocked = 405;
    readonly IConnection _connection;
    readonly string _prefix;

    BrokerLocks(IConnection connection, string prefix, string workerId)
    {
        _connection = connection;
        _prefix = prefix;
        WorkerId = workerId;
    }

    public string WorkerId { get; }

    public static async Task<BrokerLocks> OpenAsync(BrokerSettings settings, string workerId, string prefix = "aegir.lock", CancellationToken cancellation = default)
        => new(await BrokerConnection.OpenAsync(settings, "aegir locks " + workerId, cancellation).ConfigureAwait(false), prefix, workerId);

    /// <summary>The lock on <paramref name="target"/>, or null when another connection holds it.</summary>
    public async Task<Held?> TryAcquireAsync(string target, CancellationToken cancellation = default)
    {
        // A refused declaration closes its channel, so each attempt has a channel of its own.
        var channel = await _connection.CreateChannelAsync(cancellationToken: cancellation).ConfigureAwait(false);
        var name = $"{_prefix}.{target}";
        try
        {
            await channel.QueueDeclareAsync(name, durable: false, exclusive: true, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "classic" }, cancellationToken: cancellation).ConfigureAwait(false);
            return new Held(channel, name);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == ResourceLocked)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await BrokerConnection.CloseQuietlyAsync(_connection).ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A lock held; disposing it deletes the queue, which frees the lock for others.</summary>
    public sealed class Held(IChannel channel, string queue) : IAsyncDisposable
    {
        public string Queue { get; } = queue;

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (channel.IsOpen) await channel.QueueDeleteAsync(Queue, ifUnused: false, ifEmpty: false).ConfigureAwait(false);
                if (channel.IsOpen) await channel.CloseAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException) { }
            await channel.DisposeAsync().ConfigureAwait(false);
        }
    }
}
