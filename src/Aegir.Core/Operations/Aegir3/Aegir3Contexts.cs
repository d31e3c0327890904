using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations.Platform;

namespace Aegir.Core.Operations.Aegir3;

/// <summary>
/// The servers, platforms and sites an Aegir 3 (or BOA) server's alias files describe, as this module's records, read
/// and checked whole before anything is recorded: one file that cannot be read, a value no record takes, or a
/// reference to a context that is neither in the folder nor recorded here refuses them all. Aegir's own front end
/// (the hostmaster site, and its platform when no other site is on it) is left out: the module is the front end.
/// </summary>
public sealed class Aegir3Contexts
{
    /// <summary>Aegir's front end: the site of this name (or of this profile).</summary>
    public const string Hostmaster = "hostmaster";

    public List<AegirServer> Servers { get; } = [];
    public List<(PlatformDefinition Definition, string File)> Platforms { get; } = [];
    public List<Aegir3Site> Sites { get; } = [];
    public List<Aegir3Note> Notes { get; } = [];

    readonly Dictionary<string, string> _serverFiles = new(StringComparer.Ordinal);

    /// <summary>The alias file a server was read from.</summary>
    public string FileOf(AegirServer server) => _serverFiles.TryGetValue(server.Name, out var file) ? file : server.Name + Aegir3Alias.FileSuffix;

    /// <summary>Reads every *.alias.drushrc.php of <paramref name="folder"/>; references may also name records <paramref name="store"/> has.</summary>
    public static Aegir3Contexts Read(string folder, ContextStore store)
    {
        if (!Directory.Exists(folder))
            throw ErrorCatalog.InvalidValue("Path", folder, "it is no folder", "Give Aegir's alias folder, such as /var/aegir/.drush (or a copy of it).");
        var files = Directory.GetFiles(folder, "*" + Aegir3Alias.FileSuffix).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            throw ErrorCatalog.InvalidValue("Path", folder, $"it holds no *{Aegir3Alias.FileSuffix} files", "Give Aegir's alias folder, such as /var/aegir/.drush (or a copy of it).");
        var result = new Aegir3Contexts();
        var aliases = new List<Aegir3Alias>();
        foreach (var file in files)
        {
            var alias = Aegir3Alias.Read(file, ReadAlias(file));
            if (Path.GetFileName(file) != alias.Name + Aegir3Alias.FileSuffix)
                result.Note(alias, $"the file names the alias '{alias.Name}', not its own name; read as '{alias.Name}'", warning: true);
            if (alias.ContextType is "server" or "platform" or "site") aliases.Add(alias);
            else result.Note(alias, alias.ContextType is null ? "a plain drush alias (no context_type), not one of Aegir's contexts: skipped"
                : $"a context of type '{alias.ContextType}', which is no server, platform or site: skipped", warning: true);
        }
        foreach (var a in aliases) result.ReportKeys(a);
        foreach (var a in aliases.Where(a => a.ContextType == "server"))
        {
            var server = Guard(a, () => Server(a, result));
            result.Servers.Add(server);
            result._serverFiles[server.Name] = a.File;
        }
        var sites = aliases.Where(a => a.ContextType == "site").ToList();
        foreach (var a in sites)
        {
            var uri = a.Text("uri") ?? a.Name;
            bool front = a.Name == Hostmaster || a.Text("profile") == Hostmaster;
            if (front) result.Note(a, "Aegir's own front end (the hostmaster site): not taken in, as the module is the front end", warning: true);
            else if (a.Name != uri && sites.Any(o => o != a && o.Name == uri))
                result.Note(a, $"a drush alias of the site {uri} (its drush_aliases): taken in once, as {uri}", warning: false);
            else result.Sites.Add(Guard(a, () => Site(a, uri, result)));
        }
        var frontPlatforms = sites.Where(a => a.Name == Hostmaster || a.Text("profile") == Hostmaster)
            .Where(a => a.Reference("platform") is not null).Select(a => Guard(a, () => Name(a.Reference("platform"), ContextType.Platform))).ToHashSet();
        foreach (var a in aliases.Where(a => a.ContextType == "platform"))
        {
            var definition = Guard(a, () => Platform(a));
            if (frontPlatforms.Contains(definition.Name) && !result.Sites.Any(s => s.Platform == definition.Name))
                result.Note(a, "the platform of Aegir's front end, with no other site: not taken in", warning: true);
            else result.Platforms.Add((definition, a.File));
        }
        result.CheckOneFilePerSite();
        result.CheckWebServers(sites, store);
        result.CheckReferences(store);
        return result;
    }

    /// <summary>
    /// One alias file's text, never through a link (one could lead to a file only root may read, or to /dev/zero) and
    /// never from a FIFO or device: only a regular file in the folder, read up to a bound from the handle opened.
    /// </summary>
    static string ReadAlias(string file)
    {
        const string Fix = "Put the alias file itself in the folder (a copy, not a link), or move this out of the folder.";
        try
        {
            switch (IO.SafePath.KindOf(file))
            {
                case 0xA000: throw ErrorCatalog.Aegir3ContextUnread(file, 0, "it is a symlink; links in the folder are not followed", Fix);
                case 0x8000: break;
                default: throw ErrorCatalog.Aegir3ContextUnread(file, 0, "it is not a regular file (a FIFO, device or folder)", Fix);
            }
            var bytes = IO.SafePath.ReadFile(file, Core.Platforms.PhpData.MaxBytes + 1)
                ?? throw ErrorCatalog.Aegir3ContextUnread(file, 0, "it went away while the folder was read", "Run the import again.");
            if (bytes.Length > Core.Platforms.PhpData.MaxBytes) throw ErrorCatalog.Aegir3ContextUnread(file, 0, "it is far larger than an alias file Aegir writes", "Move it out of the folder.");
            return System.Text.Encoding.UTF8.GetString(bytes);
        }
        catch (IOException ex) { throw ErrorCatalog.Aegir3ContextUnread(file, 0, ex.Message, Fix); }
    }

    static AegirServer Server(Aegir3Alias a, Aegir3Contexts result)
    {
        var server = new AegirServer(Name(a.Name, ContextType.Server));
        if (server.Name == ContextNames.Master)
        {
            // This machine, as New-AegirServer master records it: the module's home holds its config, its user runs the work.
            server.RemoteHost = "localhost";
            server.ScriptUser = AegirServer.LocalScriptUser();
            result.Note(a, "server_master is this machine: recorded with remote_host localhost, the module's own script user and home", warning: false);
        }
        else if (a.Text("http_service_type") != ServiceCatalog.Cluster)   // a cluster is no machine: its members are
        {
            server.RemoteHost = a.Text("remote_host") ?? "localhost";
            if (a.Text("script_user") is { } user) server.ScriptUser = Validate.ScriptUser("script_user", user);
            if (a.Text("aegir_root") is { } root) server.AegirRoot = root;
        }
        var http = a.Text("http_service_type") switch
        {
            null or "null" or "NONE" => ServiceCatalog.None,
            "apache" or "apache_ssl" => "apache",
            "nginx" or "nginx_ssl" => "nginx",
            "cluster" => ServiceCatalog.Cluster,
            var other => throw Unsupported(a, "http_service_type", other, "apache, apache_ssl, nginx, nginx_ssl or cluster (a pack server's web servers are recorded one by one, or as a cluster)"),
        };
        if (http == ServiceCatalog.Cluster)
        {
            server.Http.ChangeType(http);
            var members = a.List("cluster_web_servers").Select(m => Name(m.TrimStart('@'), ContextType.Server)).ToList();
            if (members.Count == 0) throw a.Wrong("cluster_web_servers", "a list of the cluster's web servers");
            server.Http.Set(AegirServer.ClusterMembersSetting, string.Join(',', members));
        }
        else if (http != ServiceCatalog.None)
        {
            server.Http.ChangeType(http);
            if (a.Text("http_port") is { } port) server.Http.Set("port", port);
            if (a.Text("http_ssl_port") is { } ssl) server.Http.Set("https_port", ssl);
            if (a.Text("web_group") is { } group) server.Http.Set("web_group", group);
        }
        var dbTypes = ServiceCatalog.TypesOf(ServiceCatalog.Db).Where(t => t != ServiceCatalog.None).ToList();
        var db = a.Text("db_service_type") switch
        {
            null or "null" or "NONE" => ServiceCatalog.None,
            var known when dbTypes.Contains(known) => known,
            var other => throw Unsupported(a, "db_service_type", other, string.Join(" or ", dbTypes)),
        };
        if (db != ServiceCatalog.None)
        {
            server.Db.ChangeType(db);
            var master = MasterDb(a);
            server.Db.Set("admin_user", master.User);
            server.Db.Set("admin_password", master.Password);
            if (!string.Equals(master.Host, server.RemoteHost, StringComparison.OrdinalIgnoreCase)) server.Db.Set("host", master.Host);
            if ((a.Text("db_port") ?? master.Port) is { } port) server.Db.Set("port", port);
        }
        if (http == ServiceCatalog.None && db == ServiceCatalog.None) result.Note(a, "it names no http or db service: recorded without services", warning: true);
        return server;
    }

    /// <summary>Aegir's master_db, {type}://{user}:{password}@{host}[:port], each part url-decoded as Aegir reads it. Never shown: it holds the password.</summary>
    static (string User, string Password, string Host, string? Port) MasterDb(Aegir3Alias a)
    {
        var text = a.Text("master_db") ?? throw a.Wrong("master_db", "the database admin's address (mysql://user:password@host), which a server with a db service has");
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var at = text.LastIndexOf('@');
        var colon = scheme < 0 || at < 0 ? -1 : text.IndexOf(':', scheme + 3);
        if (scheme <= 0 || at < 0 || colon < 0 || colon > at) throw a.Wrong("master_db", "of the form mysql://user:password@host (its value is not shown)");
        var user = Uri.UnescapeDataString(text[(scheme + 3)..colon]);
        var password = Uri.UnescapeDataString(text[(colon + 1)..at]);
        var hostPort = text[(at + 1)..].TrimEnd('/');
        string? port = null;
        if (!hostPort.StartsWith('[') && hostPort.LastIndexOf(':') is > 0 and var p) { port = hostPort[(p + 1)..]; hostPort = hostPort[..p]; }
        if (user.Length == 0 || password.Length == 0 || hostPort.Length == 0) throw a.Wrong("master_db", "of the form mysql://user:password@host with all three given (its value is not shown)");
        return (user, password, hostPort.Trim('[', ']'), port);
    }

    static PlatformDefinition Platform(Aegir3Alias a)
    {
        var root = a.Text("root") ?? throw a.Wrong("root", "the platform's folder, which every platform has");
        var definition = new PlatformDefinition(Name(a.Name, ContextType.Platform), root, Name(a.Reference("web_server") ?? ContextNames.Master, ContextType.Server));
        _ = definition.ToPlatform();   // every value checked now
        PlatformRoots.Check(root, root, home: null);   // a system folder as written; verify judges where it leads on its server
        return definition;
    }

    static Aegir3Site Site(Aegir3Alias a, string uri, Aegir3Contexts result)
    {
        if (a.Name != uri) result.Note(a, $"its name is not its uri: taken in as {uri}", warning: true);
        var platform = a.Reference("platform") ?? throw a.Wrong("platform", "the site's platform, which every site has");
        string? redirection = a.Properties.TryGet("redirection", out var r) && r is true ? uri : a.Text("redirection") is { } target and not "1" ? target : null;
        var aliases = a.List("aliases").Where(x => !string.Equals(x, uri, StringComparison.OrdinalIgnoreCase)).ToList();
        var site = new Aegir3Site(uri, Name(platform, ContextType.Platform), Name(a.Reference("db_server") ?? ContextNames.Master, ContextType.Server),
            aliases, redirection, a.Text("profile"), a.Text("language"), a.Flag("site_enabled", absent: true), a.File);
        var record = site.ToRecord(null);   // every value checked now
        return site with { Uri = record.Uri, Aliases = record.Aliases, Redirection = record.Redirection };
    }

    /// <summary>Every key of the file is accounted for: unknown ones and set ones the module does not carry are warnings, derived ones a detail.</summary>
    void ReportKeys(Aegir3Alias a)
    {
        var type = a.ContextType!;
        var derived = new List<string>();
        foreach (var key in a.Properties.Entries.Select(e => e.Key as string ?? e.Key.ToString()!))
        {
            if (Aegir3Keys.Carried[type].Contains(key)) continue;
            if (Aegir3Keys.Derived[type].Contains(key)) derived.Add(key);
            else if (Aegir3Keys.NotCarried[type].TryGetValue(key, out var why))
            {
                if (a.Flag(key, absent: false)) Note(a, $"'{key}' is not carried: {why}", warning: true);
            }
            else Note(a, $"unknown key '{key}' for a {type}: not carried (its value is not shown); if it matters, set the like of it by hand", warning: true);
        }
        if (derived.Count > 0) Note(a, $"derived by Aegir, found anew by the module: {string.Join(", ", derived)}", warning: false);
    }

    /// <summary>Two files for one site would record one and leave which unsaid: both are named, nothing is recorded.</summary>
    void CheckOneFilePerSite()
    {
        foreach (var same in Sites.GroupBy(s => s.Uri, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            var files = same.Select(s => s.File).ToList();
            throw ErrorCatalog.Aegir3ContextUnread(files[1], 0, $"it describes the site {same.Key}, as {files[0]} does",
                "Move one of the two files out of the folder (keep the one Aegir wrote last), then run the import again.");
        }
    }

    /// <summary>A site's own server ('web_server', else 'server') is its platform's web server in Aegir: another one is said, the platform's is used.</summary>
    void CheckWebServers(List<Aegir3Alias> sites, ContextStore store)
    {
        var platforms = Platforms.ToDictionary(p => p.Definition.Name, p => p.Definition.WebServer);
        foreach (var site in Sites)
        {
            var a = sites.First(x => x.File == site.File);
            if ((a.Reference("web_server") ?? a.Reference("server")) is not { } named) continue;
            var own = platforms.TryGetValue(site.Platform, out var w) ? w : (store.TryGet(site.Platform) as AegirPlatform)?.WebServerName;
            string server;
            try { server = Name(named, ContextType.Server); } catch (AegirException) { server = named; }
            if (own is not null && server != own)
                Note(a, $"it names the web server @{server}, but its platform @{site.Platform} is served by @{own}: taken in on @{own}, as the platform decides", warning: true);
        }
    }

    /// <summary>What each record names is in the folder or recorded here, and of the right kind.</summary>
    void CheckReferences(ContextStore store)
    {
        var servers = Servers.ToDictionary(s => s.Name);
        bool IsServer(string name, string service, out bool hasIt)
        {
            var server = servers.TryGetValue(name, out var s) ? s : store.TryGet(name) as AegirServer;
            hasIt = server is not null && !server.Service(service).IsNull;
            return server is not null;
        }
        foreach (var server in Servers)
            foreach (var member in server.ClusterMembers)
                if (!IsServer(member, ServiceCatalog.Http, out var web) || !web)
                    throw ErrorCatalog.Aegir3ContextUnread(FileOf(server), 0, $"its cluster member @{member} is no server with an http service in the folder or recorded here",
                        "Put that server's alias file in the folder (or record it with New-AegirServer), or move this file out.");
        foreach (var (platform, file) in Platforms)
            if (!IsServer(platform.WebServer!, ServiceCatalog.Http, out var web) || !web)
                throw ErrorCatalog.Aegir3ContextUnread(file, 0, $"its web_server @{platform.WebServer} is no server with an http service in the folder or recorded here",
                    "Put that server's alias file in the folder (or record it with New-AegirServer), or move this file out.");
        var platforms = Platforms.Select(p => p.Definition.Name).ToHashSet();
        foreach (var site in Sites)
        {
            if (!platforms.Contains(site.Platform) && store.TryGet(site.Platform) is not AegirPlatform)
                throw ErrorCatalog.Aegir3ContextUnread(site.File, 0, $"its platform @{site.Platform} is neither in the folder nor recorded here",
                    "Put the platform's alias file in the folder (or record it with New-AegirPlatform), or move this file out.");
            if (!IsServer(site.DbServer, ServiceCatalog.Db, out var db) || !db)
                throw ErrorCatalog.Aegir3ContextUnread(site.File, 0, $"its db_server @{site.DbServer} is no server with a db service in the folder or recorded here",
                    "Put that server's alias file in the folder (or record it with New-AegirServer), or move this file out.");
        }
    }

    static string Name(string? name, ContextType type)
        => ContextNames.Canonical(type == ContextType.Server ? "web_server" : "platform", name, type);

    void Note(Aegir3Alias a, string message, bool warning) => Notes.Add(new Aegir3Note(a.File, message, warning));

    static AegirException Unsupported(Aegir3Alias a, string key, string value, string known)
        => ErrorCatalog.Aegir3ContextUnread(a.File, 0, $"its {key} '{value}' is not one this module has", $"Use {known}, or move the file out and record the server by hand.");

    /// <summary>A value no record takes is an error of the file it came from.</summary>
    static T Guard<T>(Aegir3Alias a, Func<T> map)
    {
        try { return map(); }
        catch (AegirException ex) when (ex.ErrorId != "Aegir3ContextUnread")
        {
            throw ErrorCatalog.Aegir3ContextUnread(a.File, 0, ex.Message, "Correct the value in the file, or move the file out of the folder.");
        }
    }
}
