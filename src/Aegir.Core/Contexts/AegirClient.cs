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

    /// <summary>The group given access to the client's sites; defaults to the short name.</summary>
    public string UnixGroup
    {
        get => _unixGroup ?? DefaultGroup();
        set => _unixGroup = string.IsNullOrEmpty(value) ? null : Validate.PosixName(nameof(UnixGroup), value);
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
    }

    internal override void Write(YamlWriter w) => w.Scalar("email", Email).Scalar("unix_group", _unixGroup);
}
