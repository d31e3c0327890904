using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.IO;
using Aegir.Core.Tasks;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Takes in a site that a platform holds without a context (made by hand, or left by another tool): its record is
/// made from what its settings say (its database, found on the named db server), then it is verified as any site:
/// a user named for the database is made with a password of its own, the settings are written anew (the old file
/// kept beside, 0400), folders and vhost follow and the page must answer; then what its installer left in its folders
/// becomes the script user's and the web group's, as a verify makes it. A failure leaves no record and the site's
/// files as they were.
/// </summary>
public sealed class ImportSite : SiteOperation<ImportSite.Parameters>
{
    /// <param name="Site">The site's uri (its folder's name).</param>
    /// <param name="Database">The database its settings name, on <paramref name="DbServer"/>.</param>
    /// <param name="Aliases">What the site's record keeps beside (an Aegir 3 context says them; Import-AegirContext).</param>
    public sealed record Parameters(string Site, string Platform, string DbServer, string Database,
        IReadOnlyList<string>? Aliases = null, string? Redirection = null, string? Profile = null, string? Language = null) : ISiteParameters;

    public override string Type => "import";

    public override IReadOnlyList<string> LocksOf(Parameters p, ContextStore store) => [p.Platform];

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        if (env.Store.Exists(p.Site)) throw ErrorCatalog.ContextExists(p.Site, "site");
        var site = new AegirSite(p.Site) { PlatformName = p.Platform, DbServerName = p.DbServer, DbName = p.Database, Status = SiteStatus.Installed, Aliases = p.Aliases ?? [] };
        if (p.Redirection is not null) site.Redirection = p.Redirection;
        if (p.Profile is not null) site.Profile = p.Profile;
        if (p.Language is not null) site.Language = p.Language;
        var platform = env.Store.GetFresh<AegirPlatform>(site.PlatformName, "Platform");
        if (platform.Kind is null)
            throw ErrorCatalog.PlatformNotVerified($"Importing {site.Uri}", platform.Name);
        var parts = SiteParts.Resolve(site, env);
        var (server, db) = parts.DatabaseServer;
        if (!db.DatabaseExists(p.Database))
            throw ErrorCatalog.StepFailed(ErrorIds.SiteDatabaseGone, $"Importing {site.Uri}", $"its settings name database {p.Database}, which @{server.Name} does not have",
                "Give the database server that holds it (-DbServer), or restore the database first.");
        // The site's user is the one named for its database. When its settings use that very account, its password
        // stays (so a failed import leaves the site working); an account of that name the site does not use is not ours to take.
        var own = SiteImports.ReadDatabase(parts.Kind, env.Connect(parts.Web), platform.Root, site.Uri);
        bool sameAccount = own?.User == p.Database && own.Password is { Length: > 0 };
        if (!sameAccount && db.UserExists(p.Database))
            throw ErrorCatalog.StepFailed(ErrorIds.DbUserTaken, $"Importing {site.Uri}", $"a database user named {p.Database} exists on @{server.Name}, and the site's settings do not use it",
                "Import the site once that user is renamed or dropped (the site's own user is left as it is).");
        // Kept, the password must pass the pool's env[] and the record: refused here, before anything is written.
        if (sameAccount && (Services.Php.PhpPools.Uncarried(own!.Password!) ?? Validate.SecretProblem(own.Password!)) is { } unfit)
            throw ErrorCatalog.ImportPasswordUnfit(site.Uri, p.Database, server.Name, unfit);
        site.DbPassword = sameAccount ? own!.Password : Passwords.New();
        plan.Add(site.Name, PlanAction.Record, $"record the site {site.Uri} on @{platform.Name}, database `{p.Database}` on @{server.Name}", ctx =>
        {
            ctx.Secret(site.DbPassword);
            ctx.Step($"Recording the site {site.Uri}", () => env.Store.Create(site), JournalActions.RemoveContext(site.Name));
        });
        if (parts.Kind.SiteSettingsPath(site.Uri) is { } settings)
        {
            var full = Path.Combine(platform.Root, settings);
            var kept = full + ".before-import";
            plan.Add(parts.Web.Name, PlanAction.Write, $"keep a copy of the site's own {settings} beside as {Path.GetFileName(kept)} (0400)", ctx =>
            {
                var web = env.Connect(parts.Web);
                if (web.Kind(full) != Transport.PathKind.File || web.Kind(kept) != Transport.PathKind.None || web.ReadFile(full) is not { } bytes) return;
                // The settings step writes the file anew (and puts this one back if anything fails); the copy keeps what the site had.
                ctx.Step($"Keeping a copy of {settings} as {Path.GetFileName(kept)}", () => web.WriteFile(kept, bytes, UnixFileMode.UserRead), JournalActions.DeletePath(parts.Web.Name, kept));
            });
        }
        // Aegir 3's record of the site holds its database password, readable by Aegir's web group: now only its owner's.
        var drushrc = Aegir3.Aegir3Drushrc.PathOf(platform.Root, site.Uri);
        if (env.Connect(parts.Web).Kind(drushrc) == Transport.PathKind.File && Aegir3.Aegir3Drushrc.Identity(env.Connect(parts.Web), drushrc) is var seen)
            plan.Add(parts.Web.Name, PlanAction.Write, $"make Aegir 3's sites/{site.Uri}/{Aegir3.Aegir3Drushrc.FileName}, which holds the database password, readable by its owner only (0400)", ctx =>
            {
                var web = env.Connect(parts.Web);
                if (web.OwnerOf(drushrc) is not { } owner) return;
                // Only the file that was read, and only when it is no other file's too: a hard link's mode is its other names' mode.
                if (Aegir3.Aegir3Drushrc.Identity(web, drushrc) is var now && (now?.Links > 1 || now?.Id != seen?.Id))
                    throw ErrorCatalog.Aegir3ContextUnread(drushrc, 0, now?.Links > 1 ? $"it has {now?.Links} hard links, so its mode is another file's too" : "it is no longer the file that was read",
                        "Give the site a drushrc.php of its own (one link, owned as Aegir left it), then run the import again.");
                var mode = web.GetMode(drushrc);
                ctx.Step($"Making {Aegir3.Aegir3Drushrc.FileName} readable by {owner.User} only", () => web.SetMode(drushrc, UnixFileMode.UserRead),
                    JournalActions.RestoreAttributes(parts.Web.Name, drushrc, owner.User, owner.Group, mode));
            });
        // An import changes a site that was there before it: what it makes is undone and what it sets is put back on failure.
        if (!db.UserExists(p.Database))
        {
            var hosts = parts.Env.GrantHosts(parts.Hosting, server);
            plan.Add(server.Name, PlanAction.Create, $"create user `{p.Database}` for `{p.Database}`, granted to {string.Join(", ", hosts)}", ctx =>
                ctx.Step($"Creating user {p.Database} for {p.Database} on '@{server.Name}'", () => db.EnsureUser(p.Database, site.DbPassword!, p.Database, hosts),
                    JournalActions.DropUser(server.Name, p.Database)));
        }
        plan.Add(parts.Web.Name, PlanAction.Check, $"note the owners and modes of the site's folders, to put back if the import fails", ctx =>
        {
            var web = env.Connect(parts.Web);
            foreach (var (dir, _, _) in parts.Folders())
            {
                var full = Path.Combine(platform.Root, dir.Path);
                if (web.Kind(full) != Transport.PathKind.Directory || web.OwnerOf(full) is not { } owner) continue;
                var mode = web.GetMode(full);
                ctx.Step($"Noting {owner.User}:{owner.Group} {Convert.ToString((int)mode, 8)} on {dir.Path}", () => { }, JournalActions.RestoreAttributes(parts.Web.Name, full, owner.User, owner.Group, mode));
            }
        });
        SiteSteps.Database(plan, parts);
        SiteSteps.Folders(plan, parts);
        SiteSteps.Settings(plan, parts);
        SiteSteps.Vhost(plan, parts, () => true);
        SiteSteps.Answers(plan, parts, () => true);
        // Last, as nothing it changes inside the folders is noted to put back: once the site answers, what an installer
        // run as root (or another user) left in them becomes the script user's and the web server's to write.
        SiteSteps.Reclaim(plan, parts);
        SiteAccess.Plan(plan, parts);
    }
}
