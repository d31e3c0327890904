using Aegir.Core.Contexts;

namespace Aegir.Core.Services;

/// <summary>
/// One implementation of a service (nginx for http, mysql for db): the settings it adds to a server, and how to
/// make the service for a server (null for the "none" types).
/// </summary>
public sealed class ServiceTypeInfo(string service, string type, string description, IReadOnlyList<ServiceSetting> settings,
    Func<AegirServer, IServiceEnvironment, object>? create = null, Func<string, ILocalDatabase>? local = null)
{
    public string Service { get; } = service;
    public string Type { get; } = type;
    public string Description { get; } = description;
    public IReadOnlyList<ServiceSetting> Settings { get; } = settings;
    public bool IsNull => Type == ServiceCatalog.None;

    internal Func<AegirServer, IServiceEnvironment, object>? Create { get; } = create;

    /// <summary>A private instance of this db service type in a folder (Start-AegirLocalServer); null when it has none.</summary>
    public Func<string, ILocalDatabase>? Local { get; } = local;

    /// <summary>The names its processes run under (as /proc shows them): a port one of them holds is its own.</summary>
    public IReadOnlyList<string> Programs { get; init; } = [];

    /// <summary>The system accounts it runs as: never a script user, whose commands would own its files.</summary>
    public IReadOnlyList<string> Accounts { get; init; } = [];

    public ServiceSetting? Find(string name) => Settings.FirstOrDefault(s => s.Name == name);

    public override string ToString() => $"{Service}:{Type}";
}
