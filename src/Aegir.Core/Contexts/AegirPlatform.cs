using Aegir.Core.Yaml;

namespace Aegir.Core.Contexts;

/// <summary>A codebase on a web server that sites run on.</summary>
public sealed class AegirPlatform : AegirContext
{
    string _root = "/";
    string _webServer = ContextNames.Master;

    public AegirPlatform(string name) : base(name) { }

    [Newtonsoft.Json.JsonIgnore]
    public override ContextType Type => ContextType.Platform;

    /// <summary>The absolute path of the codebase on the web server.</summary>
    public string Root { get => _root; set => _root = CheckRoot(value); }

    public string WebServerName { get => _webServer; set => _webServer = ContextNames.Canonical("WebServer", value, ContextType.Server); }

    /// <summary>The web server, read back through the store (a method, so output for scripts carries the name only).</summary>
    public AegirServer? GetWebServer() => Resolve<AegirServer>(_webServer);

    /// <summary>The kind of codebase (drupal, drupal7, wordpress, php), set by verify; null before.</summary>
    public string? Kind { get; set; }

    /// <summary>The kind an admin chose (-Kind), which verify keeps instead of detecting one; null to detect it.</summary>
    public string? ChosenKind { get => _chosenKind; set => _chosenKind = value is null ? null : CheckKind(value); }
    string? _chosenKind;

    /// <summary>The version of the codebase found by verify.</summary>
    public string? Version { get; set; }

    /// <summary>
    /// A folder of the control machine the codebase is kept in and pushed from (rsync over ssh to <see cref="Root"/>
    /// on its web server, on every verify); null when the code is kept on the web server itself.
    /// </summary>
    public string? Source { get => _source; set => _source = value is null ? null : Validate.AbsolutePath(nameof(Source), value); }
    string? _source;

    /// <summary>The git repository the platform was built from (New-AegirPlatform -Git); null for code put there otherwise.</summary>
    public string? Git { get => _git; set => _git = value is null ? null : GitSource.CheckUrl(value); }
    string? _git;

    /// <summary>The tag, branch or commit it was built from, as the admin named it.</summary>
    public string? Ref { get => _ref; set => _ref = value is null ? null : GitSource.CheckRef(value); }
    string? _ref;

    /// <summary>The commit the build checked out (a branch resolved when the platform was built); verify warns when the code is no longer it.</summary>
    public string? Commit { get => _commit; set => _commit = value is null ? null : GitSource.CheckCommit(value); }
    string? _commit;

    /// <summary>A locked platform takes no new sites.</summary>
    public bool Locked { get; set; }

    public override IEnumerable<ContextReference> References()
        => [new ContextReference("WebServer", _webServer, ContextType.Server, ServiceCatalog.Http)];

    internal override void Read(ContextReader r)
    {
        r.Required("root");
        r.Apply("root", v => Root = v);
        r.Apply("web_server", v => WebServerName = v);
        r.Apply("kind", v => Kind = Validate.ShortName("Kind", v));
        r.Apply("version", v => Version = CheckVersion(v));
        r.Apply("chosen_kind", v => ChosenKind = v);
        r.Apply("source", v => Source = v);
        r.Apply("git", v => Git = v);
        r.Apply("git_ref", v => Ref = v);
        r.Apply("git_commit", v => Commit = v);
        Locked = r.Bool("locked");
    }

    internal override void Write(YamlWriter w)
        => w.Scalar("root", Root).Scalar("web_server", WebServerName).Scalar("kind", Kind).Scalar("chosen_kind", ChosenKind).Scalar("version", Version).Scalar("source", Source)
            .Scalar("git", Git).Scalar("git_ref", Ref).Scalar("git_commit", Commit).Scalar("locked", Locked);

    static string CheckRoot(string value)
    {
        var root = Validate.AbsolutePath(nameof(Root), value);
        if (root == "/")
            throw Errors.ErrorCatalog.InvalidValue(nameof(Root), value, "a platform cannot be the whole file system", "Give the folder that holds the codebase, such as /var/aegir/platforms/drupal10.");
        return root;
    }

    static string CheckKind(string value)
        => PlatformKindNames.All.Contains(value) ? value
            : throw Errors.ErrorCatalog.InvalidValue("Kind", value, "it is not a platform kind", $"Use one of {string.Join(", ", PlatformKindNames.All)}, or leave -Kind out to detect it.");

    static string CheckVersion(string value)
        => Validate.VersionProblem(value) is { } why
            ? throw Errors.ErrorCatalog.InvalidValue("Version", value, why, "Use letters, digits and . - + _ ~ :, as in 10.3.1 or 1:2.3~rc1-1.")
            : value;
}
