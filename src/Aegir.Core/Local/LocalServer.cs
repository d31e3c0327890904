using System.Net.Sockets;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.IO;
using Aegir.Core.Services;
using Aegir.Core.Services.MySql;
using Aegir.Core.Transport;
using MySqlConnector;

namespace Aegir.Core.Local;

/// <summary>
/// Private instances of MariaDB, PHP-FPM and nginx or Apache under <c>$AEGIR_HOME/local/&lt;server&gt;</c>,
/// on 127.0.0.1 ports: a sandbox on a laptop, the demo, and the integration tests. They differ from a
/// production server only in the server context this fills in (ports, sockets, reload and test commands).
/// </summary>
public sealed class LocalServer
{
    public const string AdminUser = "aegir_admin";
    const UnixFileMode Traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    readonly string _home;
    readonly ITransport _sh = new LocalTransport();

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

    public static IReadOnlyList<string> RequiredPackages(string httpType, bool database)
    {
        // procps: ps, with which a reload is seen to take effect.
        var list = new List<string> { "php8.2-fpm", "php8.2-cli", "php-mysql", "procps" };
        list.Add(httpType == "apache" ? "apache2" : "nginx");
        if (database) list.AddRange(["mariadb-server", "mariadb-client"]);
        return list;
    }

    /// <summary>
    /// Starts (installing missing packages) what is not running yet, and returns the change that points a server's
    /// services at the instances: its record is changed under its lock by the caller, never here.
    /// </summary>
    public Action<AegirServer> Start(AegirServer current, string httpType, int httpPort, int dbPort, bool database, Action<string> log)
    {
        if (httpType is not ("nginx" or "apache"))
            throw ErrorCatalog.InvalidValue("HttpServiceType", httpType, "a local server runs nginx or apache", "Choose -HttpServiceType nginx or apache.");
        Packages.Ensure(RequiredPackages(httpType, database), log);
        AtomicFile.EnsureHome(_home);
        MakeTraversable(Path.Combine(_home, "local"));
        MakeTraversable(Root);

        Action<AegirServer> db = _ => { };
        if (database)
        {
            dbPort = PickPort(dbPort, current.Db.IsNull ? null : current.Db.Get("port"));
            var password = StartMariaDb(dbPort, current.Db.IsNull ? null : current.Db.RevealSecret("admin_password"), log);
            var port = dbPort;
            db = server =>
            {
                server.Db.ChangeType("mysql");
                server.Db.Set("host", "127.0.0.1");
                server.Db.Set("port", port.ToString());
                server.Db.Set("admin_user", AdminUser);
                server.Db.Set("admin_password", password);
            };
        }

        var socket = StartPhpFpm(log);
        bool sameType = current.Http.Type == httpType;
        httpPort = PickPort(httpPort, sameType ? current.Http.Get("port") : null);
        if (!sameType && !current.Http.IsNull) StopWeb(current.Http.Type);
        var (start, test, reload) = httpType == "nginx" ? NginxCommands(httpPort) : ApacheCommands(httpPort);
        StartWeb(httpType, start, httpPort, log);
        var webGroup = IsRoot ? "www-data" : Posix.PrimaryGroup(Environment.UserName);
        var pidFile = Path.Combine(Dir(httpType), httpType + ".pid");
        var webPort = httpPort;
        return server =>
        {
            db(server);
            server.Http.ChangeType(httpType);
            server.Http.Set("port", webPort.ToString());
            server.Http.Set("listen_address", "127.0.0.1");
            server.Http.Set("php_fpm_socket", socket);
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
    public (AegirServer Server, Operations.TaskOutcome Verify) StartAndVerify(Operations.Engine engine, string httpType, int httpPort, int dbPort, bool database, Action<string> log)
    {
        var existing = engine.Store.ReadFresh(Name);
        if (existing is not null and not AegirServer)
            throw ErrorCatalog.WrongContextType(Name, ContextNames.Label(existing.Type), "server", "Name");
        var current = existing as AegirServer ?? new AegirServer(Name) { RemoteHost = "localhost", ScriptUser = AegirServer.LocalScriptUser() };
        var apply = Start(current, httpType, httpPort, dbPort, database, log);
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
    public IReadOnlyList<string> Describe(string httpType, bool database)
    {
        var lines = new List<string>();
        if (Packages.Missing(RequiredPackages(httpType, database)) is { Count: > 0 } missing) lines.Add($"install {string.Join(", ", missing)} with apt-get");
        if (database && !IsRunning("mysql")) lines.Add($"start MariaDB on 127.0.0.1 with its data in {Dir("mysql")}");
        if (!IsRunning("php")) lines.Add($"start PHP-FPM with its socket in {Dir("php")}");
        if (!IsRunning(httpType)) lines.Add($"start {httpType} on 127.0.0.1 with its config in {Dir(httpType)}");
        lines.Add($"record @{Name} with these instances as its services");
        lines.Add($"verify @{Name}");
        return lines;
    }

    /// <summary>Stops every instance of this server; their data stays for the next start.</summary>
    public void Stop(Action<string> log)
    {
        foreach (var web in new[] { "nginx", "apache" }) StopWeb(web);
        Daemon.Stop(Path.Combine(Dir("php"), "php-fpm.pid"), "QUIT");
        Daemon.Stop(Path.Combine(Dir("mysql"), "mariadbd.pid"));
        log($"Stopped the local instances of '@{Name}'.");
    }

    public bool IsRunning(string part) => part switch
    {
        "mysql" => Daemon.RunningPid(Path.Combine(Dir("mysql"), "mariadbd.pid")) is not null,
        "php" => Daemon.RunningPid(Path.Combine(Dir("php"), "php-fpm.pid")) is not null,
        _ => Daemon.RunningPid(Path.Combine(Dir(part), part + ".pid")) is not null,
    };

    /// <summary>Removes the instances' files (databases included) after stopping them.</summary>
    public void Delete(Action<string> log)
    {
        Stop(log);
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }

    // --- MariaDB ---

    string StartMariaDb(int port, string? password, Action<string> log)
    {
        var dir = Dir("mysql");
        var data = Path.Combine(dir, "data");
        var sock = Path.Combine(dir, "mariadbd.sock");
        var pid = Path.Combine(dir, "mariadbd.pid");
        AtomicFile.EnsurePrivateDirectory(dir);
        var user = IsRoot ? new[] { "--user=root" } : [];
        if (!Directory.Exists(Path.Combine(data, "mysql")))
        {
            // root (and, when not run as root, an account named for whoever runs this) reaches the server only
            // through its unix socket, as that system user: never over TCP, never without being that user.
            log($"Creating a MariaDB data folder in {data}.");
            Run("mariadb-install-db", ["--no-defaults", .. user, $"--datadir={data}", "--auth-root-authentication-method=socket",
                $"--auth-root-socket-user={SocketUser}", "--skip-test-db"], "Creating the MariaDB data folder", TimeSpan.FromMinutes(3));
        }
        if (Daemon.RunningPid(pid) is null)
        {
            log($"Starting MariaDB on 127.0.0.1:{port}.");
            Run("start-stop-daemon", ["--start", "--background", "--pidfile", pid, "--make-pidfile", "--exec", "/usr/sbin/mariadbd", "--",
                "--no-defaults", .. user, $"--datadir={data}", $"--socket={sock}", $"--port={port}", "--bind-address=127.0.0.1",
                $"--pid-file={pid}", $"--log-error={Path.Combine(dir, "error.log")}", "--skip-name-resolve"], "Starting MariaDB");
            if (!Daemon.WaitFor(() => CanConnect(sock), StartTimeout))
                throw ErrorCatalog.StepFailed("Starting MariaDB", Tail(Path.Combine(dir, "error.log")), $"See {Path.Combine(dir, "error.log")}.");
        }
        password ??= Passwords.New();
        using var conn = OpenSocket(sock) ?? throw ErrorCatalog.StepFailed("Connecting to MariaDB over its socket", $"neither {SocketUser} nor root may connect", $"See {Path.Combine(dir, "error.log")}.");
        // A data folder made by an older version let root in over TCP without a password: lock that down too.
        MySqlService.RestrictRootToSocket(conn, SocketUser);
        MySqlService.EnsureAdmin(conn, AdminUser, password, ["127.0.0.1", "localhost"]);
        return password;
    }

    /// <summary>The system user that may reach MariaDB's socket as its superuser.</summary>
    static string SocketUser => IsRoot ? "root" : AegirServer.LocalScriptUser();

    /// <summary>A superuser connection over the socket: as the socket user, else (a data folder of an older version) as root.</summary>
    static MySqlConnection? OpenSocket(string sock, uint timeout = 10)
    {
        if (!File.Exists(sock)) return null;
        foreach (var user in new[] { SocketUser, "root" }.Distinct())
        {
            var conn = new MySqlConnection(new MySqlConnectionStringBuilder { Server = sock, ConnectionProtocol = MySqlConnectionProtocol.UnixSocket, UserID = user, ConnectionTimeout = timeout }.ConnectionString);
            try
            {
                conn.Open();
                return conn;
            }
            catch (MySqlException) { conn.Dispose(); }
        }
        return null;
    }

    static bool CanConnect(string sock)
    {
        using var conn = OpenSocket(sock, 2);
        return conn is not null;
    }

    // --- PHP-FPM ---

    string StartPhpFpm(Action<string> log)
    {
        var dir = Dir("php");
        MakeTraversable(dir);
        var sock = Path.Combine(dir, "php-fpm.sock");
        var pid = Path.Combine(dir, "php-fpm.pid");
        var conf = Path.Combine(dir, "php-fpm.conf");
        var pool = IsRoot
            ? "user = www-data\ngroup = www-data\nlisten.owner = www-data\nlisten.group = www-data\nlisten.mode = 0660\n"
            : "listen.mode = 0666\n";
        File.WriteAllText(conf, $"""
            ; Private PHP-FPM of @{Name}, written by Aegir.
            [global]
            pid = {pid}
            error_log = {Path.Combine(dir, "error.log")}
            daemonize = yes

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
                throw ErrorCatalog.StepFailed("Starting PHP-FPM", Tail(Path.Combine(dir, "error.log")), $"See {Path.Combine(dir, "error.log")}.");
        }
        return sock;
    }

    static string PhpFpmBinary()
        => Directory.GetFiles("/usr/sbin", "php-fpm*").Order().LastOrDefault()
           ?? throw ErrorCatalog.StepFailed("Starting PHP-FPM", "no php-fpm program in /usr/sbin", "Install it: apt-get install php8.2-fpm");

    // --- nginx and Apache ---

    (string Start, string Test, string Reload) NginxCommands(int port)
    {
        var dir = Dir("nginx");
        var conf = Path.Combine(dir, "nginx.conf");
        var err = Path.Combine(dir, "error.log");
        MakeTraversable(dir);
        Directory.CreateDirectory(Path.Combine(dir, "tmp"));
        File.WriteAllText(conf, $$"""
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
                server { listen 127.0.0.1:{{port}} default_server; server_name _; return 404; }
                include {{ConfigPath}}/nginx*.conf;
            }
            """);
        var baseCmd = $"nginx -c {conf} -e {err}";
        return (baseCmd, baseCmd + " -t", baseCmd + " -s reload");
    }

    (string Start, string Test, string Reload) ApacheCommands(int port)
    {
        var dir = Dir("apache");
        var conf = Path.Combine(dir, "apache2.conf");
        MakeTraversable(dir);
        Directory.CreateDirectory(Path.Combine(dir, "run"));
        var modules = string.Join('\n', new[] { "mpm_event", "authz_core", "authz_host", "dir", "mime", "env", "setenvif", "rewrite", "alias", "headers", "proxy", "proxy_fcgi" }
            .Select(m => $"LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so"));
        File.WriteAllText(conf, $"""
            # Private Apache of @{Name}, written by Aegir. Sites and platforms come from the include at the end.
            ServerRoot "{dir}"
            ServerName localhost
            PidFile {Path.Combine(dir, "apache.pid")}
            DefaultRuntimeDir {Path.Combine(dir, "run")}
            Mutex file:{Path.Combine(dir, "run")} default
            ErrorLog {Path.Combine(dir, "error.log")}
            LogLevel warn
            Listen 127.0.0.1:{port}
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
        Run(spec.Program, spec.Arguments, $"Starting {type}");
        if (!Daemon.WaitFor(() => PortOpen(port), StartTimeout))
            throw ErrorCatalog.StepFailed($"Starting {type}", Tail(Path.Combine(Dir(type), "error.log")), $"See {Path.Combine(Dir(type), "error.log")}.");
    }

    void StopWeb(string type) => Daemon.Stop(Path.Combine(Dir(type), type + ".pid"), type == "nginx" ? "QUIT" : "TERM");

    // --- helpers ---

    static bool IsRoot => Posix.IsRoot;

    int PickPort(int requested, string? previous)
    {
        if (requested > 0) return Validate.Port("Port", requested);
        return int.TryParse(previous, out var p) && p > 0 ? p : Daemon.FreePort();
    }

    static bool PortOpen(int port)
    {
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync("127.0.0.1", port).Wait(500) && client.Connected;
        }
        catch (AggregateException) { return false; }
        catch (SocketException) { return false; }
    }

    static void MakeTraversable(string dir)
    {
        if (!Directory.Exists(dir)) Directory.CreateDirectory(dir, Traversable);
        var mode = File.GetUnixFileMode(dir);
        if ((mode & UnixFileMode.OtherExecute) == 0) File.SetUnixFileMode(dir, mode | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    void Run(string program, IReadOnlyList<string> args, string what, TimeSpan? timeout = null)
    {
        var result = _sh.Run(new CommandSpec(program, args) { Timeout = timeout ?? TimeSpan.FromMinutes(1) });
        if (!result.Succeeded) throw ErrorCatalog.StepFailed(what, result.Summary(), $"Command: {program} {string.Join(' ', args)}");
    }

    static string Tail(string file)
    {
        try { return string.Join('\n', File.ReadLines(file).TakeLast(8)); }
        catch (IOException) { return "it did not start in time and left no log"; }
    }
}
