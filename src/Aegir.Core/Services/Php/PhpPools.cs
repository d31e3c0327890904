using System.Globalization;
using System.Text;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Services.Http;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.Php;

/// <summary>
/// Each site's own PHP-FPM pool on a web server: its pool file (root's alone, in the folder PHP-FPM includes), its
/// folder under php_site_dir (socket, temp, sessions), the config test before anything is reloaded, and the reload:
/// USR2 to the master, waited on until the new master has written its pid file, can take signals again and listens on
/// every socket the changes made. A change leaves a marker in the pool folder, so the web server's next reload (this
/// task's, a pipeline's, or a repair's after a kill) reloads PHP-FPM first: a new pool answers before a vhost sends
/// requests to it.
/// </summary>
/// <param name="machine">
/// The machine the server is: its name for the accounts' lock, and the pools of the other server records of it, whose
/// sites run as accounts of the same /etc/passwd (two local servers, or two records of one host). None: the server alone.
/// </param>
public sealed class PhpPools(AegirServer server, ITransport transport, Templates.TemplateRenderer templates, string home, PhpPools.Machine? machine = null)
{
    /// <summary>The machine a server is (see the constructor); its mates' pools are made only when asked for.</summary>
    public sealed record Machine(Func<string> Name, Func<IReadOnlyList<PhpPools>> Mates);

    const UnixFileMode RootOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    const UnixFileMode Traverse = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Whether a server runs each site in a pool of its own: its setting says so, it is no cluster, and the connection is root (who alone makes accounts and pools).</summary>
    public static bool PerSite(AegirServer server, ITransport transport)
        => !server.Http.IsNull && !server.IsCluster && server.Http.Get("php_pools") == "per-site" && transport.User == "root";

    public AegirServer Server => server;
    string PoolDir => server.Http.Get("php_fpm_pool_dir")!;
    string SiteRoot => server.Http.Get("php_site_dir")!;
    string Marker => Path.Combine(PoolDir, ".aegir-reload");
    // A pool is named for its site (AccountNames.ForSite) whatever account it runs as: its file, folder and socket.
    public string PoolPath(string pool) => Path.Combine(PoolDir, "aegir-" + pool + ".conf");
    public string SiteDir(string pool) => Path.Combine(SiteRoot, pool);
    public string Socket(string pool) => Path.Combine(SiteDir(pool), "php.sock");

    /// <summary>The pool file of a site, from the template (an admin's override in $AEGIR_HOME/templates too): the site's own pool, run as <paramref name="user"/>.</summary>
    public string Render(string uri, string pool, string user, string root, WebTuning tuning, IReadOnlyDictionary<string, string> environment)
    {
        var pm = tuning.Pm ?? "ondemand";
        var children = tuning.MaxChildren ?? 5;
        var seconds = tuning.Timeout ?? 120;
        var dir = SiteDir(pool);
        return templates.Render("php-fpm-pool.conf.sbn", new Dictionary<string, object?>
        {
            ["uri"] = uri, ["server"] = server.Name, ["pool"] = pool, ["user"] = user, ["socket"] = Socket(pool),
            ["web_user"] = server.Http.Get("web_user") ?? "www-data", ["web_group"] = server.Http.Get("web_group") ?? "www-data",
            ["pm"] = pm, ["max_children"] = children, ["spare"] = Math.Max(1, children / 2), ["terminate"] = seconds + 30,
            ["root"] = root, ["tmp"] = Path.Combine(dir, "tmp"), ["sessions"] = Path.Combine(dir, "sessions"),
            ["open_basedir"] = string.Join(':', root.TrimEnd('/') + "/", Path.Combine(dir, "tmp") + "/", Path.Combine(dir, "sessions") + "/", "/usr/share/php/"),
            ["memory_limit"] = tuning.MemoryLimit ?? "256M", ["max_execution_time"] = seconds,
            ["upload_max"] = (tuning.UploadMax ?? "64m").ToUpperInvariant(),
            ["environment"] = environment.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new Dictionary<string, object?> { ["name"] = p.Key, ["value"] = Quote(Carried(uri, p.Key, p.Value)) }).ToList(),
        });
    }

    /// <summary>
    /// What in <paramref name="value"/> PHP-FPM's ini reader cannot carry into a pool's env[], quoted or not (tried with
    /// php-fpm -t: a NUL or a line feed ends the value and fails the config; an empty value fails it too; a carriage
    /// return, quotes, backslash, $, ;, =, other control characters and any UTF-8 pass as they are); null when it carries it.
    /// </summary>
    public static string? Uncarried(string value)
        => value.Length == 0 ? "no character at all" : value.Contains('\n') ? "a newline" : value.Contains('\0') ? "a NUL character" : null;

    /// <summary>A value for the pool's env[], refused before the pool is written when PHP-FPM could not carry it (its test would fail, naming no cause).</summary>
    static string Carried(string uri, string name, string value)
        => Uncarried(value) is { } what ? throw ErrorCatalog.PoolValueUncarried(uri, name, what) : value;

    /// <summary>
    /// A value as PHP-FPM's ini reader takes it literally: in double quotes, with backslash, quote and dollar (which
    /// would start ${...}, an expansion) each escaped.
    /// </summary>
    public static string Quote(string value)
        => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("$", "\\$", StringComparison.Ordinal) + "\"";

    /// <summary>The site's folder (root's, passable), with its temp and session folders (its account's alone); the undo deletes what it made.</summary>
    public void Folders(TaskContext ctx, string pool, string account)
    {
        var files = new Files.FileService(transport);
        var dir = SiteDir(pool);
        var created = files.FirstMissing(dir);
        ctx.Step($"Making {dir} with the temp and session folders of {account} on '@{server.Name}'", () =>
        {
            foreach (var path in new[] { SiteRoot, dir })
            {
                if (transport.Kind(path) == PathKind.None) transport.CreateDirectory(path, Traverse);
                RefuseLink(path);
                transport.SetOwner(path, "root", "root");
                transport.SetMode(path, Traverse);
            }
            foreach (var part in new[] { "tmp", "sessions" })
            {
                var path = Path.Combine(dir, part);
                if (transport.Kind(path) == PathKind.None) transport.CreateDirectory(path, Private);
                RefuseLink(path);
                transport.SetOwner(path, account, account);
                transport.SetMode(path, Private);
            }
        }, created is null ? null : JournalActions.DeletePath(server.Name, created));
    }

    void RefuseLink(string path)
    {
        if (transport.Kind(path) != PathKind.Directory)
            throw ErrorCatalog.StepFailed(ErrorIds.PhpPoolFailed, $"Making {path} on '@{server.Name}'", "it is not a folder (a link or a file is there)", $"Remove {path} on '@{server.Name}', then run the task again.");
    }

    /// <summary>
    /// Writes (or with null content, removes) a site's pool file, tests PHP-FPM's config, and puts the old file back
    /// when the test fails; the undo puts it back too. The reload waits for the web server's.
    /// </summary>
    public void Change(TaskContext ctx, string pool, string? content)
    {
        var path = PoolPath(pool);
        var snapshot = ConfigSnapshot.Take(transport, [path]);
        if (content is not null && transport.ReadFile(path) is { } now && Encoding.UTF8.GetString(now) == content)
        {
            ctx.Debug($"{path} is as it should be.");
            return;
        }
        if (content is null && snapshot.Files[0].Content is null) return;
        var data = ctx.SaveData(snapshot.ToBytes());
        ctx.Step(content is null ? $"Removing the PHP-FPM pool of {pool} on '@{server.Name}'" : $"Writing the PHP-FPM pool {path} and testing PHP-FPM's config on '@{server.Name}'", () =>
        {
            if (transport.Kind(PoolDir) != PathKind.Directory)
                throw ErrorCatalog.StepFailed(ErrorIds.PhpPoolFailed, $"Writing the PHP-FPM pool of {pool} on '@{server.Name}'", $"the pool folder {PoolDir} is not there",
                    $"Install PHP-FPM there, or point the setting at the folder whose *.conf it includes: Set-AegirServer {server.Name.Replace("server_", "")} -HttpSetting @{{ php_fpm_pool_dir = '/etc/php/8.2/fpm/pool.d' }}.");
            if (content is null) transport.Delete(path);
            else transport.WriteFile(path, Encoding.UTF8.GetBytes(content), RootOnly, "root", "root");
            var test = Test();
            if (!test.Succeeded)
            {
                snapshot.Restore(transport, RootOnly);
                ctx.Warn($"Put back the previous {Path.GetFileName(path)}.");
                throw ErrorCatalog.StepFailed(ErrorIds.PhpPoolFailed, $"Testing PHP-FPM's config on '@{server.Name}'", test.Summary() + $" (test: {server.Http.Get("php_fpm_test_command")})",
                    "The previous pool file was put back and nothing was reloaded. Fix the cause (often a pool template override or a site's web setting), then run the task again.");
            }
            MarkPending(content is null ? null : Socket(pool));
        }, JournalActions.RestorePool(server.Name, data, path));
    }

    /// <summary>Puts back pool files saved before a change (an undo); true when any differed. PHP-FPM reloads with the web server.</summary>
    public bool Restore(byte[] saved)
    {
        var snapshot = ConfigSnapshot.FromBytes(saved);
        if (!snapshot.Restore(transport, RootOnly)) return false;
        var test = Test();
        if (!test.Succeeded)
            throw ErrorCatalog.StepFailed(ErrorIds.PhpPoolFailed, $"Testing PHP-FPM's config on '@{server.Name}'", test.Summary(), "Fix PHP-FPM's config by hand, then verify the server.");
        MarkPending(null);
        return true;
    }

    public CommandResult Test() => transport.Run(CommandSpec.Parse(server.Http.Get("php_fpm_test_command")!) with { Timeout = TimeSpan.FromMinutes(1) });

    /// <summary>Notes that PHP-FPM must reload before the web server does, with the socket it must then listen on.</summary>
    void MarkPending(string? socket)
    {
        using var held = Hold();
        var old = transport.ReadFile(Marker) is { } bytes ? Encoding.UTF8.GetString(bytes) : "";
        transport.WriteFile(Marker, Encoding.UTF8.GetBytes(old + (socket ?? "") + "\n"), RootOnly, "root", "root");
    }

    /// <summary>
    /// The server's PHP-FPM, held by this task alone (a lock in $AEGIR_HOME, across processes): a USR2 sent while the
    /// master re-executes ends PHP-FPM, and a change noted meanwhile would be lost with the marker.
    /// </summary>
    IDisposable Hold() => Lock("php-fpm", "Reloading PHP-FPM");

    /// <summary>
    /// The sites' accounts on the machine, held by this task alone: whether an account is still used and its deletion
    /// are one act, which no site's noting that it will run as that account comes between. One lock for every server
    /// record of the machine: a site moved between two of them runs as the same account on both.
    /// </summary>
    public IDisposable HoldAccounts() => Lock("accounts", "Changing the sites' accounts", machine?.Name());

    IDisposable Lock(string what, string doing, string? on = null)
    {
        var locks = Path.Combine(home, "locks");
        IO.AtomicFile.EnsurePrivateDirectory(locks);
        return IO.FileLock.TryAcquire(Path.Combine(locks, $"{what}-{on ?? server.Name}.lock"), TimeSpan.FromMinutes(2))
            ?? throw ErrorCatalog.StepFailed(ErrorIds.PhpPoolFailed, $"{doing} on '@{server.Name}'", "another task has held it for two minutes", "Run the task again once the other has finished.");
    }

    /// <summary>Whether PHP-FPM runs (its pid file names its master).</summary>
    public bool IsRunning => MasterPid(server.Http.Get("php_fpm_pid_file")!) is not null;

    /// <summary>Whether a pool changed since PHP-FPM last reloaded.</summary>
    public bool Pending => transport.Kind(Marker) == PathKind.File;

    /// <summary>
    /// Reloads PHP-FPM when a pool changed since its last reload, and waits until the new master listens on each new
    /// socket. The marker goes only once that is done, so a reload cut off is done again by the next.
    /// </summary>
    public void ReloadIfPending(TaskContext? ctx)
    {
        if (!Pending) return;
        using (Hold())
        {
            if (transport.ReadFile(Marker) is not { } marker) return;
            var sockets = Encoding.UTF8.GetString(marker).Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct()
                .Where(s => transport.Kind(PoolPath(Path.GetFileName(Path.GetDirectoryName(s)!))) == PathKind.File).ToList();
            Reload(sockets);
            transport.Delete(Marker);
            ctx?.Debug($"Reloaded PHP-FPM on '@{server.Name}'.");
        }
    }

    /// <summary>
    /// Refuses what is about to reload the web server in front of the sites' pools while PHP-FPM is down: the reload
    /// would pass and every site's page would then fail (502), which reads as a broken vhost; PHP-FPM is named first.
    /// </summary>
    public void RequireRunning(string doing)
    {
        if (!IsRunning) throw ErrorCatalog.PhpFpmNotRunning(server.Name, server.Http.Get("php_fpm_pid_file")!, doing);
    }

    /// <summary>Why a site's page fails when PHP-FPM is down (the cause, before what the page shows); null while it runs.</summary>
    public string? DownCause()
        => IsRunning ? null : $"PHP-FPM is not running on '@{server.Name}' (its pid file {server.Http.Get("php_fpm_pid_file")} names no running PHP-FPM): start it (systemctl start php8.2-fpm; a local server: Start-AegirLocalServer) and check it with Invoke-AegirVerify @{server.Name}";

    void Reload(IReadOnlyList<string> sockets)
    {
        const string what = "Reloading PHP-FPM";
        var pidFile = server.Http.Get("php_fpm_pid_file")!;
        var fix = $"Start PHP-FPM on '@{server.Name}' (its pid file is {pidFile}: the php_fpm_pid_file setting), then run the task again.";
        var pid = MasterPid(pidFile) ?? throw ErrorCatalog.PhpFpmNotRunning(server.Name, pidFile, what);
        var before = Stamp(pidFile);
        var kill = transport.Run(new CommandSpec("kill", ["-USR2", pid.ToString(CultureInfo.InvariantCulture)]) { Timeout = TimeSpan.FromSeconds(30) });
        if (!kill.Succeeded) throw ErrorCatalog.StepFailed(ErrorIds.PhpPoolFailed, what + $" on '@{server.Name}'", kill.Summary(), fix);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
            // The new master writes its pid file, then takes signals again, then listens on its sockets.
            if (Stamp(pidFile) is not { } now || now == before) continue;
            if (MasterPid(pidFile) is not { } master || !TakesSignals(master)) continue;
            if (sockets.All(s => transport.Run(new CommandSpec("test", ["-S", s])).Succeeded)) return;
        }
        throw ErrorCatalog.StepFailed(ErrorIds.PhpPoolFailed, what + $" on '@{server.Name}'",
            $"it did not come back listening on {string.Join(", ", sockets.DefaultIfEmpty("its sockets"))} within 30 s",
            $"See PHP-FPM's log on '@{server.Name}'; {fix}");
    }

    /// <summary>PHP-FPM's master, as its pid file names it: a process whose name is php-fpm's.</summary>
    int? MasterPid(string pidFile)
        => PidFile.Read(transport, pidFile) is { Program: { } program } named && program.StartsWith("php-fpm", StringComparison.Ordinal) ? named.Pid : null;

    /// <summary>When the pid file was last written, to the nanosecond; null when it is not there.</summary>
    string? Stamp(string pidFile)
    {
        var stat = transport.Run(new CommandSpec("stat", ["--format=%.9Y %i", "--", pidFile]) { Timeout = TimeSpan.FromSeconds(30) });
        return stat.Succeeded ? stat.StandardOutput.Trim() : null;
    }

    /// <summary>Whether the process handles USR2 again (its handlers are set up after an exec): one sent before would end it.</summary>
    bool TakesSignals(int pid)
    {
        if (transport.ReadFile($"/proc/{pid}/status") is not { } bytes) return false;
        var line = Encoding.ASCII.GetString(bytes).Split('\n').FirstOrDefault(l => l.StartsWith("SigCgt:", StringComparison.Ordinal));
        return line is not null && ulong.TryParse(line[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask) && (mask & (1UL << 11)) != 0;
    }

    /// <summary>
    /// What a server needs before its sites get pools of their own, checked: the pool folder PHP-FPM includes, PHP-FPM
    /// running (its pid file naming its master), its config passing its own test, and the account tools there.
    /// </summary>
    /// <returns>A warning to log, or null: PHP-FPM set to end every worker at once on a reload (process_control_timeout = 0).</returns>
    public string? Check()
    {
        const string what = "Checking PHP-FPM for the sites' own pools";
        var name = server.Name.Replace("server_", "");
        if (transport.Kind(PoolDir) != PathKind.Directory)
            throw ErrorCatalog.StepFailed(ErrorIds.PhpPoolFailed, what + $" on '@{server.Name}'", $"the pool folder {PoolDir} is not there",
                $"Install PHP-FPM (apt-get install php8.2-fpm), or point the setting at the folder whose *.conf PHP-FPM includes: Set-AegirServer {name} -HttpSetting @{{ php_fpm_pool_dir = '/etc/php/8.2/fpm/pool.d' }}; or keep every site in one pool: -HttpSetting @{{ php_pools = 'shared' }}.");
        var pidFile = server.Http.Get("php_fpm_pid_file")!;
        if (MasterPid(pidFile) is null)
            throw ErrorCatalog.StepFailed(ErrorIds.PhpPoolFailed, what + $" on '@{server.Name}'", $"its pid file {pidFile} names no running PHP-FPM",
                $"Start PHP-FPM (systemctl start php8.2-fpm), or point the setting at its pid file: Set-AegirServer {name} -HttpSetting @{{ php_fpm_pid_file = '/run/php/php8.2-fpm.pid' }}.");
        var test = Test();
        if (!test.Succeeded)
            throw ErrorCatalog.StepFailed(ErrorIds.PhpPoolFailed, what + $" on '@{server.Name}'", $"its config test fails: {test.Summary()} (test: {server.Http.Get("php_fpm_test_command")})",
                "Fix PHP-FPM's config, or give its test: -HttpSetting @{ php_fpm_test_command = 'php-fpm8.2 -t' }.");
        foreach (var tool in new[] { "useradd", "userdel", "setpriv", "unshare", "setfacl", "ps", "pgrep", "kill" })
            if (!transport.Run(new CommandSpec("sh", ["-c", "command -v \"$0\"", tool]) { Timeout = TimeSpan.FromSeconds(30) }).Succeeded)
                throw ErrorCatalog.StepFailed(ErrorIds.PhpPoolFailed, what + $" on '@{server.Name}'", $"{tool} is not on the PATH there", "Install it (the passwd, util-linux, acl and procps packages), then verify the server again.");
        // Read from the config files the test names, never with -tt (that logs every pool's env[], passwords and all).
        return FpmGlobalConfig.ProcessControlTimeout(transport, test.StandardError + test.StandardOutput) == 0
            ? $"PHP-FPM on '@{server.Name}' ends its workers at once on a reload (process_control_timeout is 0), so a request running while a site's pool is added or changed gets a 502. Set process_control_timeout = 10s in the [global] section of its php-fpm.conf."
            : null;
    }

    /// <summary>Removes a site's pool folder (its socket, temp and sessions).</summary>
    public void RemoveFolder(string pool) => transport.Delete(SiteDir(pool));

    /// <summary>The account a site's pool runs as now, as its file says (root's alone); null when it has none.</summary>
    public string? UserOf(string pool)
        => transport.ReadFile(PoolPath(pool)) is { } bytes ? UserIn(Encoding.UTF8.GetString(bytes)) : null;

    static string? UserIn(string content)
        => content.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("user = ", StringComparison.Ordinal))?[7..].Trim();

    /// <summary>
    /// Whether any site's pool on the machine runs as <paramref name="account"/>, or any site is being moved from or to
    /// it (<see cref="AccountHandover"/>), whichever server record of the machine wrote the pool: an account stays while
    /// one of its sites needs it. <paramref name="exceptPool"/> is this server's alone (a pool of that name elsewhere on
    /// the machine is the same site moved there, and counts).
    /// </summary>
    public bool InUse(string account, string? exceptPool = null)
        => InUseHere(account, exceptPool)
           || (machine?.Mates() ?? []).Where(m => m.PoolDir != PoolDir || m.SiteRoot != SiteRoot).Any(m => m.InUseHere(account, null));

    bool InUseHere(string account, string? exceptPool)
    {
        var pools = transport.Run(new CommandSpec("find", [PoolDir, SiteRoot, "-maxdepth", "2", "(", "-name", "aegir-*.conf", "-o", "-name", AccountHandover.FileName, ")", "-type", "f"]) { Timeout = TimeSpan.FromMinutes(1) });
        foreach (var path in pools.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var handover = Path.GetFileName(path) == AccountHandover.FileName;
            var pool = handover ? Path.GetFileName(Path.GetDirectoryName(path)!) : Path.GetFileName(path)["aegir-".Length..^".conf".Length];
            if (pool == exceptPool || transport.ReadFile(path) is not { } bytes) continue;
            var text = Encoding.UTF8.GetString(bytes);
            if (handover ? text.Split('\n').Contains(account) : UserIn(text) == account) return true;
        }
        return false;
    }
}
