using Aegir.Core.Contexts;

namespace Aegir.Core.Services.None;

/// <summary>A server with no way to reach it from here: fine for this machine, whose work is done locally.</summary>
[ServiceType]
public static class NoTransport
{
    public static ServiceTypeInfo Info { get; } = new(ServiceCatalog.Transport, ServiceCatalog.None, "No remote connection: the server must be this machine.", []);
}
