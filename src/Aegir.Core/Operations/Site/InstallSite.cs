using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Platforms;
using Aegir.Core.Tasks;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Installs a site: its database and user, folders, settings, the application's installer, its vhost, and its
/// status. With <see cref="Parameters.Create"/> the site's record is made first, in the same task, so a failure
/// or a kill leaves no record behind either. The admin password (where the application has one) is handed back once, never logged.
/// </summary>
public sealed class InstallSite : SiteOperation<InstallSite.Parameters>
{
    /// <param name="Site">The site's uri.</param>
    /// <param name="Create">The site to record first (New-AegirSite); null to install a recorded one.</param>
    public sealed record Parameters(string Site, string? Title = null, string? AdminEmail = null, SiteDefinition? Create = null) : ISiteParameters
    {
        /// <summary>These parameters with the title and email checked (and the email normalised), for errors before any prompt.</summary>
        public Parameters Checked() => this with { Title = SiteRules.Title(Title), AdminEmail = SiteRules.Email(AdminEmail) };
    }

    public override string Type => "install";

    /// <summary>A new site is not recorded yet: its platform comes from its definition.</summary>
    public override IReadOnlyList<string> LocksOf(Parameters p, ContextStore store)
        => p.Create is { } create ? [create.ToSite(store).PlatformName] : base.LocksOf(p, store);

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var title = SiteRules.Title(p.Title);
        var email = SiteRules.Email(p.AdminEmail);
        AegirSite site;
        if (p.Create is not null)
        {
            // Its record is checked when it is written (under the store's lock); New-AegirSite checks it before asking, too.
            site = p.Create.ToSite(env.Store);
            if (env.Store.Exists(site.Name)) throw Errors.ErrorCatalog.ContextExists(site.Name, "site");
        }
        else
        {
            site = SiteRules.Fresh(env, p.Site);
            if (site.Status != SiteStatus.NotInstalled)
                throw ErrorCatalog.StepFailed(ErrorIds.SiteAlreadyInstalled, $"Installing {site.Uri}", $"the site is already installed ({site.Status})", "Verify it instead, or remove it and create it again.");
        }
        var platform = env.Store.GetFresh<AegirPlatform>(site.PlatformName, "Platform");
        if (platform.Locked) throw ErrorCatalog.PlatformLocked(platform.Name);
        if (platform.Kind is null)
            throw ErrorCatalog.PlatformNotVerified($"Installing {site.Uri}", platform.Name);
        var recorded = site.DbServerName;
        SiteRules.Database(site, env.KindOf(platform, env.Server(platform.WebServerName, "WebServer")), platform, p.Create?.DbServer, p.Create is not null);
        if (p.Create is not null)
        {
            var record = site;
            plan.Add(site.Name, PlanAction.Record, $"record the site {site.Uri} on @{site.PlatformName}, {(site.HasDatabase ? $"database on @{site.DbServerName}" : "without a database")}",
                ctx => ctx.Step($"Recording the site {record.Uri}", () => env.Store.Create(record), JournalActions.RemoveContext(record.Name)));
        }
        else if (recorded != site.DbServerName || site.SiteKey is not null)
        {
            // A site recorded before (-NoInstall) on a platform whose application keeps no database: its record says so now.
            var key = site.SiteKey;
            SiteSteps.Record<AegirSite>(plan, env, site.Name, $"record {site.Uri} as a site without a database", "Recording the site as one without a database", s =>
            {
                s.DbServerName = null;
                s.SiteKey ??= key;
            });
        }
        var parts = SiteParts.Resolve(site, env);
        SiteRules.FoldersFree(env, parts, $"Installing {site.Uri}");
        SiteAccess.Check(plan, parts);

        if (parts.HasDatabase)
        {
            var (server, db) = parts.DatabaseServer;
            var hosts = parts.Env.GrantHosts(parts.Hosting, server);
            // Shown, the name skips those other records claim (a read of every site); run, the claim itself refuses them.
            var proposed = db.ProposeName(site.Uri, env.ForDisplay ? SiteIndex.ClaimedDbNames(env.Store, server.Name, site.Name) : new HashSet<string>());
            plan.Add(server.Name, PlanAction.Create,
                $"create database `{proposed}` and user `{proposed}` on @{server.Name}, granted to {string.Join(", ", hosts)}",
                ctx => CreateDatabase(ctx, env, parts, new HashSet<string>(StringComparer.Ordinal), hosts));
        }
        SiteSteps.Folders(plan, parts);
        SiteSteps.Settings(plan, parts);
        InstallResult? result = null;
        if (parts.Kind.HasInstaller)
            plan.Add(parts.Web.Name, PlanAction.Run, $"run {parts.Kind.Installer(site)}", ctx =>
            {
                result = ctx.Step($"Running the {parts.Kind.Application} installer", () => Install(parts, parts.Job(ctx, title, email)));
                if (result.AdminUser is not null) ctx.Info($"Admin account: {result.AdminUser}, log in at {result.LoginUrl}.");
            });
        else
            plan.Add(parts.Web.Name, PlanAction.Check, $"run no installer: @{platform.Name} declares none, so the application {(parts.HasDatabase ? "fills its empty database itself" : "sets itself up")}", ctx =>
            {
                ctx.Info($"No installer ran: @{platform.Name} ({parts.Kind.Name}) declares no install command, so {(parts.HasDatabase ? "the database is left empty for the application" : "the application sets itself up")} (a manifest's 'install' key names one; see about_Aegir).");
                if (title is not null || email is not null)
                    ctx.Warn($"{(title is not null ? "-Title" : "-AdminEmail")} was not used: only an installer takes it, and @{platform.Name} has none.");
            });
        // What the installer made in the folders the web server writes (Drupal's files/styles) is the web group's to write.
        if (parts.Kind.HasInstaller) SiteSteps.Reclaim(plan, parts);
        SiteAccess.Plan(plan, parts);
        SiteSteps.Tables(plan, parts);
        SiteSteps.Vhost(plan, parts, () => true, p.Create?.Given);
        SiteSteps.Record<AegirSite>(plan, env, site.Name, $"record {site.Uri} as Installed", "Marking the site installed", s => s.Status = SiteStatus.Installed);
        SiteSteps.Answers(plan, parts, () => true, created: p.Create is not null);
        AcmeIssuance.PlanWanted(plan, parts);
        plan.Result = () => result;
    }

    /// <summary>
    /// Picks the name and creates the database atomically: the name is reserved in the site's record (the store
    /// refuses a name another record claims), then created.
    /// </summary>
    static void CreateDatabase(TaskContext ctx, OperationEnvironment env, SiteParts parts, HashSet<string> taken, IReadOnlyList<string> hosts)
    {
        var (name, password) = NewSiteDatabase.Create(ctx, parts, taken, hosts, (name, password) =>
            SiteSteps.RecordNow<AegirSite>(ctx, env, parts.Site.Name, $"Reserving database {name} in the site's record", s =>
            {
                s.DbName = name;
                s.DbPassword = password;
            }));
        parts.Site.DbName = name;
        parts.Site.DbPassword = password;
    }

    /// <summary>
    /// The installer, run. When it fails and the site's database no longer answers for it, the database server is named
    /// as the cause, not the installer or its manifest.
    /// </summary>
    static InstallResult Install(SiteParts parts, SiteJob job)
    {
        try { return parts.Kind.Install(job); }
        catch (AegirException ex) when (ex.ErrorId == ErrorIds.InstallerFailed && job is { Db: { } db, Database: { } database }
                                        && !db.CanConnect(database.Name, database.User, database.Password))
        {
            throw ErrorCatalog.StepFailed(ErrorIds.InstallerFailed, $"Running the {parts.Kind.Application} installer",
                $"its database {database.Name} on '@{db.Server.Name}' ({db.Host}:{db.Port}) does not answer for the site's account, so the installer could not finish (its output is in the task's log)",
                $"Check that the database server '@{db.Server.Name}' runs and answers from '@{parts.Web.Name}', then install again.");
        }
    }
}
