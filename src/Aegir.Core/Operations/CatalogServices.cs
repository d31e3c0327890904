using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Services;

namespace Aegir.Core.Operations;

/// <summary>The services of each server's types, as the catalogue makes them.</summary>
public sealed class CatalogServices : IServiceFactory
{
    public static readonly CatalogServices Instance = new();
    public IHttpService Http(AegirServer server, IServiceEnvironment env) => Make<IHttpService>(server, server.Http, "WebServer", env);
    public IDbService Db(AegirServer server, IServiceEnvironment env) => Make<IDbService>(server, server.Db, "DbServer", env);

    static T Make<T>(AegirServer server, AegirService service, string parameter, IServiceEnvironment env)
    {
        var info = service.GetInfo();
        if (info.Create is null) throw ErrorCatalog.ServiceMissing(server.Name, service.Service, parameter);
        return (T)info.Create(server, env);
    }
}
