using Aegir.Core.Contexts;
using Aegir.Core.Services;

namespace Aegir.Core.Operations;

/// <summary>The services of each server's types, as the catalogue makes them.</summary>
public sealed class CatalogServices : IServiceFactory
{
    public static readonly CatalogServices Instance = new();
    public IHttpService Http(AegirServer server, IServiceEnvironment env) => ServiceCatalog.HttpService(server, env);
    public IDbService Db(AegirServer server, IServiceEnvironment env) => ServiceCatalog.DbService(server, env);
}
