using Aegir.Core.Backups;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Site;

/// <summary>How an import or a restore takes an Aegir 3 / BOA backup: first rewritten in this module's layout, as a backup of the site.</summary>
internal static class Aegir3Rewrite
{
    /// <summary>
    /// The step that rewrites an Aegir 3 backup as this module's backup of the site (<paramref name="parts"/>, as it
    /// will be), described as <paramref name="description"/>: a Drupal site folder and a MySQL dump, refused before
    /// anything changes for another kind of platform or database. The undo deletes the rewritten archive.
    /// </summary>
    public static void Step(OperationPlan plan, SiteParts parts, string path, Aegir3Archive.Contents contents, string doing, string description, Action<string> made)
    {
        if (!parts.Kind.Name.StartsWith("drupal", StringComparison.Ordinal) || parts.Kind.SiteRoots(parts.Site.Uri) is not [var root])
            throw ErrorCatalog.StepFailed(ErrorIds.BackupMismatch, doing, $"an Aegir 3 backup holds a Drupal site's folder, and @{parts.Platform.Name} is a {parts.Kind.Name} platform", "Use a Drupal platform.");
        var (server, db) = parts.DatabaseServer;
        if (db.Driver != "mysql")
            throw ErrorCatalog.StepFailed(ErrorIds.BackupMismatch, doing, $"an Aegir 3 backup holds a MySQL dump, and @{server.Name} runs {db.Driver}", "Use a database server that runs MariaDB or MySQL (-DbServer).");
        if (!contents.HasSettings)
            throw ErrorCatalog.StepFailed(ErrorIds.BackupMismatch, doing, "it holds no settings.php beside its database.sql", "Give a site backup made by Aegir 3 (a tar of the site's folder).");
        var store = new BackupStore(parts.Env.Home);
        // Each member takes the owner and group of the deepest of the site's folders it lies in.
        var members = new SiteMembers(parts, parts.Env.Connect(parts.Web), Path.GetFileName(path));
        (string, string) OwnerOf(string relative) => members.OwnerOf(relative.Length == 0 ? root : $"{root}/{relative}");
        plan.Add(ContextNames.Master, PlanAction.Write,
            $"rewrite {Path.GetFileName(path)} (an Aegir 3 backup: database {SiteArchive.Megabytes(contents.DumpBytes)} MB, {contents.Files} files {SiteArchive.Megabytes(contents.FileBytes)} MB) as a backup of {parts.Site.Uri} in {store.Folder}, leaving out its drushrc.php",
            ctx =>
            {
                var target = store.NewPath(parts.Site.Uri, DateTimeOffset.UtcNow, ArchiveCompression.Zstd);
                var manifest = new BackupManifest
                {
                    Uri = parts.Site.Uri, Created = Aegir3Archive.TakenAt(path), Description = description,
                    Profile = parts.Site.Profile, Language = parts.Site.Language, Platform = parts.Platform.Name, PlatformKind = parts.Kind.Name,
                    PlatformVersion = parts.Platform.Version, DbServer = server.Name, DbType = db.Driver, SiteRoots = [root],
                };
                // The rewritten archive is about as large as the tarball (both compressed): room for it first.
                ctx.Step($"Checking that {store.Folder} has room for the rewritten archive", () =>
                    new FreeSpace(new LocalTransport(), store.Folder, ContextNames.Master).Take($"The rewrite of {Path.GetFileName(path)}", new FileInfo(path).Length));
                var progress = SiteArchive.ByteProgress(ctx, contents.DumpBytes + contents.FileBytes, "rewriting");
                var sums = ctx.Step($"Rewriting {Path.GetFileName(path)} as {Path.GetFileName(target)}",
                    () => Aegir3Archive.Convert(path, target, contents, manifest, root, OwnerOf, ctx.Info, progress), JournalActions.DeleteBackup(target));
                ctx.Step($"Describing the backup in {Path.GetFileName(BackupArchive.SidecarOf(target))}",
                    () => BackupArchive.WriteSidecar(target, manifest, sums, ArchiveCompression.Zstd), JournalActions.DeleteBackup(BackupArchive.SidecarOf(target)));
                made(target);
            });
    }
}
