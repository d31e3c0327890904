using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Transport;

/// <summary>The local transport for this machine; remote servers (SSH) come with their own transport.</summary>
public sealed class TransportFactory : ITransportFactory
{
    public static readonly TransportFactory Default = new();

    public ITransport Open(AegirServer server)
    {
        if (!ThisMachine.Is(server))
            throw ErrorCatalog.StepFailed(ErrorIds.ServerUnreachable, $"Reaching '@{server.Name}' ({server.RemoteHost})", "this version manages the local machine only",
                "Host the platform on a server whose remote host is this machine (master, localhost or 127.0.0.1).");
        return new LocalTransport();
    }
}
