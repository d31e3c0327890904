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
    readonly Dictionary<string, object> _asked = new(StringComparer.Ordinal);

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

    /// <summary>The sites' own PHP-FPM pools of a web server (a cluster has none: its members each have theirs).</summary>
    /// <remarks>It knows the other server records of its machine (<see cref="MachineKeys.Mates"/>), whose pools run as accounts of the same machine.</remarks>
    public Services.Php.PhpPools Pools(AegirServer server)
        => new(server, Connect(server), Templates, Home, new(() => MachineKeys.Name(Store, server), () => MachineKeys.Mates(Store, server).Skip(1)
            .Where(m => !m.Http.IsNull && m.Http.Get("php_fpm_pool_dir") is not null && m.Http.Get("php_site_dir") is not null)
            .Select(m => new Services.Php.PhpPools(m, Connect(m), Templates, Home)).ToList()));

    /// <summary>Whether a web server runs each site as its own user in its own pool (see <see cref="Services.Php.PhpPools.PerSite"/>).</summary>
    public bool PerSitePools(AegirServer server) => Services.Php.PhpPools.PerSite(server, Connect(server));

    public IDbService Db(AegirServer server)
    {
        if (server.Db.IsNull) throw ErrorCatalog.ServiceMissing(server.Name, ServiceCatalog.Db, "DbServer");
        lock (_db)
        {
            if (!_db.TryGetValue(server.Name, out var s)) _db[server.Name] = s = Engine.Services.Db(server, this);
            return s;
        }
    }

    AegirServer IServiceEnvironment.Server(string name) => Server(name, "ClusterMembers");

    /// <summary>A server as it is on disk, read once per task.</summary>
    public AegirServer Server(string name, string parameter = "Server")
    {
        lock (_servers)
        {
            if (!_servers.TryGetValue(name, out var server)) _servers[name] = server = Store.GetFresh<AegirServer>(name, parameter);
            return server;
        }
    }

    /// <summary>A cluster's member servers, in their recorded order; a server that is no cluster is its own only member.</summary>
    public IReadOnlyList<AegirServer> Members(AegirServer server)
    {
        if (!server.IsCluster) return [server];
        var members = Services.Cluster.ClusterService.MemberNames(server).Select(n => Server(n, "ClusterMembers")).ToList();
        return members.Count > 0 ? members : throw ErrorCatalog.ClusterEmpty(server.Name);
    }

    /// <summary>Where a platform's single commands run: a cluster's first member, else the server itself.</summary>
    public AegirServer FirstMember(AegirServer server) => Members(server)[0];

    /// <summary>
    /// The account that owns site files on a server and runs its sites' commands: its script user, checked on the
    /// server once for the engine's tasks (it must be there and hold none of root's powers; a plan only shown takes the name).
    /// </summary>
    public string Owner(AegirServer server)
    {
        if (ForDisplay) return server.ScriptUser;
        var group = ScriptUser.WebGroup(server);
        return Ask($"owner\n{server.Name}\n{server.ScriptUser}\n{group}", () =>
        {
            ScriptUser.Require(Connect(server), server.ScriptUser, server.Name, group);
            return server.ScriptUser;
        });
    }

    /// <summary>The platform's kind as verify recorded it (with its manifest, read now), or as its codebase says.</summary>
    public IPlatformKind KindOf(AegirPlatform platform, AegirServer web)
    {
        web = FirstMember(web);
        return platform.Kind is { } name ? PlatformKinds.Load(name, Connect(web), platform.Root) : PlatformKinds.Detect(Connect(web), platform.Root, web, platform.ChosenKind).Kind;
    }

    /// <summary>
    /// Hosts a site's database user is granted from: loopback when both are this machine; else the address the
    /// database server sees the web server's connections come from, and this machine's, whose checks of a site's
    /// tables run as the site's own account (never as the admin, whom a site's view could borrow), asked once for the
    /// engine's tasks.
    /// </summary>
    public IReadOnlyList<string> GrantHosts(AegirServer web, AegirServer db)
    {
        // A cluster's sites connect from every member.
        if (web.IsCluster) return Members(web).SelectMany(m => GrantHosts(m, db)).Distinct(StringComparer.Ordinal).ToList();
        var service = Db(db);
        if (ThisMachine.Is(web) && ThisMachine.Is(db))
        {
            // One machine: loopback, and the address the site connects to when the record names one of the machine's
            // own (MariaDB sees a connection to 10.0.0.5 come from 10.0.0.5, not from localhost).
            var own = System.Net.IPAddress.TryParse(service.Host, out var ip) && System.Net.IPAddress.IsLoopback(ip) || service.Host == "localhost"
                ? null : OwnAddressToward(service.Host, service.Port);
            return own is null or "127.0.0.1" ? ["127.0.0.1", "localhost"] : ["127.0.0.1", "localhost", own];
        }
        IReadOnlyList<string> Find() => new[] { SourceAddress(web, service.Host), OwnAddressToward(service.Host, service.Port) }
            .OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        return ForDisplay ? Find() : Ask($"grant\n{web.Name}\n{web.RemoteHost}\n{service.Host}\n{service.Port}", Find);
    }

    /// <summary>Asked once per task, or once for a whole batch of them (see <see cref="ServerFacts"/>).</summary>
    T Ask<T>(string key, Func<T> ask) where T : notnull
    {
        lock (_asked)
        {
            if (_asked.TryGetValue(key, out var known)) return (T)known;
            var value = Engine.Batch is { } batch ? batch.Facts.Get(key, ask) : ask();
            _asked[key] = value;
            return value;
        }
    }

    /// <summary>This machine's address toward a host, as the kernel picks it for a connection (a UDP socket, no packet sent).</summary>
    static string? OwnAddressToward(string host, int port)
    {
        try
        {
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            socket.Connect(host, port);
            return socket.LocalEndPoint is System.Net.IPEndPoint { Address: var a } ? (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).ToString() : null;
        }
        catch (System.Net.Sockets.SocketException) { return null; }
    }

    /// <summary>
    /// The web server's own address toward a database host, as the kernel there picks it (ip route get): what the
    /// database server sees, NAT aside. Its recorded address when it cannot tell (no iproute2 there).
    /// </summary>
    string SourceAddress(AegirServer web, string dbHost)
    {
        if (ForDisplay) return web.RemoteHost;
        var transport = Connect(web);
        var target = dbHost;
        if (!System.Net.IPAddress.TryParse(dbHost, out _))
        {
            var lookup = transport.Run(new CommandSpec("getent", ["ahosts", dbHost]) { Timeout = TimeSpan.FromSeconds(30) });
            target = lookup.Succeeded ? lookup.StandardOutput.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? dbHost : dbHost;
        }
        var route = transport.Run(new CommandSpec("ip", ["-o", "route", "get", target]) { Timeout = TimeSpan.FromSeconds(30) });
        var words = route.Succeeded ? route.StandardOutput.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries) : [];
        int at = Array.IndexOf(words, "src");
        return at >= 0 && at + 1 < words.Length && System.Net.IPAddress.TryParse(words[at + 1], out var source)
            ? source.ToString() : web.RemoteHost;
    }

    public void Dispose()
    {
        lock (_connections)
        {
            foreach (var t in _connections.Values) t.Dispose();
            _connections.Clear();
        }
    }
}
