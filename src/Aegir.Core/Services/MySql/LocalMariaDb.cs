using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.IO;
using Aegir.Core.Local;
using MySqlConnector;

namespace Aegir.Core.Services.MySql;

/// <summary>
/// A private MariaDB in <paramref name="dir"/>: root reaches it only through its unix socket as the system's root
/// (or whoever runs the module), never over TCP; the module's admin account over 127.0.0.1 with a password.
/// </summary>
public sealed class LocalMariaDb(string dir) : ILocalDatabase
{
    public const string AdminUser = "aegir_admin";

    string Data => Path.Combine(dir, "data");
    string Socket => Path.Combine(dir, "mariadbd.sock");
    string PidFile => Path.Combine(dir, "mariadbd.pid");
    string Log => Path.Combine(dir, "error.log");

    public IReadOnlyList<string> Packages => ["mariadb-server", "mariadb-client", "php-mysql"];
    public bool IsRunning => Daemon.RunningPid(PidFile) is not null;
    public string Description => $"start MariaDB on 127.0.0.1 with its data in {dir}";

    public IReadOnlyDictionary<string, string> Start(int port, string? password, Action<string> log)
    {
        AtomicFile.EnsurePrivateDirectory(dir);
        var user = LocalProcess.IsRoot ? new[] { "--user=root" } : [];
        if (!Directory.Exists(Path.Combine(Data, "mysql")))
        {
            // root (and, when not run as root, an account named for whoever runs this) reaches the server only
            // through its unix socket, as that system user: never over TCP, never without being that user.
            log($"Creating a MariaDB data folder in {Data}.");
            LocalProcess.Run("mariadb-install-db", ["--no-defaults", .. user, $"--datadir={Data}", "--auth-root-authentication-method=socket",
                $"--auth-root-socket-user={SocketUser}", "--skip-test-db"], "Creating the MariaDB data folder", TimeSpan.FromMinutes(3));
        }
        if (!IsRunning)
        {
            log($"Starting MariaDB on 127.0.0.1:{port}.");
            LocalProcess.Run("start-stop-daemon", ["--start", "--background", "--pidfile", PidFile, "--make-pidfile", "--exec", "/usr/sbin/mariadbd", "--",
                "--no-defaults", .. user, $"--datadir={Data}", $"--socket={Socket}", $"--port={port}", "--bind-address=127.0.0.1",
                $"--pid-file={PidFile}", $"--log-error={Log}", "--skip-name-resolve"], "Starting MariaDB");
            if (!Daemon.WaitFor(() => CanConnect(Socket), LocalProcess.StartTimeout))
                throw ErrorCatalog.StepFailed("LocalServiceFailed", "Starting MariaDB", LocalProcess.Tail(Log), $"See {Log}.");
        }
        password ??= Passwords.New();
        using var conn = OpenSocket(Socket) ?? throw ErrorCatalog.StepFailed("LocalServiceFailed", "Connecting to MariaDB over its socket", $"neither {SocketUser} nor root may connect", $"See {Log}.");
        // A data folder made by an older version let root in over TCP without a password: lock that down too.
        MySqlService.RestrictRootToSocket(conn, SocketUser);
        MySqlService.EnsureAdmin(conn, AdminUser, password, ["127.0.0.1", "localhost"]);
        return new Dictionary<string, string>
        {
            ["host"] = "127.0.0.1", ["port"] = port.ToString(), ["admin_user"] = AdminUser, ["admin_password"] = password,
        };
    }

    public void Stop() => Daemon.Stop(PidFile);

    /// <summary>The system user that may reach MariaDB's socket as its superuser.</summary>
    static string SocketUser => LocalProcess.IsRoot ? "root" : AegirServer.LocalScriptUser();

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
}
