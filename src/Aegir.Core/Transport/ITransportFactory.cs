using Aegir.Core.Contexts;

namespace Aegir.Core.Transport;

/// <summary>Opens a connection to a server, chosen by its context.</summary>
public interface ITransportFactory
{
    ITransport Open(AegirServer server);
}
