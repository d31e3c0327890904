using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.IO;
using MySqlConnector;
using Aegir.Core.Machine;

namespace Aegir.Core.Services.MySql;

/// <summary>
/// A private MariaDB in <paramref name="dir"/>: root reaches it only through its unix socket as the system's root
/// (or whoever runs the module), never over TCP; the module's admin account over 127.0.0.1 with a password. Run by
/// root, the server runs as the system's mysql account, never as root, and reads and writes no file for SQL
/// (LOAD_FILE, LOAD DATA INFILE, SELECT ... INTO OUTFILE): its secure_file_priv is a folder only root may enter.
/// </summary>
public sealed class LocalMariaDb(string dir) : ILocalDatabase
{
    public const string AdminUser = "aegir_admin";

    string Data => Path.Combine(dir, "data");
    string Socket => Path.Combine(dir, "mariadbd.sock");
    /// <summary>Written by start-stop-daemon as root; the server writes its own beside it, as its account.</summary>
    string PidFile => Path.Combine(dir, "mariadbd.pid");
    string Log => Path.Combine(dir, "error.log");
    /// <summary>Where SQL may read and write files: a folder the server's account cannot enter, so nowhere.</summary>
    string NoFiles => Path.Combine(dir, "no-files");
    /// <summary>Its temporary tables and files: its own, so nothing another program does in /tmp reaches them (nor they it).</summary>
    string Tmp => Path.Combine(dir, "tmp");
    /// <summary>The account the server runs as (and owns its files): mysql when this runs as root.</summary>
    static string? RunAs => LocalProcess.IsRoot ? "mysql" : null;

    public IReadOnlyList<string> Packages => ["mariadb-server", "mariadb-client", "php-mysql"];
    public bool IsRunning => Daemon.RunningPid(PidFile) is not null;
    public string Description => $"start MariaDB on 127.0.0.1 with its data in {dir}";

    public IReadOnlyDictionary<string, string> Start(int port, string? password, Action<string> log)
    {
        AtomicFile.EnsurePrivateDirectory(dir);
        AtomicFile.EnsurePrivateDirectory(NoFiles);
        AtomicFile.EnsurePrivateDirectory(Tmp);
        if (RunAs is { } account)
        {
            if (Posix.UserId(account) is null)
                throw ErrorCatalog.StepFailed(ErrorIds.PackagesMissing, "Starting MariaDB", $"there is no {account} account to run it as", "Install the mariadb-server package, which makes it.");
            // The server's own folder and data are its account's (a data folder of an older version was root's).
            Posix.Chown(dir, account, account);
            Posix.Chown(Tmp, account, account);
            if (Directory.Exists(Data)) OwnTree(Data, account);
        }
        var user = RunAs is { } runAs ? new[] { $"--user={runAs}" } : [];
        if (!Directory.Exists(Path.Combine(Data, "mysql")))
        {
            // root (and, when not run as root, an account named for whoever runs this) reaches the server only
            // through its unix socket, as that system user: never over TCP, never without being that user.
            log($"Creating a MariaDB data folder in {Data}.");
            LocalProcess.Run("mariadb-install-db", ["--no-defaults", .. user, $"--datadir={Data}", $"--tmpdir={Tmp}", "--auth-root-authentication-method=socket",
                $"--auth-root-socket-user={SocketUser}", "--skip-test-db"], "Creating the MariaDB data folder", TimeSpan.FromMinutes(3));
        }
        if (!IsRunning)
        {
            log($"Starting MariaDB on 127.0.0.1:{port}.");
            LocalProcess.Run("start-stop-daemon", ["--start", "--background", "--pidfile", PidFile, "--make-pidfile", "--exec", "/usr/sbin/mariadbd", "--",
                "--no-defaults", .. user, $"--datadir={Data}", $"--socket={Socket}", $"--port={port}", "--bind-address=127.0.0.1",
                $"--pid-file={Path.Combine(dir, "server.pid")}", $"--log-error={Log}", "--skip-name-resolve", $"--secure-file-priv={NoFiles}", $"--tmpdir={Tmp}", "--local-infile=0"], "Starting MariaDB");
            if (!Daemon.WaitFor(() => CanConnect(Socket), LocalProcess.StartTimeout))
                throw ErrorCatalog.StepFailed(ErrorIds.LocalServiceFailed, "Starting MariaDB", LocalProcess.Tail(Log), $"See {Log}.");
        }
        password ??= Passwords.New();
        using var conn = OpenSocket(Socket) ?? throw ErrorCatalog.StepFailed(ErrorIds.LocalServiceFailed, "Connecting to MariaDB over its socket", $"neither {SocketUser} nor root may connect", $"See {Log}.");
        // A data folder made by an older version let root in over TCP without a password: lock that down too.
        MySqlService.RestrictRootToSocket(conn, SocketUser);
        MySqlService.EnsureAdmin(conn, AdminUser, password, ["127.0.0.1", "localhost"]);
        return new Dictionary<string, string>
        {
            ["host"] = "127.0.0.1", ["port"] = port.ToString(), ["admin_user"] = AdminUser, ["admin_password"] = password,
        };
    }

    public void Stop() => Daemon.Stop(PidFile);

    /// <summary>Gives a folder and everything in it to <paramref name="account"/>, links themselves and not what they point to.</summary>
    static void OwnTree(string root, string account)
    {
        if (Posix.Stat(root) is { } st && Posix.UserName(st.Uid) == account) return;
        LocalProcess.Run("chown", ["-R", "--no-dereference", $"{account}:{account}", "--", root], "Giving the MariaDB data folder to " + account);
    }

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
