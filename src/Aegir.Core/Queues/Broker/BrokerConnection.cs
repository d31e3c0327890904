using Aegir.Core.Errors;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Aegir.Core.Queues.Broker;

/// <summary>Opens connections to the broker, turning the client's failures into errors that name the problem and its fix.</summary>
public static class BrokerConnection
{
    /// <summary>A connection named for what holds it (a worker's id, "aegir publisher"), as the broker lists it.</summary>
    public static async Task<IConnection> OpenAsync(BrokerSettings settings, string clientName, CancellationToken cancellation = default)
    {
        var factory = settings.Address.Factory(settings.Password, clientName);
        try
        {
            return await factory.CreateConnectionAsync(cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Explain(settings.Address.ToString(), ex);
        }
    }

    /// <summary>Logs in and out: the broker answers at this address with these credentials.</summary>
    public static void Ping(BrokerSettings settings) => PingAsync(settings).GetAwaiter().GetResult();

    static async Task PingAsync(BrokerSettings settings)
    {
        await using var connection = await OpenAsync(settings, "aegir check").ConfigureAwait(false);
        try
        {
            // A round trip: a broker may close a connection it refuses (a vhost it lacks) just after opening it.
            await using var channel = await connection.CreateChannelAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException { ShutdownReason.ReplyCode: 530 }) { throw Explain(settings.Address.ToString(), ex); }
        finally { await CloseQuietlyAsync(connection).ConfigureAwait(false); }
    }

    /// <summary>
    /// The broker answers at this address with these credentials and can carry the queue: the topology is declared
    /// (idempotent), which also proves the user may configure the vhost and the consistent-hash plugin is on.
    /// </summary>
    public static void Check(BrokerSettings settings, BrokerTopology? topology = null) => CheckAsync(settings, topology ?? new BrokerTopology()).GetAwaiter().GetResult();

    static async Task CheckAsync(BrokerSettings settings, BrokerTopology topology)
    {
        await using var connection = await OpenAsync(settings, "aegir check").ConfigureAwait(false);
        try
        {
            await using var channel = await OpenChannelAsync(settings, topology, connection).ConfigureAwait(false);
        }
        finally
        {
            await CloseQuietlyAsync(connection).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A channel on <paramref name="connection"/> with the topology declared; a refusal or a connection lost meanwhile
    /// (a broker going down) is an error that names it, never the client's own exception.
    /// </summary>
    internal static async Task<IChannel> OpenChannelAsync(BrokerSettings settings, BrokerTopology topology, IConnection connection, CreateChannelOptions? options = null, CancellationToken cancellation = default)
    {
        IChannel? channel = null;
        try
        {
            channel = await connection.CreateChannelAsync(options, cancellation).ConfigureAwait(false);
            await topology.DeclareAsync(channel, cancellation).ConfigureAwait(false);
            return channel;
        }
        catch (Exception ex) when (DeclareFailure(settings, ex) is { } error)
        {
            if (channel is not null) await channel.DisposeAsync().ConfigureAwait(false);
            throw error;
        }
        catch (Exception) when (channel is not null)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>What a failure to declare the topology means for the user, or null when it is not the broker's doing.</summary>
    static AegirException? DeclareFailure(BrokerSettings settings, Exception ex)
    {
        var address = settings.Address.ToString();
        return ex switch
        {
            OperationInterruptedException { ShutdownReason: { ReplyCode: 503 } r } when r.ReplyText.Contains("x-consistent-hash", StringComparison.Ordinal)
                => ErrorCatalog.BrokerRefused(address, "it has no consistent-hash exchange type", "Enable its plugin on the broker: rabbitmq-plugins enable rabbitmq_consistent_hash_exchange.", ex),
            OperationInterruptedException { ShutdownReason: { ReplyCode: 403 } r }
                => ErrorCatalog.BrokerRefused(address, $"the user {settings.Address.User} may not declare the queue's exchanges and queues ({r.ReplyText})",
                    $"Grant it on the vhost: rabbitmqctl set_permissions -p {settings.Address.VirtualHost} {settings.Address.User} '^aegir\\..*' '^aegir\\..*' '^aegir\\..*'.", ex),
            OperationInterruptedException { ShutdownReason: { ReplyCode: 406 } r }
                => ErrorCatalog.BrokerRefused(address, $"its queues of the same names were declared otherwise ({r.ReplyText})",
                    "Another version of the module made them: delete the aegir.tasks queues on the broker once they are empty, or use another vhost.", ex),
            // A broker going down (or a vhost it refuses) while the topology is declared.
            AlreadyClosedException or OperationInterruptedException or IOException => Explain(address, ex),
            _ => null,
        };
    }

    /// <summary>Closes a connection that may be gone already (a broker restart, a killed socket): closing is all that is left to do.</summary>
    internal static async Task CloseQuietlyAsync(IConnection connection)
    {
        try
        {
            if (connection.IsOpen) await connection.CloseAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or IOException or OperationCanceledException) { }
    }

    static AegirException Explain(string address, Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationFailureException)
                return ErrorCatalog.BrokerRefused(address, "the user's name or password is wrong", "Give the right password with Set-AegirQueue -Credential (or $env:AEGIR_BROKER_PASSWORD), or make the user on the broker (rabbitmqctl add_user).", ex);
            if (e is OperationInterruptedException { ShutdownReason.ReplyCode: 530 } or AlreadyClosedException { ShutdownReason.ReplyCode: 530 })
                return ErrorCatalog.BrokerRefused(address, "the virtual host is missing or the user may not use it", "Make it and grant the user on the broker (rabbitmqctl add_vhost, set_permissions), or name another vhost in the URL.", ex);
            if (e is PossibleAuthenticationFailureException)
                return ErrorCatalog.BrokerRefused(address, "it closed the connection while logging in (a wrong password, or a user it does not know)", "Check the user and password given with Set-AegirQueue -Credential.", ex);
        }
        var root = ex;
        while (root.InnerException is not null) root = root.InnerException;
        return ErrorCatalog.BrokerUnreachable(address, root.Message, ex);
    }
}
