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
        catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or IOException or System.Net.Sockets.SocketException)
        {
            throw Explain(settings.Address.ToString(), ex);
        }
    }

    /// <summary>Opens a connection and closes it: the broker answers at this address with these credentials.</summary>
    public static void Check(BrokerSettings settings)
    {
        var connection = OpenAsync(settings, "aegir check").GetAwaiter().GetResult();
        connection.CloseAsync().GetAwaiter().GetResult();
        connection.Dispose();
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
            if (e is OperationInterruptedException { ShutdownReason.ReplyCode: 530 } refused)
                return ErrorCatalog.BrokerRefused(address, $"the virtual host is missing or the user may not use it ({refused.ShutdownReason.ReplyText})", "Make it and grant the user on the broker (rabbitmqctl add_vhost, set_permissions), or name another vhost in the URL.", ex);
            if (e is PossibleAuthenticationFailureException)
                return ErrorCatalog.BrokerRefused(address, "it closed the connection while logging in (a wrong password, or a user it does not know)", "Check the user and password given with Set-AegirQueue -Credential.", ex);
        }
        var root = ex;
        while (root.InnerException is not null) root = root.InnerException;
        return ErrorCatalog.BrokerUnreachable(address, root.Message, ex);
    }
}
