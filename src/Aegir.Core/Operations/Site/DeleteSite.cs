using Aegir.Core.Contexts;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Deletes a site. Everything that can be undone comes first: the vhost goes, the site's folder is moved aside,
/// the record is removed. Then the point of no return: the database and user are dropped and the moved folder
/// deleted, which a repair finishes rather than undoes. A site never installed loses only its record. Unless told
/// otherwise, a backup of the site is taken first, and kept.
/// </summary>
public sealed class DeleteSite : SiteOperation<DeleteSite.Parameters>
{
    /// <param name="Backup">Take a backup of the site before anything is removed.</param>
    public sealed record Parameters(string Site, bool Backup = true) : ISiteParameters;

    public override string Type => "delete";

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var site = SiteRules.Fresh(env, p.Site);
        if (site.Status == SiteStatus.NotInstalled)
        {
            RemoveRecord(plan, env, site);
            // Certificate files given before its install were kept in the store: they go with the record.
            if (SiteCertificates.Gone(env, site.Uri).ToList() is { Count: > 0 } gone)
                plan.Add(site.Name, PlanAction.Delete, $"remove the certificate of {site.Uri} from the certificate store", ctx => ctx.Commit(gone));
            return;
        }
        var parts = SiteParts.Resolve(site, env);
        var database = parts.DatabaseIfAny();
        if (database is not null)
        {
            var (server, db) = parts.DatabaseServer;
            plan.Add(server.Name, PlanAction.Check, $"check that the database server @{server.Name} answers",
                ctx => ctx.Step($"Checking that the database server '@{server.Name}' answers", () => db.DatabaseExists(database.Name)));
        }
        if (p.Backup)
            SiteArchive.Step(plan, parts, Backups.ArchiveCompression.Zstd, "before the site was removed", "back up the site before removing it", _ => { });
        plan.Add(parts.Web.Name, PlanAction.Delete, $"remove {parts.Http.SiteConfigPath(site.Uri)} and test the {parts.Http.Type} config of @{parts.Web.Name}",
            ctx => parts.Http.RemoveSite(ctx, site.Uri));
        SiteAccountSteps.RemovePool(plan, parts);
        SiteSteps.Reload(plan, env, parts.Hosting, parts.Http);

        var aside = new List<(string Server, string Path)>();
        foreach (var member in parts.Members)
        foreach (var relative in parts.Kind.SiteRoots(site.Uri))
        {
            var folder = Path.Combine(parts.Platform.Root, relative);
            plan.Add(member.Web.Name, PlanAction.Move, $"move {folder} aside on @{member.Web.Name}, to be deleted after the database", ctx =>
            {
                var transport = env.Connect(member.Web);
                if (transport.Kind(folder) == PathKind.None) return;
                var to = Path.Combine(Path.GetDirectoryName(folder)!, $".{Path.GetFileName(folder)}.deleting-{ctx.Task.Id}");
                ctx.Step($"Moving {relative} aside to {Path.GetFileName(to)}", () => transport.Move(folder, to), JournalActions.MovePath(member.Web.Name, to, folder));
                aside.Add((member.Web.Name, to));
            });
        }
        RemoveRecord(plan, env, site);
        var dropped = database is null ? "" : $"drop database `{database.Name}` and user `{database.User}` on @{parts.DbServer!.Name}, then ";
        plan.Add(parts.DbServer?.Name ?? parts.Web.Name, PlanAction.Drop, $"{dropped}delete the folder moved aside, the site's logs, the admin's own vhost rules of the site, its own account and its certificate (no undo past this point)", ctx =>
        {
            var changes = new List<JournalAction>();
            if (database is not null) changes.Add(JournalActions.DropDatabase(parts.DbServer!.Name, database.Name, database.User));
            changes.AddRange(aside.Select(a => JournalActions.DeletePath(a.Server, a.Path)));
            changes.AddRange(parts.Members.SelectMany(m => SiteIncludes.Gone(env, m, ctx)));
            // Its logs go too: a site that is gone leaves nothing on its web servers (a later site of that name starts afresh).
            changes.AddRange(parts.Members.SelectMany(m => m.Http.SiteLogs(site.Uri) is var (access, error)
                ? new[] { JournalActions.DeletePath(m.Web.Name, access), JournalActions.DeletePath(m.Web.Name, error) } : []));
            changes.AddRange(SharedFolderAccess.Gone(parts));
            changes.AddRange(SiteAccountSteps.AccountGone(parts));
            changes.AddRange(SiteCertificates.Gone(env, site.Uri));
            if (changes.Count > 0) ctx.Commit(changes);
        });
    }

    static void RemoveRecord(OperationPlan plan, OperationEnvironment env, AegirSite site)
        => plan.Add(site.Name, PlanAction.Delete, $"remove the record of {site.Uri}", ctx =>
        {
            var data = ctx.SaveData(System.Text.Encoding.UTF8.GetBytes(env.Store.ReadText(site.Name) ?? ""));
            ctx.Step($"Removing the context of {site.Uri}", () => env.Store.Remove(site.Name), JournalActions.RecreateContext(site.Name, data));
        });
}
