using Aegir.Core.Yaml;

namespace Aegir.Core.Contexts;

/// <summary>A customer who owns sites; its UNIX group gets access to their files.</summary>
public sealed class AegirClient : AegirContext
{
    string? _email;
    string? _unixGroup;

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
        People = r.List("people", v => ClientPeople.Check("people", v));
    }

    internal override void Write(YamlWriter w) => w.Scalar("email", Email).Scalar("unix_group", _unixGroup).List("people", _people);
}
