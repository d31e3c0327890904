using Aegir.Core.Yaml;

namespace Aegir.Core.Contexts;

/// <summary>A machine that provides services (http, db) to platforms and sites.</summary>
public sealed class AegirServer : AegirContext
{
    readonly SortedDictionary<string, AegirService> _services = new(StringComparer.Ordinal);
    /// <summary>The script user of a server that names none: an unprivileged system account.</summary>
    public const string DefaultScriptUser = "aegir";

    /// <summary>Where the module keeps a remote server's config and logs when its record names no other folder.</summary>
    public const string DefaultRemoteRoot = "/var/aegir";

    string _remoteHost = "localhost";
    string _scriptUser = DefaultScriptUser;
    string? _aegirRoot;

    public AegirServer(string name) : base(name)
    {
        foreach (var service in ServiceCatalog.Services) _services[service] = new AegirService(service);
    }

    [Newtonsoft.Json.JsonIgnore]
    public override ContextType Type => ContextType.Server;

    public string RemoteHost { get => _remoteHost; set => _remoteHost = Validate.RemoteHost(nameof(RemoteHost), value); }

    /// <summary>The account commands for sites run as on the server (never root: see Transport.ScriptUser).</summary>
    public string ScriptUser { get => _scriptUser; set => _scriptUser = Validate.PosixName(nameof(ScriptUser), value); }

    /// <summary>
    /// The module's folder on the server (its web server config and site logs live below it): null for AEGIR_HOME on
    /// this machine and /var/aegir on any other.
    /// </summary>
    public string? AegirRoot { get => _aegirRoot; set => _aegirRoot = value is null ? null : Validate.AbsolutePath(nameof(AegirRoot), value); }

    /// <summary>
    /// The public key (SubjectPublicKeyInfo, base64) of the worker that runs this server's tasks on the server itself,
    /// over the broker: null when the control machine runs them over SSH. Its private key is on the server only.
    /// </summary>
    public string? WorkerKey { get => _workerKey; set => _workerKey = value is null ? null : Validate.WorkerKey(nameof(WorkerKey), value); }

    string? _workerKey;

    /// <summary>Every service of the server (Http and Db are the same objects).</summary>
    public IReadOnlyDictionary<string, AegirService> GetServices() => _services;

    /// <summary>
    /// The script user of a server on this machine: aegir when the module runs as root (commands for sites drop to
    /// it), else whoever runs the module, who cannot switch users.
    /// </summary>
    public static string LocalScriptUser()
    {
        if (IO.Posix.IsRoot) return DefaultScriptUser;
        try { return Validate.PosixName("ScriptUser", Environment.UserName); }
        catch (Errors.AegirException) { return DefaultScriptUser; }
    }

    public AegirService Http => _services[ServiceCatalog.Http];

    /// <summary>A cluster of web servers: no machine of its own, its members are (see Services.Cluster.ClusterService).</summary>
    public bool IsCluster => Http.Type == ServiceCatalog.Cluster;

    /// <summary>The cluster's setting naming its members.</summary>
    public const string ClusterMembersSetting = "members";

    /// <summary>The member servers' names a cluster's record holds, in order (the first is where single commands run); none for any other server.</summary>
    public IReadOnlyList<string> ClusterMembers
        => IsCluster && Http.Get(ClusterMembersSetting) is { } list ? list.Split(',', StringSplitOptions.RemoveEmptyEntries) : [];

    /// <summary>The machine a cluster's single commands run on (its first member, read back); any other server itself.</summary>
    public AegirServer? GetFirstMember() => IsCluster ? Resolve<AegirServer>(ClusterMembers.FirstOrDefault()) : this;

    /// <summary>A cluster names its members, each a server with a web service of its own.</summary>
    public override IEnumerable<ContextReference> References()
        => ClusterMembers.Select(m => new ContextReference("ClusterMembers", m, ContextType.Server, ServiceCatalog.Http));

    public AegirService Db => _services[ServiceCatalog.Db];

    /// <summary>How the control machine reaches the server (none: it is this machine; ssh).</summary>
    public AegirService Connection => Service(ServiceCatalog.Transport);

    /// <summary>The service by name, added as the null type if this server's file predates it.</summary>
    public AegirService Service(string service)
    {
        if (!_services.TryGetValue(service, out var s)) _services[service] = s = new AegirService(service);
        return s;
    }

    internal override void Read(ContextReader r)
    {
        r.Apply("remote_host", v => RemoteHost = v);
        r.Apply("script_user", v => ScriptUser = v);
        r.Apply("aegir_root", v => AegirRoot = v);
        r.Apply("worker_key", v => WorkerKey = v);
        var services = r.Mapping("services");
        if (services is null) return;
        foreach (var (service, node) in services.Entries)
        {
            if (!ServiceCatalog.Services.Contains(service))
                throw r.Corrupt(node, $"'{service}' is not a service (known: {string.Join(", ", ServiceCatalog.Services)})");
            if (node is not YamlMap map) throw r.Corrupt(node, $"the {service} service must be a mapping with a 'type'");
            var svc = Service(service);
            r.Apply(map, "type", svc.ChangeType);
            foreach (var (key, _) in map.Entries.Where(e => e.Key != "type"))
                r.Apply(map, key, v => svc.Set(key, v));
        }
    }

    internal override void Write(YamlWriter w)
    {
        w.Scalar("remote_host", RemoteHost).Scalar("script_user", ScriptUser);
        if (AegirRoot is not null) w.Scalar("aegir_root", AegirRoot);
        if (WorkerKey is not null) w.Scalar("worker_key", WorkerKey);
        w.BeginMap("services");
        foreach (var svc in _services.Values)
        {
            w.BeginMap(svc.Service).Scalar("type", svc.Type);
            foreach (var (key, value) in svc.StoredValues()) w.Scalar(key, value);
            w.EndMap();
        }
        w.EndMap();
    }
}
