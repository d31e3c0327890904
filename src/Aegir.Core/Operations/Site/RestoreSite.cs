using Aegir.Core.Backups;
using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Restores a site from a backup archive: the archive's manifest is checked first; a pre-restore backup is taken;
/// the dump goes into a new database and the folders beside the live ones, every member checked against its
/// checksum; only then do the folders swap, the record take the new database, settings and vhost follow and the
/// page is checked. The old database and folders go last. Any failure, or a kill and the repair, leaves the live
/// site exactly as it was.
/// </summary>
public sealed class RestoreSite : SiteOperation<RestoreSite.Parameters>
{
    /// <param name="Site">The site restored onto (the backup's own, or another of the same kind: live into staging).</param>
    /// <param name="Backup">The archive's full path.</param>
    public sealed record Parameters(string Site, string Backup) : ISiteParameters;

    public override string Type => "restore";

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var site = SiteRules.Fresh(env, p.Site);
        SiteRules.Installed(site, "Restoring");
        var parts = SiteParts.Resolve(site, env);
        var deploy = new SiteDeploy(parts, p.Backup);
        var manifest = deploy.Check();
        plan.Add(site.Name, PlanAction.Check, $"check {Path.GetFileName(p.Backup)}: a {manifest.PlatformKind} {manifest.DbType} backup of {manifest.Uri} from {manifest.Created.ToLocalTime():yyyy-MM-dd HH:mm:ss}",
            ctx =>
            {
                ctx.Step($"Checking the manifest of {p.Backup}", () => deploy.Check(ctx));
                if (manifest.Uri != site.Uri) ctx.Info($"The backup is of {manifest.Uri}; its folders go to {site.Uri}'s.");
                if (manifest.Platform != parts.Platform.Name)
                    ctx.Warn($"The backup was taken on @{manifest.Platform}; it is restored onto @{parts.Platform.Name}, where {site.Uri} is now.");
            });
        SiteArchive.Step(plan, parts, ArchiveCompression.Zstd, $"before restoring {Path.GetFileName(p.Backup)}", "take a pre-restore backup", _ => { });
        SiteSteps.Folders(plan, parts);   // the folders above the site's exist (made with their owners and modes, undone if new) before its copy goes beside them
        deploy.Load(plan, env);
        deploy.Swap(plan, env);
        SiteSteps.Folders(plan, parts);
        SiteSteps.Settings(plan, parts);
        bool enabled = site.Status != SiteStatus.Disabled;
        SiteSteps.Vhost(plan, parts, () => enabled);
        SiteSteps.Answers(plan, parts, () => enabled);
        deploy.Finish(plan, env);
    }
}
