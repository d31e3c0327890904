using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.IO;
using Aegir.Core.Machine;
using Aegir.Core.Services;
using Aegir.Core.Transport;

namespace Aegir.Core.Local;

/// <summary>
/// Private instances of a database (MariaDB or PostgreSQL, as the db service type's folder provides), PHP-FPM and
/// nginx or Apache under <c>$AEGIR_HOME/local/&lt;server&gt;</c>, on 127.0.0.1 ports: a sandbox on a laptop, the demo,
/// and the integration tests. They differ from a production server only in the server context this fills in
/// (ports, sockets, reload and test commands). The web server's users may pass through their folders to the sockets
/// and temp folders they need; the script user, in the web group, can list or read nothing there.
/// </summary>
public sealed class LocalServer
{
    static readonly TimeSpan StartTimeout = LocalProcess.StartTimeout;

    readonly string _home;

    public LocalServer(string home, string serverName)
    {
        _home = home;
        Name = serverName;
        Root = Path.Combine(home, "local", serverName);
    }

    public string Name { get; }
    public string Root { get; }
    string ConfigPath => Path.Combine(_home, "config", Name);
    string Dir(string part) => Path.Combine(Root, part);

    /// <summary>The db service types that can run here as a private instance.</summary>
    public static IReadOnlyList<string> DbTypes
        => ServiceCatalog.TypesOf(ServiceCatalog.Db).Where(t => ServiceCatalog.Get(ServiceCatalog.Db, t).Local is not null).ToList();

    /// <summary>The private instance of a db service type, in its own folder.</summary>
    ILocalDatabase LocalDb(string type)
        => ServiceCatalog.Get(ServiceCatalog.Db, type).Local is { } make ? (ILocalDatabase)make(Dir(type))
            : throw ErrorCatalog.InvalidValue("DbServiceType", type, "it has no local instance", $"Choose one of {string.Join(", ", DbTypes)}, or -NoDatabase.");

    public IReadOnlyList<string> RequiredPackages(string httpType, string? dbType)
    {
        // procps: ps, with which a reload is seen to take effect; acl: setfacl, for a client's group on its sites' folders and the folders sites share.
        var list = new List<string> { "php8.2-fpm", "php8.2-cli", "php-mysql", "procps", "acl" };
        list.Add(httpType == "apache" ? "apache2" : "nginx");
        if (dbType is not null) list.AddRange(LocalDb(dbType).Packages);
        return list.Distinct().ToList();
    }

    /// <summary>
    /// Starts (installing missing packages) what is not running yet, and returns the change that points a server's
    /// services at the instances: its record is changed under its lock by the caller, never here.
    /// </summary>
    public Action<AegirServer> Start(AegirServer current, string httpType, int httpPort, int dbPort, string? dbType, Action<string> log, int httpsPort = 0, string? listenAddress = null)
    {
        if (httpType is not ("nginx" or "apache"))
            throw ErrorCatalog.InvalidValue("HttpServiceType", httpType, "a local server runs nginx or apache", "Choose -HttpServiceType nginx or apache.");
        var listen = ListenAddressFor(current, httpType, listenAddress);
        var localDb = dbType is null ? null : LocalDb(dbType);
        Packages.Ensure(RequiredPackages(httpType, dbType), log);
        AtomicFile.EnsureHome(_home);
        LocalProcess.MakeTraversable(Path.Combine(_home, "local"));
        LocalProcess.MakeTraversable(Root);

        Action<AegirServer> db = _ => { };
        if (localDb is not null)
        {
            var sameDb = !current.Db.IsNull && current.Db.Type == dbType;
            dbPort = PickPort(dbPort, sameDb ? current.Db.Get("port") : null);
            if (!sameDb && !current.Db.IsNull && ServiceCatalog.Get(ServiceCatalog.Db, current.Db.Type).Local is { } previous) ((ILocalDatabase)previous(Dir(current.Db.Type))).Stop();
            var settings = localDb.Start(dbPort, sameDb ? current.Db.RevealSecret("admin_password") : null, log);
            db = server =>
            {
                server.Db.ChangeType(dbType!);
                foreach (var (key, value) in settings) server.Db.Set(key, value);
            };
        }

        var (socket, fpmTest) = StartPhpFpm(log);
        bool sameType = current.Http.Type == httpType;
        httpPort = PickPort(httpPort, sameType ? current.Http.Get("port") : null);
        // A record of before https_port was a setting holds none: a free port then, not the default 443.
        httpsPort = PickPort(httpsPort, sameType && current.Http.Settings.TryGetValue("https_port", out var https) ? https : null, avoid: httpPort);
        if (httpsPort == httpPort)
            throw ErrorCatalog.InvalidValue("HttpsPort", httpsPort.ToString(), "it is the HTTP port too", "Give HTTP and HTTPS a port each.");
        if (!sameType && !current.Http.IsNull) StopWeb(current.Http.Type);
        var (start, test, reload) = httpType == "nginx" ? NginxCommands(httpPort, listen) : ApacheCommands(httpPort, httpsPort, listen);
        StartWeb(httpType, start, httpPort, log);
        var webGroup = IsRoot ? "www-data" : Posix.PrimaryGroup(Environment.UserName);
        var scriptUser = LocalScriptUser.Ensure(current.ScriptUser, webGroup, log);
        foreach (var part in new[] { "php", "nginx", "apache" }) KeepPrivate(Dir(part));
        var pidFile = Path.Combine(Dir(httpType), httpType + ".pid");
        var webPort = httpPort;
        var tlsPort = httpsPort;
        var acme = Dir("acme");
        Directory.CreateDirectory(acme);
        LocalProcess.MakeTraversable(acme);
        return server =>
        {
            db(server);
            server.ScriptUser = scriptUser;
            server.Http.ChangeType(httpType);
            server.Http.Set("port", webPort.ToString());
            server.Http.Set("https_port", tlsPort.ToString());
            server.Http.Set("acme_webroot", acme);
            server.Http.Set("listen_address", listen);
            server.Http.Set("php_fpm_socket", socket);
            // As root each site gets a pool and an account of its own (unless the record says shared); without root every site shares the one pool.
            if (!IsRoot) server.Http.Set("php_pools", "shared");
            server.Http.Set("php_fpm_pool_dir", PoolDir);
            server.Http.Set("php_fpm_pid_file", Path.Combine(Dir("php"), "php-fpm.pid"));
            server.Http.Set("php_fpm_test_command", fpmTest);
            server.Http.Set("php_site_dir", Path.Combine(Dir("php"), "sites"));
            server.Http.Set("web_user", IsRoot ? "www-data" : Environment.UserName);
            server.Http.Set("web_group", webGroup);
            server.Http.Set("restart_command", reload);
            server.Http.Set("pid_file", pidFile);
            server.Http.Set("config_test_command", test);
        };
    }

    /// <summary>
    /// Starts the instances, records the server (created, or changed under its lock) with them as its services,
    /// and verifies it. Returns the server as recorded and the verify task.
    /// </summary>
    public (AegirServer Server, Operations.TaskOutcome Verify) StartAndVerify(Operations.Engine engine, string httpType, int httpPort, int dbPort, string? dbType, Action<string> log, int httpsPort = 0, string? listenAddress = null)
    {
        var existing = engine.Store.ReadFresh(Name);
        if (existing is not null and not AegirServer)
            throw ErrorCatalog.WrongContextType(Name, ContextNames.Label(existing.Type), "server", "Name");
        var current = existing as AegirServer ?? new AegirServer(Name) { RemoteHost = "localhost", ScriptUser = AegirServer.LocalScriptUser() };
        var apply = Start(current, httpType, httpPort, dbPort, dbType, log, httpsPort, listenAddress);
        if (existing is null)
        {
            apply(current);
            engine.Create(current);
        }
        else engine.Edit<AegirServer>(Name, "Name", apply);
        var verify = engine.Run(new Operations.Server.VerifyServer.Parameters(Name));
        return (engine.Store.GetFresh<AegirServer>(Name, "Name"), verify);
    }

    /// <summary>What <see cref="StartAndVerify"/> would do, one line each, for -WhatIf.</summary>
    public IReadOnlyList<string> Describe(string httpType, string? dbType)
    {
        var lines = new List<string>();
        if (Packages.Missing(RequiredPackages(httpType, dbType)) is { Count: > 0 } missing) lines.Add($"install {string.Join(", ", missing)} with apt-get");
        if (dbType is not null && LocalDb(dbType) is { IsRunning: false } db) lines.Add(db.Description);
        if (IsRoot && Transport.UserAccount.Find(new LocalTransport(), AegirServer.DefaultScriptUser) is null)
            lines.Add($"make the script user {AegirServer.DefaultScriptUser}: {string.Join(' ', Transport.ScriptUser.AddCommand(AegirServer.DefaultScriptUser, "www-data"))}");
        if (!IsRunning("php")) lines.Add($"start PHP-FPM with its socket in {Dir("php")}");
        if (!IsRunning(httpType)) lines.Add($"start {httpType} with its config in {Dir(httpType)}");
        lines.Add($"record @{Name} with these instances as its services");
        lines.Add($"verify @{Name}");
        return lines;
    }

    /// <summary>Stops every instance of this server; their data stays for the next start.</summary>
    public void Stop(Action<string> log)
    {
        foreach (var web in new[] { "nginx", "apache" }) StopWeb(web);
        Daemon.Stop(Path.Combine(Dir("php"), "php-fpm.pid"), "QUIT");
        foreach (var type in DbTypes) LocalDb(type).Stop();
        log($"Stopped the local instances of '@{Name}'.");
    }

    public bool IsRunning(string part) => part switch
    {
        "php" => Daemon.RunningPid(Path.Combine(Dir("php"), "php-fpm.pid")) is not null,
        "nginx" or "apache" => Daemon.RunningPid(Path.Combine(Dir(part), part + ".pid")) is not null,
        _ => LocalDb(part).IsRunning,
    };

    /// <summary>Removes the instances' files (databases included) after stopping them.</summary>
    public void Delete(Action<string> log)
    {
        Stop(log);
        RemoveSiteAccounts(log);
        RemoveClientGroups(log);
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }

    // --- PHP-FPM ---

    /// <summary>The accounts of the sites whose pools this server ran: they go with its data, as their sites do.</summary>
    void RemoveSiteAccounts(Action<string> log)
    {
        if (!IsRoot || !Directory.Exists(PoolDir)) return;
        using var local = new LocalTransport();
        foreach (var pool in Directory.EnumerateFiles(PoolDir, "aegir-*.conf"))
        {
            // The account a pool runs as: its site's own, or its client's (removed with the first of its sites' pools).
            var user = File.ReadLines(pool).Take(10).FirstOrDefault(l => l.StartsWith("user = ", StringComparison.Ordinal))?[7..].Trim();
            if (user is null || Services.Php.SiteAccount.CommentOf(local, user) is not { } comment || Services.Php.PhpAccount.Ours(user, comment, _home) is not { } account) continue;
            Services.Php.SiteAccount.Remove(local, account, log: log);
            log($"Removed the account {user} of {account.Of}.");
        }
    }

    /// <summary>
    /// The client groups the module made for this home on this server, by its notes (still with the number they were
    /// made with): they go with its data. A group it did not make, or one someone besides the client's people is in, stays.
    /// </summary>
    void RemoveClientGroups(Action<string> log)
    {
        if (!IsRoot) return;
        using var local = new LocalTransport();
        var store = new ContextStore(_home);
        foreach (var mark in Operations.Client.ClientGroupMark.On(_home, Name))
        {
            if (!mark.Made || UnixGroups.Id(local, mark.Group) is not { } gid || gid != mark.Gid) continue;
            var people = store.TryGet(mark.Client) is AegirClient client ? client.People : [];
            var others = UnixGroups.Members(local, mark.Group).Except(people).Concat(UnixGroups.PrimaryOf(local, gid)).ToList();
            if (others.Count > 0) { log($"Kept the group {mark.Group}: {string.Join(", ", others)} {(others.Count == 1 ? "is" : "are")} in it."); continue; }
            UnixGroups.Delete(local, mark.Group, Name);
            Operations.Client.ClientGroupMark.Forget(_home, Name, mark.Group);
            log($"Removed the group {mark.Group} the module made for {mark.Client}.");
        }
    }

    /// <summary>The folder whose pools (each site's own) the private PHP-FPM includes.</summary>
    string PoolDir => Path.Combine(Dir("php"), "pool.d");

    /// <summary>Starts the private PHP-FPM (its shared pool, and every site's own from <see cref="PoolDir"/>); returns its shared socket and its config test.</summary>
    (string Socket, string Test) StartPhpFpm(Action<string> log)
    {
        var dir = Dir("php");
        LocalProcess.MakeTraversable(dir);
        Directory.CreateDirectory(PoolDir);
        File.SetUnixFileMode(PoolDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var sock = Path.Combine(dir, "php-fpm.sock");
        var pid = Path.Combine(dir, "php-fpm.pid");
        var conf = Path.Combine(dir, "php-fpm.conf");
        var pool = IsRoot
            ? "user = www-data\ngroup = www-data\nlisten.owner = www-data\nlisten.group = www-data\nlisten.mode = 0660\n"
            : "listen.mode = 0666\n";
        AtomicFile.WriteAllText(conf, $"""
            ; Private PHP-FPM of @{Name}, written by Aegir.
            [global]
            pid = {pid}
            error_log = {Path.Combine(dir, "error.log")}
            daemonize = yes
            ; A reload lets each worker finish its request first (0 would end them at once: a 502 for each).
            process_control_timeout = 10s
            include = {PoolDir}/*.conf

            [aegir]
            listen = {sock}
            {pool}pm = ondemand
            pm.max_children = 8
            pm.process_idle_timeout = 30s
            catch_workers_output = yes
            """);
        if (Daemon.RunningPid(pid) is null)
        {
            log("Starting PHP-FPM.");
            Run(PhpFpmBinary(), ["-R", "-y", conf], "Starting PHP-FPM");
            if (!Daemon.WaitFor(() => File.Exists(sock), StartTimeout))
                throw ErrorCatalog.StepFailed(ErrorIds.LocalServiceFailed, "Starting PHP-FPM", LocalProcess.Tail(Path.Combine(dir, "error.log")), $"See {Path.Combine(dir, "error.log")}.");
        }
        return (sock, $"{PhpFpmBinary()} -t -y {conf}");
    }

    static string PhpFpmBinary()
        => Directory.GetFiles("/usr/sbin", "php-fpm*").Order().LastOrDefault()
           ?? throw ErrorCatalog.StepFailed(ErrorIds.PackagesMissing, "Starting PHP-FPM", "no php-fpm program in /usr/sbin", "Install it: apt-get install php8.2-fpm");

    // --- nginx and Apache ---

    /// <summary>
    /// Where the web server listens: 127.0.0.1 (loopback alone, the default), or * (every address, IPv6 too where the
    /// kernel has it); an earlier start's when none is given. Chosen at the first start: neither nginx nor Apache moves
    /// a listener from one address to every address on the same port by a reload, so a change is refused.
    /// </summary>
    string ListenAddressFor(AegirServer current, string httpType, string? requested)
    {
        if (requested is not (null or "127.0.0.1" or "*"))
            throw ErrorCatalog.InvalidValue("ListenAddress", requested, "a local server listens on 127.0.0.1 or on every address", "Give -ListenAddress 127.0.0.1 (the default) or *.");
        // A value a start (or an admin) set, not the setting's default (*, a production server's).
        var recorded = current.Http.Type == httpType && current.Http.Settings.TryGetValue("listen_address", out var set) ? set : null;
        if (requested is null) return recorded is "*" ? "*" : "127.0.0.1";
        if (recorded is not null && recorded != requested && File.Exists(Path.Combine(ConfigPath, httpType + ".conf")))
            throw ErrorCatalog.InvalidValue("ListenAddress", requested, $"@{Name}'s {httpType} listens on {recorded}, and a reload cannot move its listeners to {requested}",
                $"Leave -ListenAddress out to keep {recorded}, or start it afresh: Stop-AegirLocalServer {Name} -RemoveData, then Start-AegirLocalServer {Name} -ListenAddress {requested}.");
        return requested;
    }

    (string Start, string Test, string Reload) NginxCommands(int port, string listen)
    {
        // Every address: IPv4 and, where the kernel has it, IPv6 (a bare port is IPv4 alone), as the vhosts listen.
        string[] listens = listen != "*" ? [$"{listen}:{port}"] : Ipv6 ? [port.ToString(), $"[::]:{port}"] : [port.ToString()];
        var dir = Dir("nginx");
        var conf = Path.Combine(dir, "nginx.conf");
        var err = Path.Combine(dir, "error.log");
        LocalProcess.MakeTraversable(dir);
        LocalProcess.MakeTraversable(Path.Combine(dir, "tmp"));
        AtomicFile.WriteAllText(conf, $$"""
            # Private nginx of @{{Name}}, written by Aegir. Sites and platforms come from the include at the end.
            {{(IsRoot ? "user www-data;" : "")}}
            worker_processes 1;
            pid {{Path.Combine(dir, "nginx.pid")}};
            error_log {{err}};
            events { worker_connections 256; }
            http {
                include /etc/nginx/mime.types;
                default_type application/octet-stream;
                access_log {{Path.Combine(dir, "access.log")}};
                client_body_temp_path {{Path.Combine(dir, "tmp", "body")}};
                fastcgi_temp_path {{Path.Combine(dir, "tmp", "fastcgi")}};
                proxy_temp_path {{Path.Combine(dir, "tmp", "proxy")}};
                uwsgi_temp_path {{Path.Combine(dir, "tmp", "uwsgi")}};
                scgi_temp_path {{Path.Combine(dir, "tmp", "scgi")}};
                server_names_hash_bucket_size 128;
                # Requests for a host no site answers to get a 404, not the first site.
                server { {{string.Join(' ', listens.Select(l => $"listen {l} default_server;"))}} server_name _; return 404; }
                include {{ConfigPath}}/nginx*.conf;
            }
            """);
        var baseCmd = $"nginx -c {conf} -e {err}";
        return (baseCmd, baseCmd + " -t", baseCmd + " -s reload");
    }

    (string Start, string Test, string Reload) ApacheCommands(int port, int httpsPort, string listen)
    {
        // A bare port binds one socket on [::] that takes IPv4 too (0.0.0.0 where the kernel has no IPv6).
        var at = listen == "*" ? "" : listen + ":";
        var dir = Dir("apache");
        var conf = Path.Combine(dir, "apache2.conf");
        LocalProcess.MakeTraversable(dir);
        LocalProcess.MakeTraversable(Path.Combine(dir, "run"));
        var modules = string.Join('\n', new[] { "mpm_event", "authz_core", "authz_host", "dir", "mime", "env", "setenvif", "rewrite", "alias", "headers", "proxy", "proxy_fcgi", "socache_shmcb", "ssl", "http2" }
            .Where(m => File.Exists($"/usr/lib/apache2/modules/mod_{m}.so"))
            .Select(m => $"LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so"));
        AtomicFile.WriteAllText(conf, $"""
            # Private Apache of @{Name}, written by Aegir. Sites and platforms come from the include at the end.
            ServerRoot "{dir}"
            ServerName localhost
            PidFile {Path.Combine(dir, "apache.pid")}
            DefaultRuntimeDir {Path.Combine(dir, "run")}
            Mutex file:{Path.Combine(dir, "run")} default
            ErrorLog {Path.Combine(dir, "error.log")}
            LogLevel warn
            Listen {at}{port}
            Listen {at}{httpsPort}
            {(IsRoot ? "User www-data\nGroup www-data" : "")}
            {modules}
            TypesConfig /etc/mime.types
            DirectoryIndex index.php index.html
            <Directory />
                AllowOverride None
                Require all denied
            </Directory>
            IncludeOptional {ConfigPath}/apache*.conf
            """);
        var baseCmd = $"apache2 -f {conf}";
        return (baseCmd + " -k start", baseCmd + " -t", baseCmd + " -k graceful");
    }

    void StartWeb(string type, string start, int port, Action<string> log)
    {
        if (IsRunning(type)) return;
        log($"Starting {type} on 127.0.0.1:{port}.");
        var spec = CommandSpec.Parse(start);
        // With umask 077 the logs and pid files it makes, now and on each reload, are its own alone.
        Run("/bin/sh", ["-c", "umask 077 && exec \"$@\"", "sh", spec.Program, .. spec.Arguments], $"Starting {type}");
        if (!Daemon.WaitFor(() => LocalProcess.PortOpen(port), StartTimeout))
            throw ErrorCatalog.StepFailed(ErrorIds.LocalServiceFailed, $"Starting {type}", LocalProcess.Tail(Path.Combine(Dir(type), "error.log")), $"See {Path.Combine(Dir(type), "error.log")}.");
    }

    void StopWeb(string type) => Daemon.Stop(Path.Combine(Dir(type), type + ".pid"), type == "nginx" ? "QUIT" : "TERM");

    // --- helpers ---

    static bool IsRoot => LocalProcess.IsRoot;

    static bool Ipv6
    {
        get
        {
            using var local = new LocalTransport();
            return Services.Http.KernelIpv6.On(local);
        }
    }

    /// <summary>The files in an instance's folder (config, logs, pid files) are root's alone; sockets and folders keep their modes.</summary>
    static void KeepPrivate(string dir)
    {
        if (!Directory.Exists(dir)) return;
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        foreach (var file in Directory.EnumerateFiles(dir).Where(f => !f.EndsWith(".sock", StringComparison.Ordinal)))
            if (Posix.Stat(file) is { IsLink: false } st && (st.Mode & others) != 0)
                File.SetUnixFileMode(file, st.Mode & ~others);
    }

    static int PickPort(int requested, string? previous, int avoid = 0)
    {
        if (requested > 0) return Validate.Port("Port", requested);
        if (int.TryParse(previous, out var p) && p > 0 && p != avoid) return p;
        for (var free = Daemon.FreePort(); ; free = Daemon.FreePort())
            if (free != avoid) return free;
    }

    static void Run(string program, IReadOnlyList<string> args, string what) => LocalProcess.Run(program, args, what);
}
