using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Services;
using Aegir.Core.Services.Nginx;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

/// <summary>
/// The engine over a fake server: a temp AEGIR_HOME with master (nginx and mysql types), the real nginx service
/// writing into a <see cref="FakeTransport"/>, and a <see cref="FakeDb"/>. Platforms' code lives in the fake too.
/// </summary>
public sealed class FakeHosting : IDisposable, IServiceFactory, ITransportFactory
{
    public readonly TestHome Home = new();
    public readonly FakeTransport Server;
    public readonly FakeDbState Databases = new();
    public readonly Engine Engine;

    public FakeHosting(ReloadBatch? batch = null, TaskBackend? backend = null)
    {
        Server = new FakeTransport();
        AnswerAsUsual();
        Home.Store.Remove("platform_wp");   // the test home's own; these tests make theirs in the fake server
        Server.CreateDirectory("/tmp", (UnixFileMode)Convert.ToInt32("1777", 8));
        // The server was verified: its config folders are there.
        foreach (var folder in new[] { "config", "config/server_master", "config/server_master/nginx", "config/server_master/nginx/platform.d", "config/server_master/nginx/vhost.d" })
            Server.CreateDirectory(Path.Combine(Home.Path, folder), (UnixFileMode)Convert.ToInt32("700", 8));
        Server.Put("/run/nginx.pid", "4242\n");   // the web server runs
        Server.CreateDirectory("/proc/4242", (UnixFileMode)Convert.ToInt32("555", 8));
        Engine = new Engine(Home.Store, null, batch, this, this, backend);
    }

    /// <summary>What df says the fake server's disk has free.</summary>
    public long FreeBytes { get; set; } = 1L << 40;

    public ContextStore Store => Home.Store;
    public TaskRunner Runner => Engine.Runner;

    public IHttpService Http(AegirServer server, IServiceEnvironment env) => server.IsCluster ? new Services.Cluster.ClusterService(server, env) : new NginxService(server, env);
    public IDbService Db(AegirServer server, IServiceEnvironment env) => new FakeDb(server, Databases);
    public ITransport Open(AegirServer server) => Server;

    /// <summary>Commands answer as they do when all goes well (after a test's handler of its own).</summary>
    public void AnswerAsUsual() => Server.Handler = Usual;

    /// <summary>How a command is answered when all goes well, for a test's handler to fall back on.</summary>
    public CommandResult Usual(CommandSpec spec) => spec.Program == "tar" ? FakeTar.Run(Server, spec) : Answer(spec);

    /// <summary>The applications' installers say they installed the site (WordPress's script in JSON, drush in its words).</summary>
    CommandResult Answer(CommandSpec run)
    {
        var spec = FakeTransport.Unwrapped(run);
        if (spec is { Program: "/bin/sh", Arguments: ["-c", Platforms.BuildShell.UmaskScript, ..] }) return Build(spec with { Program = spec.Arguments[2], Arguments = spec.Arguments.Skip(3).ToList() });
        return spec.Program switch
        {
            "df" => new CommandResult(0, $"  Avail\n{FreeBytes}\n", "", TimeSpan.Zero),
            "getent" when spec.Arguments.Count == 1 => FakeTransport.Ok,
            "getent" when spec.Arguments[0] == "passwd" => Server.Accounts.ContainsKey(spec.Arguments[^1])
                ? new CommandResult(0, $"{spec.Arguments[^1]}:x:1001:1001:{Server.Comments.GetValueOrDefault(spec.Arguments[^1])}:/home/{spec.Arguments[^1]}:/bin/bash\n", "", TimeSpan.Zero) : new CommandResult(2, "", "", TimeSpan.Zero),
            "getent" => new CommandResult(0, $"{spec.Arguments[^1]}:x:{1000 + Math.Abs(spec.Arguments[^1].GetHashCode() % 1000)}:\n", "", TimeSpan.Zero),
            "groupadd" or "groupdel" or "usermod" or "gpasswd" or "useradd" or "userdel" => Server.ChangeAccounts(spec),
            "chown" when spec.Arguments[0] == "-R" => ChownTree(spec.Arguments[^1], spec.Arguments[^3].Split(':')),
            var p when p.EndsWith("drush") && spec.Arguments[0] == "status" => new CommandResult(0, "Successful\n", "", TimeSpan.Zero),
            var p when p.EndsWith("drush") => new CommandResult(0, " [success] Installation complete.  User name: admin  User password: Drush-Pw-1234", "", TimeSpan.Zero),
            "php" => new CommandResult(0, "{\"user_id\":1,\"installed\":true}\n", "", TimeSpan.Zero),
            _ => FakeTransport.Ok,
        };
    }

    /// <summary>chown -R owner:group path, on the fake's files and folders.</summary>
    CommandResult ChownTree(string root, string[] owner)
    {
        foreach (var path in Server.Nodes.Keys.Where(p => p == root || p.StartsWith(root + "/", StringComparison.Ordinal)).ToList())
            Server.SetOwner(path, owner[0], owner[1]);
        return FakeTransport.Ok;
    }

    /// <summary>The commit every fake clone is at.</summary>
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";

    /// <summary>A build from git: the clone brings a PHP application with a lock and a build command, composer its vendor/.</summary>
    CommandResult Build(CommandSpec spec)
    {
        switch (spec.Program, spec.Arguments.FirstOrDefault())
        {
            case (Platforms.BuildShell.Git, "clone"):
                var root = spec.Arguments[^1];
                Server.Put($"{root}/index.php", "<?php");
                Server.Put($"{root}/composer.lock", "{}");
                Server.Put($"{root}/.aegir.yml", "name: Built\nversion: 1.0\nbuild:\n  - [php, bin/build.php]\n");
                Server.Put($"{root}/.git/HEAD", Commit);
                return FakeTransport.Ok;
            case (Platforms.BuildShell.Git, "rev-parse"):
                return new CommandResult(0, Commit + "\n", "", TimeSpan.Zero);
            case (Platforms.BuildShell.Composer, _):
                Server.Put($"{spec.WorkingDirectory}/vendor/autoload.php", "<?php");
                return FakeTransport.Ok;
            default:
                return Answer(spec);
        }
    }

    public string VhostPath(string uri) => Path.Combine(Home.Path, "config", "server_master", "nginx", "vhost.d", uri + ".conf");

    /// <summary>A platform whose code is in the fake server, recorded as verify would leave it (or unverified).</summary>
    public AegirPlatform Platform(string name, string kind, bool verified = true)
    {
        var root = $"/srv/{name}";
        Server.Put($"{root}/index.php", "<?php");
        switch (kind)
        {
            case "wordpress": Server.Put($"{root}/wp-includes/version.php", "<?php $wp_version = '6.1.1';"); break;
            case "drupal7":   // as a real Drupal 7 core: no drush of its own
                Server.Put($"{root}/includes/bootstrap.inc", "<?php define('VERSION', '7.105');");
                Server.CreateDirectory($"{root}/sites", (UnixFileMode)Convert.ToInt32("755", 8));
                break;
            case "drupal":
                Server.Put($"{root}/core/lib/Drupal.php", "<?php class Drupal { const VERSION = '11.0.5'; }");
                Server.Put($"{root}/vendor/bin/drush", "#!/bin/sh");
                Server.CreateDirectory($"{root}/sites", (UnixFileMode)Convert.ToInt32("755", 8));
                break;
        }
        var platform = new AegirPlatform("platform_" + name) { Root = root };
        if (verified)
        {
            platform.Kind = kind;
            platform.Version = kind switch { "wordpress" => "6.1.1", "drupal" => "11.0.5", "drupal7" => "7.105", _ => null };
        }
        Store.Create(platform);
        return platform;
    }

    /// <summary>Everything that could change: the fake server's files, the fake databases, and the context records.</summary>
    public string Snapshot()
    {
        var contexts = Directory.Exists(Store.ContextsPath)
            ? string.Join('\n', Directory.GetFiles(Store.ContextsPath, "*.yml").Order().Select(f => Path.GetFileName(f) + ":\n" + File.ReadAllText(f)))
            : "";
        // Backups by name, their time left out (a task run twice makes them at different seconds); hidden spools count too.
        var backups = Path.Combine(Home.Path, "backups");
        var archives = Directory.Exists(backups)
            ? string.Join('\n', Directory.GetFiles(backups).Select(f => System.Text.RegularExpressions.Regex.Replace(Path.GetFileName(f), @"-\d{8}\.\d{6}(_\d+)?", "-<time>")).Order())
            : "";
        // The certificate store on this machine: which certificate each site serves (a record naming one that is gone is broken).
        var store = new Services.Certificates.CertificateStore(Home.Path);
        var certificates = string.Join('\n', store.List().Select(c => $"{c.Site} {c.Source} {string.Join(",", c.Names)} {c.Thumbprint} {store.Files(c).KeyPem.Length > 0}"));
        return $"{Server.Snapshot()}\n--- db\n{Databases.Snapshot()}\n--- contexts\n{contexts}\n--- backups\n{archives}\n--- certificates\n{certificates}".Replace(Home.Path, "$AEGIR_HOME");
    }

    /// <summary>The snapshot without what differs from run to run (file contents, generated passwords): which files, folders, modes, owners, databases and records there are.</summary>
    public string Shape()
        => string.Join('\n', Snapshot().Split('\n')
            .Where(l => !l.StartsWith("db_password:", StringComparison.Ordinal))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, " [0-9A-F]{16}$", ""))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, "[0-9A-F]{64}", "<thumbprint>")));

    public TaskOutcome Run(object parameters) => Engine.Run(parameters);

    /// <summary>Stands for a kill -9 of the process running a task: from here it changes nothing on the servers. Throw what it returns.</summary>
    public Exception Kill()
    {
        Server.Killed = Databases.Killed = true;
        return new SimulatedCrash();
    }

    /// <summary>Another process takes over after a <see cref="Kill"/>.</summary>
    public void Revive() => Server.Killed = Databases.Killed = false;

    public void Dispose() => Home.Dispose();
}
