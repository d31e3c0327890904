namespace Aegir.Core.Contexts;

/// <summary>
/// One implementation of a service (nginx for http, mysql for db): the settings it adds to a server, and how to
/// make the service for a server (null for the "none" types). A record's schema, so it lives with the records; what
/// it makes (a service given its environment, a private database) is known to the services that ask for it.
/// </summary>
public sealed class ServiceTypeInfo(string service, string type, string description, IReadOnlyList<ServiceSetting> settings,
    Func<AegirServer, object, object>? create = null, Func<string, object>? local = null)
{
    public string Service { get; } = service;
    public string Type { get; } = type;
    public string Description { get; } = description;
    public IReadOnlyList<ServiceSetting> Settings { get; } = settings;
    public bool IsNull => Type == ServiceCatalog.None;

    /// <summary>Makes the service for a server, given the services' environment.</summary>
    public Func<AegirServer, object, object>? Create { get; } = create;

    /// <summary>A private instance of this db service type in a folder (Start-AegirLocalServer); null when it has none.</summary>
    public Func<string, object>? Local { get; } = local;

    /// <summary>The names its processes run under (as /proc shows them): a port one of them holds is its own.</summary>
    public IReadOnlyList<string> Programs { get; init; } = [];

    /// <summary>The system accounts it runs as: never a script user, whose commands would own its files.</summary>
    public IReadOnlyList<string> Accounts { get; init; } = [];

    public ServiceSetting? Find(string name) => Settings.FirstOrDefault(s => s.Name == name);

    public override string ToString() => $"{Service}:{Type}";
}
