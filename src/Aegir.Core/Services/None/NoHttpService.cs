using Aegir.Core.Contexts;

namespace Aegir.Core.Services.None;

/// <summary>A server without a web service.</summary>
[ServiceType]
public static class NoHttpService
{
    public static ServiceTypeInfo Info { get; } = new(ServiceCatalog.Http, ServiceCatalog.None, "No web service.", []);
}
