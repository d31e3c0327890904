using System.Text;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.Http;

/// <summary>
/// A web service whose config comes from Scriban templates named for its type (<c>&lt;type&gt;-server.conf.sbn</c>,
/// <c>-platform</c>, <c>-vhost</c>): the config tree <c>config/&lt;server&gt;/&lt;type&gt;/{platform.d,vhost.d}</c> and one
/// server include that the web server's main config pulls in.
/// </summary>
public abstract class TemplatedWebService(AegirServer server, IServiceEnvironment env) : IHttpService
{
    public const UnixFileMode ConfigMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public AegirServer Server { get; } = server;
    public abstract string Type { get; }
    protected ITransport Transport => env.Connect(Server);

    public string WebGroup => Server.Http.Get("web_group") ?? "www-data";
    string ConfigDir => Path.Combine(env.HomeOn(Server), "config", Server.Name);
    string AppDir => Path.Combine(ConfigDir, Type);
    /// <summary>Each site's access and error log lives here, named for its uri.</summary>
    string LogDir => Path.Combine(env.HomeOn(Server), "logs", Server.Name);
    public (string Access, string Error) SiteLogs(string uri) => (Path.Combine(LogDir, uri + ".access.log"), Path.Combine(LogDir, uri + ".error.log"));
    public string ServerConfigPath => Path.Combine(ConfigDir, Type + ".conf");
    public string SiteConfigPath(string uri) => Path.Combine(AppDir, "vhost.d", uri + ".conf");
    /// <summary>An admin's own rules for a site's vhost, and for every site of a platform: *.conf files there are included as they are.</summary>
    public string SiteIncludeDir(string uri) => Path.Combine(AppDir, "site.d", uri);
    public string PlatformIncludeDir(string platform) => Path.Combine(AppDir, "platform.d", platform);
    public string PlatformConfigPath(string platform) => Path.Combine(AppDir, "platform.d", platform + ".conf");

    int Port => Server.Http.GetInt("port");
    int HttpsPort => Server.Http.GetInt("https_port");
    string PortSuffix => WebAddress.Suffix(Port, 80);
    string HttpsSuffix => WebAddress.Suffix(HttpsPort, 443);
    public string Url(string host, bool https = false) => WebAddress.Of(Server.Http, host, https);
    /// <summary>Where a site's certificate and key are pushed, beside the config (root's, 0600).</summary>
    string TlsDir => Path.Combine(ConfigDir, "tls");
    public (string Certificate, string Key) TlsPaths(string uri) => (Path.Combine(TlsDir, uri + ".crt"), Path.Combine(TlsDir, uri + ".key"));
    string AcmeRoot => Server.Http.Get("acme_webroot")!;

    /// <summary>What a vhost listens on, in this server's syntax.</summary>
    protected abstract string Listen(string address, int port);

    /// <summary>What an HTTPS vhost listens on, in this server's syntax (nginx marks the listener ssl).</summary>
    protected virtual string TlsListen(string address, int port) => Listen(address, port);

    /// <summary>Whether an HTTPS vhost turns HTTP/2 on with a directive of its own (nginx 1.25.1 and later).</summary>
    protected virtual bool Http2Directive => false;

    /// <summary>Whether the server include has a catch-all HTTPS vhost that needs a certificate of its own (Apache: nginx refuses the handshake instead).</summary>
    protected virtual bool DefaultCertificate => false;

    string ListenAddress => Server.Http.Get("listen_address") ?? "*";

    /// <summary>Whether this server's listen for every address (*) takes IPv4 alone (nginx's bare port), so IPv6 needs a listen of its own.</summary>
    protected virtual bool WildcardIsIpv4Only => false;

    /// <summary>
    /// The addresses vhosts listen on: the listen address, and with * on a server whose kernel has IPv6 and whose * is
    /// IPv4 alone, [::] too (both, as the server listens); an address given is kept as it is.
    /// </summary>
    IReadOnlyList<string> ListenAddresses => ListenAddress == "*" && WildcardIsIpv4Only && Ipv6 ? ["*", "::"] : [ListenAddress];

    bool Ipv6 => _ipv6 ??= KernelIpv6.On(Transport);
    bool? _ipv6;

    /// <summary>One line per address a vhost on the port listens on, in this server's syntax.</summary>
    List<string> Listens(int port, bool tls) => ListenAddresses.Select(a => tls ? TlsListen(a, port) : Listen(a, port)).ToList();

    /// <summary>An IPv6 address as both web servers need it next to a port: in brackets.</summary>
    internal static string Bracketed(string address) => address.Contains(':') ? $"[{address}]" : address;

    public void Verify(TaskContext ctx)
    {
        // Parents first, so they too are 0700: their listing names the servers.
        CreateFolders(ctx, $"Creating the {Type} config folders of '@{Server.Name}'",
            [Path.GetDirectoryName(ConfigDir)!, ConfigDir, AppDir, Path.Combine(AppDir, "platform.d"), Path.Combine(AppDir, "vhost.d")]);
        CreateFolders(ctx, $"Creating the log folders of '@{Server.Name}'", [Path.GetDirectoryName(LogDir)!, LogDir]);
        CreateFolders(ctx, $"Creating the certificate folder of '@{Server.Name}'", [TlsDir]);
        AcmeFolders(ctx);
        var (defaultCertificate, defaultKey) = TlsPaths("_default");
        var files = new List<(string, string?)>();
        if (DefaultCertificate && Transport.Kind(defaultKey) != PathKind.File)
        {
            // Apache answers a name no site has with its first HTTPS vhost's certificate unless a catch-all comes first: it needs one too.
            var (certificate, key) = Certificates.SelfSignedCertificate.Make(["default.invalid"]);
            files.Add((defaultCertificate, certificate));
            files.Add((defaultKey, key));
        }
        var text = RenderServer();
        ctx.Step($"Checking that {Socket} is PHP-FPM's socket", () =>
        {
            if (SocketKind() is var kind and not "socket") throw ErrorCatalog.PhpSocketInvalid(Server.Name, Socket, kind);
        });
        files.Add((ServerConfigPath, text));
        Change(ctx, $"Writing {ServerConfigPath} and testing the {Type} config", files);
    }

    public string RenderServer()
    {
        var (listens, httpsListens) = (Listens(Port, false), Listens(HttpsPort, true));
        var (defaultCertificate, defaultKey) = TlsPaths("_default");
        return env.Templates.Render($"{Type}-server.conf.sbn", new Dictionary<string, object?>
        {
            // listen and https_listen (the first line alone) are kept for templates an admin wrote before the lists.
            ["server"] = Server.Name, ["config_dir"] = ConfigDir, ["listens"] = listens, ["listen"] = listens[0],
            ["https_listens"] = httpsListens, ["https_listen"] = httpsListens[0], ["default_certificate"] = defaultCertificate, ["default_key"] = defaultKey,
        });
    }

    /// <summary>
    /// The one folder every vhost serves /.well-known/acme-challenge/ from, so an ACME client writes a challenge once
    /// for whichever site asks: its top 0750, the connection's and the web group's, so the web server reads it and no
    /// one else (a script user running sites' code) looks in; put right when found otherwise.
    /// </summary>
    void AcmeFolders(TaskContext ctx)
    {
        const UnixFileMode open = FolderMode | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        const UnixFileMode top = FolderMode | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        string[] chain = [AcmeRoot, Path.Combine(AcmeRoot, ".well-known"), Path.Combine(AcmeRoot, ".well-known", "acme-challenge")];
        var files = new Files.FileService(Transport);
        var created = chain.Select(files.FirstMissing).FirstOrDefault(p => p is not null);
        if (created is null && Transport.GetMode(AcmeRoot) == top) return;
        ctx.Step($"Creating the ACME challenge folder {chain[^1]} on '@{Server.Name}', readable by the web group {WebGroup} alone", () =>
        {
            foreach (var dir in chain) Transport.CreateDirectory(dir, open);
            Transport.SetOwner(AcmeRoot, null, WebGroup);
            Transport.SetMode(AcmeRoot, top);
        }, created is null ? null : JournalActions.DeletePath(Server.Name, created));
    }

    /// <summary>One chain of folders, parents first; its undo deletes the topmost one it made.</summary>
    void CreateFolders(TaskContext ctx, string what, string[] chain)
    {
        var created = chain.Select(new Files.FileService(Transport).FirstMissing).FirstOrDefault(p => p is not null);
        ctx.Step(what, () =>
        {
            foreach (var dir in chain) Transport.CreateDirectory(dir, FolderMode);
        }, created is null ? null : JournalActions.DeletePath(Server.Name, created));
    }

    public void WritePlatform(TaskContext ctx, AegirPlatform platform)
        => Change(ctx, $"Writing the {Type} include of '@{platform.Name}' on '@{Server.Name}' and testing the config", [(PlatformConfigPath(platform.Name), RenderPlatform(platform))]);

    public string RenderPlatform(AegirPlatform platform)
        => env.Templates.Render($"{Type}-platform.conf.sbn", new Dictionary<string, object?>
        {
            ["platform"] = platform.Name, ["root"] = platform.Root, ["kind"] = platform.Kind ?? "", ["version"] = platform.Version ?? "",
        });

    public void RemovePlatform(TaskContext ctx, string platform)
        => Change(ctx, $"Removing the {Type} include of '@{platform}' on '@{Server.Name}' and testing the config", [(PlatformConfigPath(platform), null)]);

    public void WriteSite(TaskContext ctx, VhostModel site)
    {
        // A vhost that passes PHP to a file or a folder makes a working site answer 502; a socket not there yet is
        // PHP-FPM down, which the site's page check tells.
        if (site.Enabled && site.Socket is null && SocketKind() is { } kind and not "socket") throw ErrorCatalog.PhpSocketInvalid(Server.Name, Socket, kind);
        var text = RenderSite(site);
        // The config test opens the site's log files, so their folder must be there (a server verified before logs were per site has none yet).
        if (new Files.FileService(Transport).FirstMissing(LogDir) is { } missing)
            ctx.Step($"Creating the log folder {LogDir}", () => Transport.CreateDirectory(LogDir, FolderMode), JournalActions.DeletePath(Server.Name, missing));
        // A vhost answers for its site's names only: one that names another host would take that host's requests.
        var foreign = NamesIn(text).Where(n => !site.HostNames.Contains(n)).Distinct().ToList();
        if (foreign.Count > 0)
            throw ErrorCatalog.VhostNamesForeign(site.Uri, foreign, Server.Name);
        // The config test makes a new site's log files: an undo of its first vhost takes them away again (after the vhost).
        var (access, error) = SiteLogs(site.Uri);
        if (Transport.Kind(access) == PathKind.None)
        {
            ctx.Step($"Noting {Path.GetFileName(access)} as new", () => { }, JournalActions.DeletePath(Server.Name, access));
            ctx.Step($"Noting {Path.GetFileName(error)} as new", () => { }, JournalActions.DeletePath(Server.Name, error));
        }
        var (certificatePath, keyPath) = TlsPaths(site.Uri);
        // The certificate and key go with the vhost in one change: a config test that fails puts all three back.
        List<(string, string?)> files = site.Tls is { } tls ? [(certificatePath, tls.CertificatePem), (keyPath, tls.KeyPem)] : [];
        if (site.Tls is not null && new Files.FileService(Transport).FirstMissing(TlsDir) is { } noTls)
            ctx.Step($"Creating the certificate folder {TlsDir}", () => Transport.CreateDirectory(TlsDir, FolderMode), JournalActions.DeletePath(Server.Name, noTls));
        else if (site.Tls is null && Transport.Kind(keyPath) != PathKind.None) files = [(certificatePath, null), (keyPath, null)];
        files.Add((SiteConfigPath(site.Uri), text));
        Change(ctx, $"Writing the {Type} vhost of {site.Uri}{(site.Tls is null ? "" : " with its certificate")} on '@{Server.Name}' and testing the config", files, site.HostNames);
    }

    /// <summary>The host names a vhost in this server's syntax answers to.</summary>
    protected abstract IEnumerable<string> NamesIn(string config);

    public void RemoveSite(TaskContext ctx, string uri)
    {
        var (certificate, key) = TlsPaths(uri);
        List<(string, string?)> files = Transport.Kind(key) == PathKind.None ? [] : [(certificate, null), (key, null)];
        files.Add((SiteConfigPath(uri), null));
        Change(ctx, $"Removing the {Type} vhost of {uri}{(files.Count > 1 ? " and its certificate" : "")} on '@{Server.Name}' and testing the config", files);
    }

    public string RenderSite(VhostModel site)
    {
        var names = site.Redirection is null ? site.HostNames : [site.Redirection];
        var from = site.Redirection is null ? [] : site.HostNames.Where(h => h != site.Redirection).ToList();
        var http = Listener(Listens(Port, false), "http", PortSuffix, false);
        var https = Listener(Listens(HttpsPort, true), "https", HttpsSuffix, true);
        // The site's own server blocks, one per listener: HTTP, HTTP and HTTPS, or HTTPS alone (HTTP then only redirects).
        List<Dictionary<string, object?>> listeners = site.Tls switch { null => [http], { Required: false } => [http, https], _ => [https] };
        var (certificatePath, keyPath) = TlsPaths(site.Uri);
        return env.Templates.Render($"{Type}-vhost.conf.sbn", new Dictionary<string, object?>
        {
            ["uri"] = site.Uri,
            ["platform"] = site.Platform,
            ["root"] = site.Root,
            ["listen"] = listeners[0]["listen"],
            ["listens"] = listeners[0]["listens"],
            ["port"] = Port,
            ["port_suffix"] = listeners[0]["port_suffix"],
            ["listeners"] = listeners,
            ["http_listen"] = http["listen"],
            ["http_listens"] = http["listens"],
            ["https_port_suffix"] = HttpsSuffix,
            // Required: every name over HTTP answers with a 301 to HTTPS (the redirection target's when there is one).
            ["https_redirect"] = site.Tls is { Required: true },
            ["all_names"] = site.HostNames.ToList(),
            ["tls"] = site.Tls is null ? null : new Dictionary<string, object?>
            {
                ["certificate"] = certificatePath, ["key"] = keyPath, ["hsts"] = site.Tls.Required, ["http2_directive"] = Http2Directive,
            },
            ["acme_root"] = AcmeRoot,
            ["server_names"] = names.ToList(),
            ["redirect_from"] = from.Count > 0 ? from : null,
            ["redirection"] = from.Count > 0 ? site.Redirection : null,
            ["enabled"] = site.Enabled,
            ["private_path"] = site.PrivatePath,
            ["site_folders"] = site.SiteFolders,
            ["made_on_request"] = site.MadeOnRequest,
            ["shared_folders"] = site.SharedFolders,
            ["site_areas"] = site.SiteAreas.Select(a => new Dictionary<string, object?>
            {
                ["glob"] = a.Glob, ["every"] = a.Every, ["others"] = a.Others, ["folder"] = a.Folder, ["shared"] = a.Shared,
            }).ToList(),
            ["no_scripts"] = site.NoScripts.Count > 0 ? string.Join('|', site.NoScripts) : null,
            ["front_controller"] = site.FrontController,
            ["tuning"] = site.Tuning.Model(),
            ["platform_include"] = PlatformIncludeDir(site.Platform),
            ["site_include"] = SiteIncludeDir(site.Uri),
            ["deny_folders"] = site.Denied.Where(d => d.EndsWith('/')).ToList(),
            ["deny_files"] = site.Denied.Where(d => !d.EndsWith('/')).ToList(),
            ["log_dir"] = LogDir,
            ["socket"] = site.Socket ?? Socket,
            ["site_url"] = Url(site.Redirection ?? site.Uri, site.Tls is not null),
            // null for a site without a database: it gets no db_* names.
            // A site in a pool of its own gets its credentials from the pool's environment: the built-in templates then
            // pass none through the web server (an admin's own template still finds db.* as before).
            ["own_pool"] = site.Socket is not null,
            ["db"] = site.Database is not { } db ? null : new Dictionary<string, object?>
            {
                ["type"] = db.Type, ["host"] = db.Host, ["port"] = db.Port,
                ["name"] = db.Name, ["user"] = db.User, ["password"] = db.Password,
            },
        });
    }

    /// <summary>A listener's lines (listen, its first alone, for templates an admin wrote before the list), scheme and port.</summary>
    static Dictionary<string, object?> Listener(List<string> listens, string scheme, string suffix, bool tls)
        => new() { ["listens"] = listens, ["listen"] = listens[0], ["scheme"] = scheme, ["port_suffix"] = suffix, ["tls"] = tls };

    /// <summary>
    /// One journaled step: keep the old files as task data, write the new ones, run the config test, and put the
    /// old ones back when it fails. Its undo puts them back too (and reloads), after a later failure or a kill.
    /// </summary>
    void Change(TaskContext ctx, string description, IReadOnlyList<(string Path, string? Content)> changes, IReadOnlyList<string>? names = null)
    {
        var snapshot = ConfigSnapshot.Take(Transport, changes.Select(c => c.Path));
        var data = ctx.SaveData(snapshot.ToBytes());
        ctx.Step(description, () =>
        {
            try
            {
                foreach (var (path, content) in changes)
                {
                    if (content is null) Transport.Delete(path);
                    else Transport.WriteFile(path, Encoding.UTF8.GetBytes(content), ConfigMode);
                }
            }
            // A server recorded with its host key but never verified has no config folders yet: say so, not "no such file".
            catch (Exception ex) when (ex is IOException or AegirException
                                       && changes.Select(c => Path.GetDirectoryName(c.Path)!).FirstOrDefault(d => Transport.Kind(d) != PathKind.Directory) is { } missing)
            {
                snapshot.Restore(Transport, ConfigMode);
                throw ErrorCatalog.ServerNotVerified(description, Server.Name, missing);
            }
            var test = Test();
            var conflict = names is null ? null : Conflicts(test).FirstOrDefault(names.Contains);
            if (!test.Succeeded || conflict is not null)
            {
                snapshot.Restore(Transport, ConfigMode);
                ctx.Warn($"Put back the previous config of {string.Join(", ", changes.Select(c => Path.GetFileName(c.Path)))}.");
                throw ErrorCatalog.ConfigTestFailed(Server.Name, Server.Http.Get("config_test_command")!,
                    conflict is null ? test.Summary() : $"another vhost answers for {conflict} too ({test.Summary()})");
            }
        }, JournalActions.RestoreConfig(Server.Name, data, changes.Select(c => c.Path)));
    }

    public bool Restore(TaskContext ctx, byte[] saved)
    {
        if (!ConfigSnapshot.FromBytes(saved).Restore(Transport, ConfigMode)) return false;
        var test = Test();
        if (!test.Succeeded) throw ErrorCatalog.ConfigTestFailed(Server.Name, Server.Http.Get("config_test_command")!, test.Summary());
        return true;
    }

    public CommandResult Test() => Run(Server.Http.Get("config_test_command")!);

    /// <summary>The shared pool's socket: a site in a pool of its own gets its own in its vhost model.</summary>
    string Socket => Server.Http.Get("php_fpm_socket")!;

    /// <summary>What the PHP-FPM socket path leads to: "socket", else what stat calls it ("regular file", "directory"); null when nothing is there.</summary>
    string? SocketKind()
    {
        if (Transport.Run(new CommandSpec("test", ["-S", Socket])).Succeeded) return "socket";
        var stat = Transport.Run(new CommandSpec("stat", ["-L", "--format=%F", "--", Socket]));
        return stat.Succeeded ? stat.StandardOutput.Trim() : null;
    }

    public HttpAnswer Fetch(string host, string path = "/", string? tlsThumbprint = null)
    {
        var address = Server.Http.Get("listen_address") ?? "*";
        return Transport.Fetch(address == "*" ? "127.0.0.1" : address, tlsThumbprint is null ? Port : HttpsPort, host, path, tlsThumbprint);
    }

    /// <summary>Host names the config test warns two vhosts claim (nginx: "conflicting server name").</summary>
    static IEnumerable<string> Conflicts(CommandResult test)
        => System.Text.RegularExpressions.Regex.Matches(test.StandardError + test.StandardOutput, "conflicting server name \"([^\"]+)\"").Select(m => m.Groups[1].Value);

    /// <summary>
    /// Reloads, then waits until the reload has taken effect: nginx and Apache return from a reload at once
    /// while the old workers go on serving the old config, so the step would otherwise end before its change.
    /// </summary>
    public void Reload(TaskContext ctx)
    {
        // A site's new pool must listen before its vhost sends requests there: PHP-FPM first, when a pool changed.
        Pools.ReloadIfPending(ctx);
        var command = Server.Http.Get("restart_command")!;
        var named = Named();
        if (named is { Program: { } other } && !IsOurs(other))
            throw ErrorCatalog.StepFailed(ErrorIds.WebReloadFailed, $"Reloading the web server of '@{Server.Name}'",
                $"its pid file {Server.Http.Get("pid_file")} names process {named.Value.Pid} ({other}), which is not {Type}: a reload would signal that process",
                $"Restart {Type} on '@{Server.Name}' so that its pid file names its own master process, then run the task again.");
        // The pid file and its process's name are read once for the whole reload.
        int? master = named is { } n && IsOurs(n.Program) ? n.Pid : null;
        var before = master is { } m ? Children(m) : [];
        var result = Run(command);
        if (!result.Succeeded)
            throw ErrorCatalog.StepFailed(ErrorIds.WebReloadFailed, $"Reloading the web server of '@{Server.Name}'", result.Summary(), $"Check that it runs and that '{command}' works.");
        if (master is null || before.Count == 0)
        {
            ctx.Debug($"Reloaded: {command} (no pid file to wait on)");
            return;
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var now = Children(master.Value);
            if (now.Count > 0 && !now.Overlaps(before)) { ctx.Debug($"Reloaded: {command}"); return; }
            Thread.Sleep(20);
        }
        ctx.Warn($"Reloaded with '{command}', but old worker processes of '@{Server.Name}' were still running 30 s later; they may still serve the old config.");
    }

    Services.Php.PhpPools Pools => new(Server, Transport, env.Templates, env.Home);

    public void CheckDeferredReload()
    {
        if (Services.Php.PhpPools.PerSite(Server, Transport) && Pools is { Pending: true } pools) pools.RequireRunning($"Reloading {Type}");
    }

    public bool? IsRunning()
    {
        if (Server.Http.Get("pid_file") is null) return null;
        return MasterPid() is { } pid && Transport.Kind($"/proc/{pid}") == PathKind.Directory;
    }

    /// <summary>
    /// The master process the pid file names; null when it names none, or names a process that is not this web server
    /// (init, a pid used again by another program): such a process is never signalled nor waited on.
    /// </summary>
    int? MasterPid() => Named() is { } named && IsOurs(named.Program) ? named.Pid : null;

    (int Pid, string? Program)? Named()
    {
        var file = Server.Http.Get("pid_file");
        return file is null ? null : PidFile.Read(Transport, file);
    }

    /// <summary>Whether a process's name is one of this web server's (a name that cannot be read is taken as the pid file says).</summary>
    bool IsOurs(string? program) => program is null || Server.Http.GetInfo().Programs is not { Count: > 0 } programs || programs.Contains(program);

    HashSet<int> Children(int pid)
    {
        // The kernel's own list is one quick read; ps (a program started) where the kernel keeps none.
        var text = Transport.ReadFile($"/proc/{pid}/task/{pid}/children") is { } bytes ? Encoding.ASCII.GetString(bytes)
            : Transport.Run(new CommandSpec("ps", ["-o", "pid=", "--ppid", pid.ToString()])).StandardOutput;
        return text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, out var p) ? p : 0).Where(p => p > 0).ToHashSet();
    }

    CommandResult Run(string command) => Transport.Run(CommandSpec.Parse(command) with { Timeout = TimeSpan.FromMinutes(1) });
}
