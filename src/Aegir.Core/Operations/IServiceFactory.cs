using Aegir.Core.Contexts;
using Aegir.Core.Services;

namespace Aegir.Core.Operations;

/// <summary>Makes the web and database services of a server: from the service catalogue, or fakes in tests.</summary>
public interface IServiceFactory
{
    IHttpService Http(AegirServer server, IServiceEnvironment env);
    IDbService Db(AegirServer server, IServiceEnvironment env);
}

