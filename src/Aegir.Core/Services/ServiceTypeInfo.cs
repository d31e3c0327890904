namespace Aegir.Core.Services;

/// <summary>One implementation of a service (nginx for http, mysql for db) and the settings it adds to a server.</summary>
public sealed class ServiceTypeInfo(string service, string type, string description, IReadOnlyList<ServiceSetting> settings)
{
    public string Service { get; } = service;
    public string Type { get; } = type;
    public string Description { get; } = description;
    public IReadOnlyList<ServiceSetting> Settings { get; } = settings;
    public bool IsNull => Type == ServiceCatalog.None;

    public ServiceSetting? Find(string name) => Settings.FirstOrDefault(s => s.Name == name);

    public override string ToString() => $"{Service}:{Type}";
}
