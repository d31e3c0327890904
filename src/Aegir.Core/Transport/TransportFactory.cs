using Aegir.Core.Contexts;

namespace Aegir.Core.Transport;

/// <summary>
/// A server's connection, as its record says: this machine's work is done locally (never over ssh to itself);
/// another machine is reached over ssh, one shared connection per server in this process.
/// </summary>
public sealed class TransportFactory : ITransportFactory
{
    public static readonly TransportFactory Default = new();

    public ITransport Open(AegirServer server)
    {
        if (server.IsCluster) throw Errors.ErrorCatalog.ClusterNotMachine(server.Name);
        return ThisMachine.Is(server) ? new LocalTransport() : SshConnections.Lease(SshSettings.Of(server));
    }

    /// <summary>Closes the connections no task holds now.</summary>
    public static void CloseIdle() => SshConnections.CloseIdle();
}
