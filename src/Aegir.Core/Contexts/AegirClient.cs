using Aegir.Core.Yaml;

namespace Aegir.Core.Contexts;

/// <summary>A customer who owns sites; its UNIX group gets access to their files.</summary>
public sealed class AegirClient : AegirContext
{
    string? _email;
    string? _unixGroup;
    int? _maxSites;
    long? _diskQuota;

    public AegirClient(string name) : base(name) { }

    [Newtonsoft.Json.JsonIgnore]
    public override ContextType Type => ContextType.Client;

    /// <summary>The client's name without the <c>client_</c> prefix.</summary>
    public string ShortName => Name[ContextNames.Prefix(ContextType.Client).Length..];

    public string? Email { get => _email; set => _email = string.IsNullOrEmpty(value) ? null : Validate.Email(nameof(Email), value); }

    /// <summary>The group given access to the client's sites; defaults to the short name.</summary>
    public string UnixGroup
    {
        get => _unixGroup ?? DefaultGroup();
        set => _unixGroup = string.IsNullOrEmpty(value) ? null : Validate.PosixName(nameof(UnixGroup), value);
    }

    /// <summary>How many sites the client may have; null is no limit (New-AegirSite refuses one past it).</summary>
    public int? MaxSites
    {
        get => _maxSites;
        set => _maxSites = value is null or 0 ? null : value > 0 ? value
            : throw Errors.ErrorCatalog.InvalidValue(nameof(MaxSites), value.ToString(), "it is below 0", "Give 0 for no limit, or the number of sites the client may have.");
    }

    /// <summary>The disk space its sites may take up, in bytes, as their statistics measure them; null is no limit.</summary>
    public long? DiskQuota
    {
        get => _diskQuota;
        set => _diskQuota = value is null or 0 ? null : value is > 0 and <= QuotaValues.MaxDiskBytes ? value
            : throw Errors.ErrorCatalog.InvalidValue(nameof(DiskQuota), value.ToString(), "it is below 0 or over 1PB", "Give a size such as 2GB, or 0 for no limit.");
    }

    string DefaultGroup()
    {
        var group = ShortName.Length > 32 ? ShortName[..32] : ShortName;
        return char.IsAsciiDigit(group[0]) ? "_" + group[..Math.Min(group.Length, 31)] : group;
    }

    internal override void Read(ContextReader r)
    {
        r.Apply("email", v => Email = v);
        r.Apply("unix_group", v => UnixGroup = v);
        r.Apply("max_sites", v => MaxSites = QuotaValues.SiteCount("max_sites", v));
        r.Apply("disk_quota", v => DiskQuota = QuotaValues.DiskSize("disk_quota", v));
    }

    internal override void Write(YamlWriter w) => w.Scalar("email", Email).Scalar("unix_group", _unixGroup)
        .Scalar("max_sites", MaxSites?.ToString(System.Globalization.CultureInfo.InvariantCulture)).Scalar("disk_quota", DiskQuota is { } q ? QuotaValues.Exact(q) : null);
}
