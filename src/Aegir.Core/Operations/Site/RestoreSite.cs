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
    /// <param name="Platform">The platform the site is restored onto; null for where it is now.</param>
    public sealed record Parameters(string Site, string Backup, string? Platform = null) : ISiteParameters;

    public override string Type => "restore";

    /// <summary>The site, its platform, and the platform the backup moves it back to.</summary>
    public override IReadOnlyList<string> LocksOf(Parameters p, ContextStore store)
        => base.LocksOf(p, store).Concat(p.Platform is { } to ? [to] : []).Distinct().ToList();

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var site = SiteRules.Fresh(env, p.Site);
        SiteRules.Installed(site, "Restoring");
        var source = SiteParts.Resolve(site, env);
        // The site stays on its platform unless -Platform says otherwise: what the archive's manifest says is not trusted.
        var where = p.Platform ?? site.PlatformName;
        var target = source;
        if (where != site.PlatformName)
        {
            var moved = (AegirSite)env.Store.ReadFresh(site.Name)!;
            moved.PlatformName = where;
            var platform = env.Store.GetFresh<AegirPlatform>(where, "Platform");
            if (platform.Kind is null) throw Errors.ErrorCatalog.PlatformNotVerified($"Restoring {site.Uri}", platform.Name);
            target = SiteParts.Resolve(moved, env);
            SiteRules.FoldersFree(env, target, $"Restoring {site.Uri} onto @{platform.Name}");
        }
        if (Aegir3Archive.IsOne(p.Backup, _ => { }))
        {
            PlanAegir3(p, plan, env, site, source, target);
            return;
        }
        var deploy = new SiteDeploy(source, target, () => p.Backup, Path.GetFileName(p.Backup), certificate: true);
        var manifest = deploy.Check();
        plan.Add(site.Name, PlanAction.Check, $"check {Path.GetFileName(p.Backup)}: a {manifest.PlatformKind} {manifest.DbType} backup of {manifest.Uri} from {manifest.Created.ToLocalTime():yyyy-MM-dd HH:mm:ss} (its manifest says: taken on @{manifest.Platform}), restored onto @{target.Platform.Name}",
            ctx =>
            {
                ctx.Step($"Checking the manifest of {p.Backup}", () => deploy.Check(ctx));
                if (manifest.Uri != site.Uri) ctx.Info($"The backup is of {manifest.Uri}; its folders go to {site.Uri}'s.");
                if (target.Platform.Name != site.PlatformName) ctx.Info($"{site.Uri} moves from @{site.PlatformName} to @{target.Platform.Name}, as -Platform says.");
                else if (manifest.Platform != site.PlatformName)
                    ctx.Warn($"The backup's manifest says it was taken on @{manifest.Platform}; it is restored onto @{site.PlatformName}, where {site.Uri} is now. To take the site there instead, restore with -Platform {manifest.Platform}.");
            });
        SiteArchive.Step(plan, source, ArchiveCompression.Zstd, $"before restoring {Path.GetFileName(p.Backup)}", "take a pre-restore backup", _ => { });
        deploy.Plan(plan, env);
    }

    /// <summary>
    /// An Aegir 3 / BOA backup (a site made by an old Aegir, imported here, and now brought up to date from a newer
    /// backup of it there): the pre-restore backup, the tarball rewritten as this module's backup of the site, then the
    /// same deploy as any restore.
    /// </summary>
    static void PlanAegir3(Parameters p, OperationPlan plan, OperationEnvironment env, AegirSite site, SiteParts source, SiteParts target)
    {
        var name = Path.GetFileName(p.Backup);
        var contents = Aegir3Archive.Inspect(p.Backup, _ => { });
        // The plan has read it whole (every name checked, the dump found): the task, which plans first, need not read it again.
        var found = $"{name}: an Aegir 3 backup (database {SiteArchive.Megabytes(contents.DumpBytes)} MB, {contents.Files} files), taken {Aegir3Archive.TakenAt(p.Backup).ToLocalTime():yyyy-MM-dd HH:mm:ss}";
        plan.Add(site.Name, PlanAction.Check, $"check {found}", ctx => ctx.Info($"Checked {found}."));
        SiteArchive.Step(plan, source, ArchiveCompression.Zstd, $"before restoring {name}", "take a pre-restore backup", _ => { });
        string? archive = null;
        Aegir3Rewrite.Step(plan, target, p.Backup, contents, $"Restoring {site.Uri} from {name}", $"restored from {name}", a => archive = a);
        new SiteDeploy(source, target, () => archive!, name).Plan(plan, env);
    }
}
