using Aegir.Core.Errors;

namespace Aegir.Core.Contexts;

/// <summary>The checks that look beyond one context: references, unique host names, locked platforms, servers in use.</summary>
internal static class ContextValidator
{
    /// <summary>
    /// Runs under the store lock, against what is on disk now. <paramref name="restoring"/>: a removed record put back
    /// (or its changed fields put back) by an undo, which takes back its own place under its client's limit rather than asking for a new one.
    /// </summary>
    public static void Check(ContextStore store, AegirContext ctx, AegirContext? previous, bool restoring = false)
    {
        if (ctx is AegirServer candidate) CheckCluster(store, candidate, previous);
        foreach (var reference in ctx.References()) CheckReference(store, reference);
        switch (ctx)
        {
            case AegirSite site:
                CheckSite(store, site, previous as AegirSite);
                if (!restoring && site.ClientName is not null && site.ClientName != (previous as AegirSite)?.ClientName) ClientSiteLimit.CheckRoom(store, site);
                break;
            case AegirPlatform platform:
                CheckPlatform(store, platform);
                break;
            case AegirClient client when previous is not AegirClient before || before.UnixGroup != client.UnixGroup:
                ClientGroups.CheckAgainst(store, client);
                break;
            case AegirServer { IsCluster: true } cluster:
                if (previous is not null) CheckServerInUse(store, cluster);
                break;
            case AegirServer server:
                if (previous is not null) CheckServerInUse(store, server);
                CheckPorts(server, previous as AegirServer);
                CheckPhpSocket(server, previous as AegirServer);
                CheckDbHost(server);
                break;
        }
    }

    /// <summary>
    /// A cluster is no machine: no address, connection or database of its own; its members are servers that are there,
    /// with a web service of their own, none of them a cluster (nor the cluster itself). A member never becomes a cluster.
    /// </summary>
    static void CheckCluster(ContextStore store, AegirServer server, AegirContext? previous)
    {
        if (!server.IsCluster) return;
        if (!server.Db.IsNull) throw ErrorCatalog.ClusterSettingInvalid(server.Name, "-DbServiceType");
        if (!server.Connection.IsNull) throw ErrorCatalog.ClusterSettingInvalid(server.Name, "-SshUser");
        if (server.Name == ContextNames.Master) throw ErrorCatalog.ClusterSettingInvalid(server.Name, "-HttpServiceType cluster");
        var members = server.ClusterMembers;
        if (members.Count == 0) throw ErrorCatalog.ClusterEmpty(server.Name);
        foreach (var name in members)
        {
            if (name == server.Name)
                throw ErrorCatalog.ClusterMemberInvalid(server.Name, name, "it is the cluster itself", "Name the web servers that serve its sites.");
            var member = store.ReadFresh(name) as AegirServer
                ?? throw ErrorCatalog.ClusterMemberInvalid(server.Name, name, $"there is no server of that name in {store.Home}", "Record it first (New-AegirServer with its -RemoteHost and -HttpServiceType), or name another.");
            if (member.IsCluster)
                throw ErrorCatalog.ClusterMemberInvalid(server.Name, name, "it is a cluster itself", "Name its members instead.");
            if (member.Http.IsNull)
                throw ErrorCatalog.ClusterMemberInvalid(server.Name, name, "it has no web service", $"Give it one first (Set-AegirServer {name} -HttpServiceType nginx), or name another.");
        }
        if (previous is not null)
            foreach (var other in store.FindReferrers(server.Name).OfType<AegirServer>().Where(s => s.IsCluster))
                throw ErrorCatalog.ClusterMemberInvalid(other.Name, server.Name, "it would be a cluster itself", $"Take it out of '@{other.Name}' first (Set-AegirServer {other.Name} -ClusterMembers ...).");
    }

    static void CheckReference(ContextStore store, ContextReference reference)
    {
        var label = ContextNames.Label(reference.Type);
        var target = store.ReadFresh(reference.Name) ?? throw ErrorCatalog.ContextNotFound(reference.Name, label, store.Home);
        if (target.Type != reference.Type)
            throw ErrorCatalog.WrongContextType(reference.Name, ContextNames.Label(target.Type), label, reference.Property);
        if (reference.Service is { } service && target is AegirServer server && server.Service(service).IsNull)
            throw ErrorCatalog.ServiceMissing(server.Name, service, reference.Property);
    }

    static void CheckSite(ContextStore store, AegirSite site, AegirSite? previous)
    {
        if (previous is null || previous.PlatformName != site.PlatformName)
        {
            if (store.ReadFresh(site.PlatformName) is AegirPlatform { Locked: true })
                throw ErrorCatalog.PlatformLocked(site.PlatformName);
        }
        // A change that keeps the site's names and database needs no look at the others.
        bool namesChanged = previous is null || !previous.HostNames().SequenceEqual(site.HostNames());
        bool dbChanged = site.DbName is not null && (previous?.DbName != site.DbName || previous.DbServerName != site.DbServerName);
        if (!namesChanged && !dbChanged) return;
        // Through the site index: a lookup per name rather than a read of every other record.
        var index = SiteIndex.For(store.ContextsPath);
        if (namesChanged)
            foreach (var host in site.HostNames())
                if (index.Claimants(store, host, except: site.Name) is [var other, ..]) throw ErrorCatalog.NameTaken(host, other);
        // A database name in a record is that site's claim to it: two installs can never pick the same one.
        if (dbChanged && site.DbServerName is not null && index.DbClaimants(store, site.DbServerName, site.DbName!, except: site.Name) is [var claimant, ..])
            throw ErrorCatalog.DbNameTaken(site.DbServerName, site.DbName!, "database (claimed by the record of @" + claimant + ")");
    }

    static void CheckPlatform(ContextStore store, AegirPlatform platform)
    {
        // On this machine a root is judged by where it leads; a remote server's root is checked by verify, there.
        bool local = store.ReadFresh(platform.WebServerName) is AegirServer server && Contexts.ThisMachine.Is(server);
        string Leads(string root) => local ? IO.Posix.Resolve(root) : root;
        var resolved = Leads(platform.Root);
        if (local) Contexts.PlatformRoots.Check(platform.Root, resolved, IO.Posix.Resolve(store.Home));
        if (platform.Source is { } source)
        {
            if (local) throw ErrorCatalog.InvalidValue("Source", source, $"the platform's web server '@{platform.WebServerName}' is this machine, where the code is kept at its root", "Leave out -Source, and give the folder as -Root.");
            if (!Directory.Exists(source)) throw ErrorCatalog.InvalidValue("Source", source, "there is no such folder on this machine", "Give the folder of this machine the codebase is kept in.");
            Contexts.PlatformRoots.Check(source, IO.Posix.Resolve(source), IO.Posix.Resolve(store.Home));
        }
        // Held apart from every platform on the same machine, whichever server record it is under.
        var machine = MachineKeys.Of(store, platform.WebServerName);
        var keys = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        bool SameMachine(string server) => server == platform.WebServerName
            || (keys.TryGetValue(server, out var known) ? known : keys[server] = MachineKeys.Of(store, server)).Overlaps(machine);
        Contexts.PlatformRoots.CheckApart(platform.Root, resolved, store.List(ContextType.Platform).Contexts.Cast<AegirPlatform>()
            .Where(other => other.Name != platform.Name && SameMachine(other.WebServerName))
            .Select(other => (other.Name, other.Root, Leads(other.Root))));
    }

    /// <summary>
    /// A service's port must be its own: the web server and the database of one machine never share one, and on this
    /// machine a port that another program already listens on is refused when it is given (its own program may hold it).
    /// </summary>
    static void CheckPorts(AegirServer server, AegirServer? previous)
    {
        bool dbHere = !server.Db.IsNull && (server.Db.Get("host") is null or "127.0.0.1" or "localhost" or "::1" || server.Db.Get("host") == server.RemoteHost);
        if (!server.Http.IsNull && dbHere && server.Http.GetInt("port") == server.Db.GetInt("port"))
            throw ErrorCatalog.InvalidValue("HttpPort", server.Http.Get("port"), "the server's database listens on that port", "Give the web server and the database a port each.");
        var https = !server.Http.IsNull && server.Http.GetInfo().Find("https_port") is not null;
        if (https && server.Http.GetInt("https_port") == server.Http.GetInt("port"))
            throw ErrorCatalog.InvalidValue("https_port", server.Http.Get("https_port"), "the web server's HTTP port is the same", "Give HTTP and HTTPS a port each (443 for HTTPS unless it is taken).");
        if (!Contexts.ThisMachine.Is(server)) return;
        if (https && previous is { Http.IsNull: false } && previous.Http.Type == server.Http.Type && previous.Http.Get("https_port") != server.Http.Get("https_port"))
            CheckListener("https_port", server.Http.GetInt("https_port"), server.Http.GetInfo().Programs);
        if (!server.Http.IsNull && (previous is null || previous.Http.Type != server.Http.Type || previous.Http.Get("port") != server.Http.Get("port")))
            CheckListener("HttpPort", server.Http.GetInt("port"), server.Http.GetInfo().Programs);
        if (dbHere && (previous is null || previous.Db.Type != server.Db.Type || previous.Db.Get("port") != server.Db.Get("port")))
            CheckListener("DbPort", server.Db.GetInt("port"), server.Db.GetInfo().Programs);
    }

    /// <summary>
    /// On this machine a PHP-FPM socket that is there when it is given must be a socket: the web server would pass
    /// every PHP request to a file or folder and answer 502. One not there yet (PHP-FPM not started) is checked by
    /// server verify.
    /// </summary>
    static void CheckPhpSocket(AegirServer server, AegirServer? previous)
    {
        if (server.Http.IsNull || server.Http.Get("php_fpm_socket") is not { } socket || previous is { Http.IsNull: false } && previous.Http.Get("php_fpm_socket") == socket) return;
        if (!Contexts.ThisMachine.Is(server) || IO.Posix.RealPath(socket) is not { } real) return;
        if (IO.Posix.Stat(real) is { IsSocket: false } status)
            throw ErrorCatalog.InvalidValue($"The {server.Http.Type} setting 'php_fpm_socket'", socket,
                $"{(real == socket ? "it" : $"it leads to {real}, which")} is a {(status.IsDirectory ? "folder" : "file")}, not a socket, so every PHP request would fail",
                "Give the socket PHP-FPM listens on (its pool's 'listen'), such as /run/php/php8.2-fpm.sock.");
    }

    /// <summary>
    /// Another machine's database is never this one's: a database host of a remote server that leads here would
    /// hand its admin password to whatever listens here.
    /// </summary>
    static void CheckDbHost(AegirServer server)
    {
        if (server.Db.IsNull || server.Db.Get("host") is not { } host || Contexts.ThisMachine.Is(server) || !Contexts.ThisMachine.IsAddress(host)) return;
        throw ErrorCatalog.InvalidValue("DbHost", host, $"it is this machine, while '@{server.Name}' is another ({server.RemoteHost})",
            $"Give the address its database listens on as '@{server.Name}' is reached (leave -DbHost out for {server.RemoteHost}).");
    }

    static void CheckListener(string parameter, int port, IReadOnlyList<string> own)
    {
        if (IO.Listeners.On(port) is { Program: { } program } listener && !own.Contains(program))
            throw ErrorCatalog.InvalidValue(parameter, port.ToString(), $"{program} (process {listener.ProcessId}) listens on that port already",
                "Choose a free port, or stop that program first.");
    }

    static void CheckServerInUse(ContextStore store, AegirServer server)
    {
        foreach (var referrer in store.FindReferrers(server.Name))
            foreach (var reference in referrer.References())
                if (reference.Name == server.Name && reference.Service is { } service && server.Service(service).IsNull)
                    throw ErrorCatalog.ContextInUse(server.Name, [referrer.Name + $" (needs its {service} service)"]);
    }
}
