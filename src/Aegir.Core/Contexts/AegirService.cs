using Aegir.Core.Errors;

namespace Aegir.Core.Contexts;

/// <summary>
/// One service of a server (http, db): its type and the settings that type declares.
/// Secret settings are held apart and never shown; <see cref="Settings"/> masks them.
/// </summary>
public sealed class AegirService
{
    public const string Mask = "********";

    readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    internal AegirService(string service, string type = ServiceCatalog.None)
    {
        Service = service;
        Type = ServiceCatalog.Get(service, type).Type;
    }

    public string Service { get; }

    public string Type { get; private set; }

    /// <summary>What the service type is and the settings it declares.</summary>
    public ServiceTypeInfo GetInfo() => ServiceCatalog.Get(Service, Type);

    public bool IsNull => Type == ServiceCatalog.None;

    /// <summary>The settings in declaration order, secrets masked.</summary>
    public IReadOnlyDictionary<string, string> Settings
    {
        get
        {
            var shown = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var s in GetInfo().Settings)
                if (_values.TryGetValue(s.Name, out var v)) shown[s.Name] = s.Kind == SettingKind.Secret ? Mask : v;
            return shown;
        }
    }

    /// <summary>A setting's value, or its declared default. Secrets are not returned here.</summary>
    public string? Get(string name)
    {
        var setting = Require(name);
        if (setting.Kind == SettingKind.Secret) return null;
        return _values.TryGetValue(name, out var v) ? v : setting.Default;
    }

    public int GetInt(string name) => int.Parse(Get(name) ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    public bool HasSecret(string name) => _values.ContainsKey(name) && Require(name).Kind == SettingKind.Secret;

    /// <summary>The plain value of a secret, for the engine only.</summary>
    internal string? RevealSecret(string name) => Require(name).Kind == SettingKind.Secret && _values.TryGetValue(name, out var v) ? v : null;

    /// <summary>Sets (or with null, clears) a setting after checking it against its declared kind.</summary>
    public void Set(string name, string? value)
    {
        var setting = Require(name);
        if (value is null) _values.Remove(name);
        else _values[name] = setting.Normalise(Service, value);
    }

    /// <summary>
    /// Switches to another type. A setting both types declare keeps its value if it was changed from the old
    /// type's default (nginx's reload command is no use to Apache); the new type's defaults fill the rest;
    /// settings only the old type knew are dropped.
    /// </summary>
    public void ChangeType(string type)
    {
        var info = ServiceCatalog.Get(Service, type);
        if (info.Type == Type && _values.Count > 0) return;
        var oldInfo = GetInfo();
        var old = new Dictionary<string, string>(_values);
        _values.Clear();
        Type = info.Type;
        foreach (var s in info.Settings)
        {
            bool customised = old.TryGetValue(s.Name, out var v) && v != oldInfo.Find(s.Name)?.Default;
            if (customised) _values[s.Name] = v!;
            else if (s.Default is not null) _values[s.Name] = s.Default;
        }
    }

    /// <summary>Stored values in declaration order, secrets included: for the context file only.</summary>
    internal IEnumerable<KeyValuePair<string, string>> StoredValues()
        => GetInfo().Settings.Where(s => _values.ContainsKey(s.Name)).Select(s => new KeyValuePair<string, string>(s.Name, _values[s.Name]));

    ServiceSetting Require(string name)
    {
        if (IsNull) throw ErrorCatalog.NoServiceSettings(Service, name);
        return GetInfo().Find(name) ?? throw ErrorCatalog.UnknownSetting(Service, Type, name, GetInfo().Settings.Select(s => s.Name));
    }

    public override string ToString() => Type;
}
