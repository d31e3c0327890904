using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.IO;
using Aegir.Core.Platforms;
using Aegir.Core.Services;
using Aegir.Core.Templates;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations;

/// <summary>
/// What one task (or one plan) works with: the store, the templates, one connection per server and the services
/// of each server, all made once and closed when the task ends.
/// </summary>
public sealed class OperationEnvironment(Engine engine) : IServiceEnvironment, IDisposable
{
    readonly Dictionary<string, ITransport> _connections = new(StringComparer.Ordinal);
    readonly Dictionary<string, IHttpService> _http = new(StringComparer.Ordinal);
    readonly Dictionary<string, IDbService> _db = new(StringComparer.Ordinal);
    readonly Dictionary<string, AegirServer> _servers = new(StringComparer.Ordinal);
    readonly HashSet<string> _owners = new(StringComparer.Ordinal);

    public Engine Engine { get; } = engine;

    /// <summary>True when the plan is only shown (-WhatIf, -Plan): worth reading more to show values as they will be.</summary>
    public bool ForDisplay { get; init; }
    public ContextStore Store => Engine.Store;
    public string Home => Engine.Store.Home;
    public TemplateRenderer Templates => Engine.Templates;

    public string HomeOn(AegirServer server) => server.AegirRoot ?? (ThisMachine.Is(server) ? Home : AegirServer.DefaultRemoteRoot);

    public ITransport Connect(AegirServer server)
    {
        lock (_connections)
        {
            if (!_connections.TryGetValue(server.Name, out var t)) _connections[server.Name] = t = Engine.Transports.Open(server);
            return t;
        }
    }

    public IHttpService Http(AegirServer server)
    {
        if (server.Http.IsNull) throw ErrorCatalog.ServiceMissing(server.Name, ServiceCatalog.Http, "WebServer");
        lock (_http)
        {
            if (!_http.TryGetValue(server.Name, out var s)) _http[server.Name] = s = Engine.Services.Http(server, this);
            return s;
        }
    }

    public IDbService Db(AegirServer server)
    {
        if (server.Db.IsNull) throw ErrorCatalog.ServiceMissing(server.Name, ServiceCatalog.Db, "DbServer");
        lock (_db)
        {
            if (!_db.TryGetValue(server.Name, out var s)) _db[server.Name] = s = Engine.Services.Db(server, this);
            return s;
        }
    }

    /// <summary>A server as it is on disk, read once per task.</summary>
    public AegirServer Server(string name, string parameter = "Server")
    {
        lock (_servers)
        {
            if (!_servers.TryGetValue(name, out var server)) _servers[name] = server = Store.GetFresh<AegirServer>(name, parameter);
            return server;
        }
    }

    /// <summary>
    /// The account that owns site files on a server and runs its sites' commands: its script user, checked on the
    /// server once per task (it must be there and hold none of root's powers; a plan only shown takes the name).
    /// </summary>
    public string Owner(AegirServer server)
    {
        if (ForDisplay) return server.ScriptUser;
        lock (_owners)
        {
            if (!_owners.Contains(server.Name))
            {
                ScriptUser.Require(Connect(server), server.ScriptUser, server.Name, ScriptUser.WebGroup(server));
                _owners.Add(server.Name);
            }
        }
        return server.ScriptUser;
    }

    /// <summary>The platform's kind as verify recorded it (with its manifest, read now), or as its codebase says.</summary>
    public IPlatformKind KindOf(AegirPlatform platform, AegirServer web)
        => platform.Kind is { } name ? PlatformKinds.Load(name, Connect(web), platform.Root) : PlatformKinds.Detect(Connect(web), platform.Root, web, platform.ChosenKind).Kind;

    /// <summary>Hosts a site's database user is granted from: the web server's, and loopback when both are this machine.</summary>
    public static IReadOnlyList<string> GrantHosts(AegirServer web, AegirServer db)
        => ThisMachine.Is(web) && ThisMachine.Is(db) ? ["127.0.0.1", "localhost"] : [web.RemoteHost];

    public void Dispose()
    {
        lock (_connections)
        {
            foreach (var t in _connections.Values) t.Dispose();
            _connections.Clear();
        }
    }
}
