using System.Text;
using Aegir.Core.Errors;
using Aegir.Core.IO;
using Aegir.Core.Machine;

namespace Aegir.Core.Services.PostgreSql;

/// <summary>
/// A private PostgreSQL in <paramref name="dir"/>, run as the system's postgres account when the module runs as root
/// (PostgreSQL refuses root), else as whoever runs it. Its superuser is reached only through its socket as that
/// system user (peer); the module's admin account over 127.0.0.1 with a password.
/// </summary>
public sealed class LocalPostgreSql(string dir) : ILocalDatabase
{
    public const string AdminUser = "aegir_admin";

    string Data => Path.Combine(dir, "data");
    string Sockets => Path.Combine(dir, "run");
    string Log => Path.Combine(dir, "postgresql.log");
    string PidFile => Path.Combine(Data, "postmaster.pid");

    /// <summary>The system account PostgreSQL runs as, which is also its superuser's name.</summary>
    static string RunAs => LocalProcess.IsRoot ? "postgres" : Environment.UserName;

    public IReadOnlyList<string> Packages => ["postgresql", "postgresql-client", "php-pgsql"];
    public bool IsRunning => Daemon.RunningPid(PidFile) is not null;
    public string Description => $"start PostgreSQL on 127.0.0.1 with its data in {dir}";

    public IReadOnlyDictionary<string, string> Start(int port, string? password, Action<string> log)
    {
        var bin = Binaries();
        if (LocalProcess.IsRoot && Posix.UserId(RunAs) is null)
            throw ErrorCatalog.StepFailed(ErrorIds.PackagesMissing, "Starting PostgreSQL", "there is no postgres account to run it as", "Install the postgresql package, which makes it.");
        if (!Directory.Exists(dir)) Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (!Directory.Exists(Sockets)) Directory.CreateDirectory(Sockets, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (LocalProcess.IsRoot)
        {
            Posix.Chown(dir, RunAs, RunAs);
            Posix.Chown(Sockets, RunAs, RunAs);
        }
        if (!File.Exists(Path.Combine(Data, "PG_VERSION")))
        {
            log($"Creating a PostgreSQL data folder in {Data}.");
            As(Path.Combine(bin, "initdb"), ["--pgdata", Data, "--username", RunAs, "--encoding", "UTF8", "--locale", "C", "--auth-local", "peer", "--auth-host", "reject"],
                "Creating the PostgreSQL data folder", TimeSpan.FromMinutes(3));
            WriteOwned(Path.Combine(Data, "pg_hba.conf"),
                $"# Private PostgreSQL written by Aegir: its superuser through the socket as the system's {RunAs}, the module's admin over 127.0.0.1.\n" +
                $"local\tall\t{RunAs}\tpeer\n" +
                $"host\tall\t{AdminUser}\t127.0.0.1/32\tscram-sha-256\n");
            File.AppendAllText(Path.Combine(Data, "postgresql.conf"), "\ninclude_if_exists = 'aegir.conf'\n");
        }
        WriteOwned(Path.Combine(Data, "aegir.conf"),
            $"# Written by Aegir on each start.\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{Sockets}'\npassword_encryption = 'scram-sha-256'\n");
        if (!IsRunning)
        {
            log($"Starting PostgreSQL on 127.0.0.1:{port}.");
            As(Path.Combine(bin, "pg_ctl"), ["--pgdata", Data, "--log", Log, "--wait", "--timeout", "60", "start"], "Starting PostgreSQL", TimeSpan.FromSeconds(90));
            if (!Daemon.WaitFor(() => LocalProcess.PortOpen(port), LocalProcess.StartTimeout))
                throw ErrorCatalog.StepFailed(ErrorIds.LocalServiceFailed, "Starting PostgreSQL", LocalProcess.Tail(Log), $"See {Log}.");
        }
        password ??= Passwords.New();
        // Through the socket as the superuser; the password goes in as a SCRAM verifier on standard input.
        var sql = $"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{AdminUser}') THEN CREATE ROLE {AdminUser} LOGIN SUPERUSER; END IF; END $$;\n" +
                  $"ALTER ROLE {AdminUser} LOGIN SUPERUSER PASSWORD {PgQuoting.Literal(ScramVerifier.For(password))};\n";
        As(Path.Combine(bin, "psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "--host", Sockets, "--port", port.ToString(), "--dbname", "postgres", "-f", "-"],
            "Making the PostgreSQL admin account", TimeSpan.FromMinutes(1), Encoding.UTF8.GetBytes(sql));
        return new Dictionary<string, string>
        {
            ["host"] = "127.0.0.1", ["port"] = port.ToString(), ["admin_user"] = AdminUser, ["admin_password"] = password,
        };
    }

    public void Stop()
    {
        if (!IsRunning) return;
        As(Path.Combine(Binaries(), "pg_ctl"), ["--pgdata", Data, "--mode", "fast", "--wait", "stop"], "Stopping PostgreSQL", TimeSpan.FromSeconds(90));
    }

    /// <summary>The newest installed PostgreSQL's programs.</summary>
    static string Binaries()
        => (Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [])
               .Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl")))
               .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
           ?? throw ErrorCatalog.StepFailed(ErrorIds.PackagesMissing, "Starting PostgreSQL", "no PostgreSQL server programs in /usr/lib/postgresql", "Install them: apt-get install postgresql");

    /// <summary>Runs a PostgreSQL program as the account it runs as (runuser when that is not us).</summary>
    static void As(string program, IReadOnlyList<string> args, string what, TimeSpan timeout, byte[]? input = null)
    {
        if (LocalProcess.IsRoot) LocalProcess.Run("/usr/sbin/runuser", ["-u", RunAs, "--", program, .. args], what, timeout, input);
        else LocalProcess.Run(program, args, what, timeout, input);
    }

    static void WriteOwned(string path, string text)
    {
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (LocalProcess.IsRoot) Posix.Chown(path, RunAs, RunAs);
    }
}
