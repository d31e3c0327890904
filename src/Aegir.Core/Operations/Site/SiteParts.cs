using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Platforms;
using Aegir.Core.Services;
using Aegir.Core.Services.Http;
using Aegir.Core.Tasks;

namespace Aegir.Core.Operations.Site;

/// <summary>A site with everything it runs on, resolved from fresh records: its platform and kind, web and database servers and their services.</summary>
internal sealed class SiteParts
{
    public required AegirSite Site { get; init; }
    public required AegirPlatform Platform { get; init; }
    /// <summary>The machine the site's single commands (installer, backup, site commands) run on: a cluster's first member.</summary>
    public required AegirServer Web { get; init; }
    /// <summary>The platform's web server as recorded: a cluster, or <see cref="Web"/> itself.</summary>
    public AegirServer Hosting => _hosting ?? Web;
    AegirServer? _hosting;
    /// <summary>The site on each machine that serves it: a cluster's members, each with its own web service; else this alone.</summary>
    public IReadOnlyList<SiteParts> Members => _members ?? [this];
    IReadOnlyList<SiteParts>? _members;
    /// <summary>" on @member" for one member of a cluster, for what the plan and the log say; nothing for a server of its own.</summary>
    public string OnMember => _hosting is { IsCluster: true } ? $" on @{Web.Name}" : "";
    /// <summary>The server of the site's database; null for a site without one (<see cref="AegirSite.HasDatabase"/>).</summary>
    public required AegirServer? DbServer { get; init; }
    public required IHttpService Http { get; init; }
    public required IDbService? Db { get; init; }
    public required IPlatformKind Kind { get; init; }
    public required OperationEnvironment Env { get; init; }
    string? _owner, _ownerGroup;

    /// <summary>
    /// Who owns the site's files and runs its PHP and commands: the site's own account on a server with a pool for each
    /// site, else the script user (checked when first asked: removing a site needs none).
    /// </summary>
    public string Owner => _owner ??= PerSite ? Account : Env.Owner(Web);

    /// <summary>
    /// Whether the site runs in a PHP-FPM pool of its own, as its own account, on <see cref="Web"/>: each member of a
    /// cluster as its own setting and connection say (the site as a whole: as its first member, where its single
    /// commands run, says).
    /// </summary>
    public bool PerSite => _perSite ??= Env.PerSitePools(Web);
    bool? _perSite;

    /// <summary>
    /// The account the site's PHP and commands run as where it has a pool of its own: its client's (the same on every
    /// server) when its web server says php_accounts per-client and it has a client; else its own.
    /// </summary>
    public Services.Php.PhpAccount RunAs => _runAs ??= Site.ClientName is { } client && Web.Http.Get("php_accounts") == "per-client"
        ? Services.Php.PhpAccount.ForClient(client[ContextNames.Prefix(ContextType.Client).Length..], Env.Home)
        : Services.Php.PhpAccount.ForSite(Site.Uri, Env.Home);
    Services.Php.PhpAccount? _runAs;

    /// <summary>The name of the account the site runs as (<see cref="RunAs"/>).</summary>
    public string Account => RunAs.Name;

    /// <summary>The name of the site's own pool (its file, folder and socket): the site's own account's, whoever it runs as.</summary>
    public string PoolName => Services.Php.SiteAccount.NameFor(Site.Uri, Env.Home);

    /// <summary>The pools of the site's web server.</summary>
    public Services.Php.PhpPools Pools => Env.Pools(Web);
    public string OwnerGroup => _ownerGroup ??= Env.Connect(Web).PrimaryGroup(Owner);

    public string WebGroup => Http.WebGroup;

    public static SiteParts Resolve(AegirSite site, OperationEnvironment env)
    {
        var platform = env.Store.GetFresh<AegirPlatform>(site.PlatformName, "Platform");
        var hosting = env.Server(platform.WebServerName, "WebServer");
        var db = site.DbServerName is { } server ? env.Server(server, "DbServer") : null;
        var web = env.FirstMember(hosting);
        var kind = env.KindOf(platform, web);
        var dbService = db is null ? null : env.Db(db);
        SiteParts On(AegirServer machine, AegirServer? cluster) => new()
        {
            Site = site, Platform = platform, Web = machine, DbServer = db, _hosting = cluster,
            Http = env.Http(machine), Db = dbService, Kind = kind, Env = env,
        };
        if (!hosting.IsCluster) return On(hosting, null);
        return new SiteParts
        {
            Site = site, Platform = platform, Web = web, DbServer = db, _hosting = hosting,
            Http = env.Http(hosting), Db = dbService, Kind = kind, Env = env,
            _members = env.Members(hosting).Select(m => On(m, hosting)).ToList(),
        };
    }

    /// <summary>Whether the site has a database (its record names a database server for it).</summary>
    public bool HasDatabase => DbServer is not null;

    /// <summary>The site's database server and its service, for what only a site with a database does; the caller has checked <see cref="HasDatabase"/>.</summary>
    public (AegirServer Server, IDbService Service) DatabaseServer
        => DbServer is { } server && Db is { } db ? (server, db) : throw ErrorCatalog.SiteHasNoDatabase(Site.Uri, Platform.Name);

    /// <summary>
    /// The site's folders as the kind lists them, with the owner and group each gets: the site's own (its roots and
    /// below) the script user's; the folders above them (files/, wp-content/uploads/sites/), which hold every site's,
    /// root's, so that no site's user can put a link where another site's folder, or a restore's copy, is made.
    /// </summary>
    public IEnumerable<(SiteDirectory Dir, string Owner, string Group)> Folders()
    {
        var roots = Kind.SiteRoots(Site.Uri);
        var admin = Env.Connect(Web).User;
        foreach (var d in Kind.SiteDirectories(Site.Uri))
            yield return roots.Any(r => d.Path == r || d.Path.StartsWith(r + "/", StringComparison.Ordinal))
                ? (d, Owner, d.WebWritable ? WebGroup : OwnerGroup)
                : (d, admin, Env.Connect(Web).PrimaryGroup(admin));
    }

    public SiteDatabase Database() => DatabaseOf(Site, Db ?? throw ErrorCatalog.SiteHasNoDatabase(Site.Uri, Platform.Name));

    /// <summary>The site's database, or null for a site without one.</summary>
    public SiteDatabase? DatabaseIfAny() => HasDatabase ? Database() : null;

    /// <summary>The site's database as its record and its server's service say: the user is named for the database.</summary>
    public static SiteDatabase DatabaseOf(AegirSite site, IDbService db)
    {
        if (site.DbName is null || site.DbPassword is null)
            throw ErrorCatalog.StepFailed(ErrorIds.SiteNotInstalled, $"Reading the database of {site.Uri}", "the site has no database recorded", "Install the site first (Install-AegirSite).");
        return new SiteDatabase(db.Driver, db.Host, db.Port, site.DbName, site.DbName, site.DbPassword);
    }

    public VhostModel Vhost(bool enabled)
        => SiteAreas.For(Kind, new(Site.Uri, Platform.Name, Platform.Root, Site.HostNames().ToList(), Site.Redirection, enabled, null, DatabaseIfAny())
        {
            Tuning = Site.Tuning(), Socket = Socket, Tls = SiteCertificates.Tls(this),
            MemberSockets = _members?.ToDictionary(m => m.Web.Name, m => m.Socket, StringComparer.Ordinal),
        });

    /// <summary>The socket of the site's own pool on <see cref="Web"/>; null where it shares the server's pool.</summary>
    string? Socket => PerSite ? Pools.Socket(PoolName) : null;

    /// <summary>The site's address as its application gives it: over HTTPS for a site served so.</summary>
    public string SiteUrl => Http.Url(Site.Redirection ?? Site.Uri, Site.Https != HttpsMode.Disabled);

    /// <summary>The site's pool file as it should be: its limits, and its credentials in its environment.</summary>
    public string PoolFile()
        => Pools.Render(Site.Uri, PoolName, Account, Platform.Root, Site.Tuning().Over(Kind.Tuning),
            SiteJob.Environment(DatabaseIfAny(), Site.Uri, SiteUrl, ownPool: true));

    /// <summary>
    /// The account the site's commands (cron, an admin's) run as now: the one its pool runs as, once it has one (a site
    /// made before each had its own, or moving to its client's account, moves on its next verify), else the script user.
    /// </summary>
    public string CommandUser => _commandUser ??= (PerSite ? Pools.UserOf(PoolName) : null) ?? Env.Owner(Web);
    string? _commandUser;

    /// <summary>Whether the site's commands run as the account of its own pool (and get its pool's environment).</summary>
    public bool CommandsInPool => PerSite && CommandUser != Env.Owner(Web);

    /// <param name="ctx">The task; null for a job that only renders (a drift report), through which nothing can be written.</param>
    public SiteJob Job(TaskContext? ctx, string? title = null, string? email = null)
    {
        var database = DatabaseIfAny();
        ctx?.Secret(database?.Password);
        ctx?.Secret(Site.SiteKey);
        return new SiteJob
        {
            Ctx = ctx!, Site = Site, Platform = Platform, Server = Web, Transport = Env.Connect(Web), Templates = Env.Templates,
            Database = database, Db = Db, SiteUrl = SiteUrl, Owner = Owner, WebGroup = WebGroup, OwnPool = PerSite,
            Title = title, AdminEmail = email ?? (Site.GetClient() is { Email: { } e } ? e : null),
        };
    }
}
