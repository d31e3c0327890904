using System.Reflection;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Contexts;

/// <summary>
/// The service types a server can use, by service, found from the classes marked <see cref="ServiceTypeAttribute"/>.
/// The context classes and cmdlets pick up a new type without change.
/// </summary>
public static class ServiceCatalog
{
    public const string Http = "http";
    public const string Db = "db";
    /// <summary>How the control machine reaches the server: none (it is this machine) or ssh.</summary>
    public const string Transport = "transport";
    public const string None = "none";
    /// <summary>The http type of a cluster: web servers serving the same sites, with no address of its own.</summary>
    public const string Cluster = "cluster";

    static readonly object Gate = new();
    static readonly Dictionary<string, Dictionary<string, ServiceTypeInfo>> Types = new(StringComparer.Ordinal);

    static ServiceCatalog()
    {
        foreach (var type in typeof(ServiceCatalog).Assembly.GetTypes())
        {
            if (!type.IsDefined(typeof(ServiceTypeAttribute), inherit: false)) continue;
            var info = type.GetProperty("Info", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as ServiceTypeInfo
                       ?? throw new InvalidOperationException($"{type.Name} is marked [ServiceType] but has no public static ServiceTypeInfo Info.");
            Register(info);
        }
    }

    public static IReadOnlyList<string> Services
    {
        get { lock (Gate) return Types.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList(); }
    }

    /// <summary>The system accounts of every service type (mysql, www-data ...).</summary>
    public static IReadOnlySet<string> Accounts
    {
        get { lock (Gate) return Types.Values.SelectMany(t => t.Values).SelectMany(i => i.Accounts).ToHashSet(StringComparer.Ordinal); }
    }

    public static IReadOnlyList<string> TypesOf(string service)
    {
        lock (Gate)
            return Types.TryGetValue(service, out var byType) ? byType.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList() : [];
    }

    public static ServiceTypeInfo Get(string service, string type)
    {
        lock (Gate)
        {
            if (Types.TryGetValue(service, out var byType) && byType.TryGetValue(type, out var info)) return info;
        }
        throw ErrorCatalog.UnknownServiceType(service, type, TypesOf(service));
    }

    public static void Register(ServiceTypeInfo info)
    {
        lock (Gate)
        {
            if (!Types.TryGetValue(info.Service, out var byType))
                Types[info.Service] = byType = new Dictionary<string, ServiceTypeInfo>(StringComparer.Ordinal);
            byType[info.Type] = info;
        }
    }
}
