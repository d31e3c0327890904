using Aegir.Core.Contexts;

namespace Aegir.Core.Services.None;

/// <summary>A server without a database service.</summary>
[ServiceType]
public static class NoDbService
{
    public static ServiceTypeInfo Info { get; } = new(ServiceCatalog.Db, ServiceCatalog.None, "No database service.", []);
}
