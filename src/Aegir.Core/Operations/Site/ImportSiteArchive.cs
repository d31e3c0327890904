using Aegir.Core.Backups;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Takes in a site from an archive made elsewhere: a backup by Backup-AegirSite on another machine, or an Aegir 3 /
/// BOA site backup, which is first rewritten in this module's layout (and stays as the site's first backup here).
/// The archive is deployed as a new site: a database and user of its own, its folders in place, settings and vhost
/// written, and its page must answer. A failure, or a kill and the repair, leaves no record, database, folder or
/// vhost behind.
/// </summary>
public sealed class ImportSiteArchive : SiteOperation<ImportSiteArchive.Parameters>
{
    /// <param name="Site">The uri the site takes here.</param>
    /// <param name="Archive">The archive's full path.</param>
    public sealed record Parameters(string Site, string Platform, string Archive, string? DbServer = null) : ISiteParameters;

    public override string Type => "import-archive";

    public override IReadOnlyList<string> LocksOf(Parameters p, ContextStore store) => [p.Platform, Validate.SiteHost("Uri", p.Site)];

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var uri = Validate.SiteHost("Uri", p.Site);
        var doing = $"Importing {uri} from {Path.GetFileName(p.Archive)}";
        if (env.Store.Exists(uri)) throw ErrorCatalog.ContextExists(uri, "site");
        var platform = env.Store.GetFresh<AegirPlatform>(p.Platform, "Platform");
        if (platform.Kind is null)
            throw ErrorCatalog.StepFailed("PlatformNotVerified", doing, $"the platform '@{platform.Name}' has not been verified yet", $"Verify it first (Invoke-AegirVerify {platform.Name}).");
        if (platform.Locked) throw ErrorCatalog.PlatformLocked(platform.Name);

        bool aegir3 = Aegir3Archive.IsOne(p.Archive, _ => { });
        BackupManifest? manifest = null;
        Aegir3Archive.Contents? contents = null;
        if (aegir3) contents = Aegir3Archive.Inspect(p.Archive, _ => { });
        else
        {
            using var reader = BackupArchiveReader.Open(p.Archive, _ => { });
            manifest = reader.Manifest;
        }
        // The site's names come with it only when it keeps its uri: another uri is a copy, as a clone is.
        bool same = manifest?.Uri == uri;
        var site = new SiteDefinition(uri, platform.Name, p.DbServer,
            Client: manifest?.Client is { } c && env.Store.TryGet(c) is AegirClient ? c : null,
            Profile: manifest?.Profile ?? contents?.Profile, Language: manifest?.Language ?? contents?.Language,
            Aliases: same ? manifest!.Aliases : null, Redirection: same ? manifest!.Redirection : null).ToSite(env.Store);
        site.Status = SiteStatus.Installed;
        SiteCopies.NamesFree(env, site);
        var parts = SiteParts.Resolve(site, env);
        var web = env.Connect(parts.Web);
        foreach (var root in parts.Kind.SiteRoots(uri))
            if (web.Kind(Path.Combine(platform.Root, root)) != PathKind.None)
                throw ErrorCatalog.StepFailed("SiteFolderExists", doing, $"@{platform.Name} holds {root} already",
                    $"Take in the site that is there with Import-AegirSite -Platform {platform.Name} -Uri {uri}, or remove the folder first.");

        var archive = p.Archive;
        if (aegir3) Rewrite(plan, parts, p.Archive, contents!, a => archive = a);
        var deploy = SiteDeploy.AsNew(parts, () => archive, Path.GetFileName(p.Archive));
        if (!aegir3) deploy.Check();
        deploy.Plan(plan, env);
    }

    /// <summary>The step that rewrites an Aegir 3 backup as this module's backup of the site: a Drupal site folder and a MySQL dump.</summary>
    static void Rewrite(OperationPlan plan, SiteParts parts, string path, Aegir3Archive.Contents contents, Action<string> made)
    {
        var doing = $"Importing {parts.Site.Uri} from {Path.GetFileName(path)}";
        if (!parts.Kind.Name.StartsWith("drupal", StringComparison.Ordinal) || parts.Kind.SiteRoots(parts.Site.Uri) is not [var root])
            throw ErrorCatalog.StepFailed("BackupMismatch", doing, $"an Aegir 3 backup holds a Drupal site's folder, and @{parts.Platform.Name} is a {parts.Kind.Name} platform", "Import it onto a Drupal platform.");
        if (parts.Db.Driver != "mysql")
            throw ErrorCatalog.StepFailed("BackupMismatch", doing, $"an Aegir 3 backup holds a MySQL dump, and @{parts.DbServer.Name} runs {parts.Db.Driver}", "Import it with -DbServer naming a server that runs MariaDB or MySQL.");
        if (!contents.HasSettings)
            throw ErrorCatalog.StepFailed("BackupMismatch", doing, "it holds no settings.php beside its database.sql", "Give a site backup made by Aegir 3 (a tar of the site's folder).");
        var store = new BackupStore(parts.Env.Home);
        var groups = parts.Folders().OrderByDescending(f => f.Dir.Path.Length).ToList();
        (string, string) OwnerOf(string relative)
        {
            // Each member takes the owner and group of the deepest of the site's folders it lies in.
            var full = relative.Length == 0 ? root : $"{root}/{relative}";
            var group = groups.FirstOrDefault(g => full == g.Dir.Path || full.StartsWith(g.Dir.Path + "/", StringComparison.Ordinal)).Group ?? parts.OwnerGroup;
            return (parts.Owner, group);
        }
        plan.Add(ContextNames.Master, PlanAction.Write,
            $"rewrite {Path.GetFileName(path)} (an Aegir 3 backup: database {SiteArchive.Megabytes(contents.DumpBytes)} MB, {contents.Files} files {SiteArchive.Megabytes(contents.FileBytes)} MB) as a backup of {parts.Site.Uri} in {store.Folder}, leaving out its drushrc.php",
            ctx =>
            {
                var target = store.NewPath(parts.Site.Uri, DateTimeOffset.UtcNow, ArchiveCompression.Zstd);
                var manifest = new BackupManifest
                {
                    Uri = parts.Site.Uri, Created = Aegir3Archive.TakenAt(path), Description = $"imported from {Path.GetFileName(path)}",
                    Profile = parts.Site.Profile, Language = parts.Site.Language, Platform = parts.Platform.Name, PlatformKind = parts.Kind.Name,
                    PlatformVersion = parts.Platform.Version, DbServer = parts.DbServer.Name, DbType = parts.Db.Driver, SiteRoots = [root],
                };
                long total = contents.DumpBytes + contents.FileBytes, done = 0, shown = 0;
                void Progress(long n)
                {
                    done += n;
                    if (done - shown < 8 << 20) return;
                    shown = done;
                    ctx.Progress((int)(100 * done / Math.Max(total, done)), $"rewriting {SiteArchive.Megabytes(done)} of {SiteArchive.Megabytes(total)} MB");
                }
                var sums = ctx.Step($"Rewriting {Path.GetFileName(path)} as {Path.GetFileName(target)}",
                    () => Aegir3Archive.Convert(path, target, contents, manifest, root, OwnerOf, ctx.Info, Progress), JournalActions.DeleteBackup(target));
                ctx.Step($"Describing the backup in {Path.GetFileName(BackupArchive.SidecarOf(target))}",
                    () => BackupArchive.WriteSidecar(target, manifest, sums, ArchiveCompression.Zstd), JournalActions.DeleteBackup(BackupArchive.SidecarOf(target)));
                made(target);
            });
    }
}
