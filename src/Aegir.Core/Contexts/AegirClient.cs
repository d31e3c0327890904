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

    /// <summary>The group given access to the client's sites (see <see cref="ClientGroups"/>); defaults to the short name.</summary>
    public string UnixGroup
    {
        get => _unixGroup ?? ClientGroups.Default(ShortName);
        set => _unixGroup = string.IsNullOrEmpty(value) ? null : ClientGroups.Check(nameof(UnixGroup), value);
    }

    /// <summary>
    /// The admin's word that <see cref="UnixGroup"/>, where it exists on a server already, is theirs to give the
    /// client's sites (Set-AegirClient -AdoptGroup). Without it a group the module did not make for the client is
    /// refused; with it the group is used and never deleted by the module. A change of the group drops it.
    /// </summary>
    public bool AdoptGroup { get; set; }

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

    /// <summary>The UNIX users granted the client's sites (Grant-AegirClientAccess): members of its group on their web servers.</summary>
    public IReadOnlyList<string> People
    {
        get => _people;
        set => _people = value.Select(p => ClientPeople.Check("User", p)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    List<string> _people = [];

    internal override void Read(ContextReader r)
    {
        r.Apply("email", v => Email = v);
        // Read as any POSIX name, so a record written under older rules still loads (and can be changed); the client
        // rules are checked where it is written and where its group is used (ClientGroups.Require).
        r.Apply("unix_group", v => _unixGroup = Validate.PosixName(nameof(UnixGroup), v));
        AdoptGroup = r.Bool("adopt_group");
        r.Apply("max_sites", v => MaxSites = QuotaValues.SiteCount("max_sites", v));
        r.Apply("disk_quota", v => DiskQuota = QuotaValues.DiskSize("disk_quota", v));
        People = r.List("people", v => ClientPeople.Check("people", v));
    }

    internal override void Write(YamlWriter w) => w.Scalar("email", Email).Scalar("unix_group", _unixGroup).Scalar("adopt_group", AdoptGroup ? "true" : null)
        .Scalar("max_sites", MaxSites?.ToString(System.Globalization.CultureInfo.InvariantCulture)).Scalar("disk_quota", DiskQuota is { } q ? QuotaValues.Exact(q) : null)
        .List("people", _people);
}
