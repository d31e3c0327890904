using Aegir.Core.Backups;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Writes a site's backup: its database dumped by the db service (credentials in a private file on the db server),
/// its folders as one tar stream from its web server, and a manifest, into one archive on this machine.
/// </summary>
internal static class SiteArchive
{
    /// <summary>The plan step that writes a backup of the site to a new archive; the undo deletes it. <paramref name="made"/> hears of it.</summary>
    public static void Step(OperationPlan plan, SiteParts parts, string compression, string? description, string why, Action<AegirBackup> made)
    {
        var store = new BackupStore(parts.Env.Home);
        var roots = parts.Kind.SiteRoots(parts.Site.Uri);
        var dump = parts.DatabaseIfAny() is { } database ? $"dump database `{database.Name}` and " : "";
        plan.Add(ContextNames.Master, PlanAction.Write,
            $"{why}: {dump}archive {string.Join(", ", roots)} ({compression}) to {store.Folder}/{parts.Site.Uri}-<time>{ArchiveCompression.Extension(compression)}",
            ctx =>
            {
                var path = store.NewPath(parts.Site.Uri, DateTimeOffset.UtcNow, compression);
                // The dump waits in a private file until it is archived; a kill meanwhile leaves it to the repair to delete.
                if (parts.HasDatabase) ctx.Step("Setting a private place for the database dump", () => { }, JournalActions.DeleteBackup(SpoolOf(path)));
                var backup = ctx.Step($"Writing the backup {Path.GetFileName(path)}", () => Write(ctx, parts, path, compression, description),
                    JournalActions.DeleteBackup(path));
                ctx.Step($"Describing the backup in {Path.GetFileName(BackupArchive.SidecarOf(path))}", () =>
                    BackupArchive.WriteSidecar(path, backup.Manifest, backup.Checksums, compression), JournalActions.DeleteBackup(BackupArchive.SidecarOf(path)));
                var result = BackupArchive.FromSidecar(path) ?? throw ErrorCatalog.StepFailed(ErrorIds.BackupBroken, "Reading the backup's description", "it does not read back", "Check the free space and permissions of " + store.Folder + ".");
                ctx.Info($"Backup of {parts.Site.Uri}: {path} ({Megabytes(result.Size)} MB; database {Megabytes(result.DatabaseSize)} MB, {result.FileCount} files {Megabytes(result.FilesSize)} MB).");
                made(result);
            });
    }

    sealed record Written(BackupManifest Manifest, BackupChecksums Checksums);

    static Written Write(TaskContext ctx, SiteParts parts, string path, string compression, string? description)
    {
        var site = parts.Site;
        var database = parts.DatabaseIfAny();
        var web = parts.Env.Connect(parts.Web);
        var roots = new List<string>();
        foreach (var root in parts.Kind.SiteRoots(site.Uri))
        {
            // Folders are archived (a site's own files, such as its settings, are written again on deploy); one that
            // something replaced with a link holds none of the site's files: said, never silently left out.
            var kind = web.Kind(Path.Combine(parts.Platform.Root, root));
            if (kind == PathKind.Directory) roots.Add(root);
            else if (kind == PathKind.Symlink)
                ctx.Warn($"The site's folder {root} on '@{parts.Web.Name}' is a link, not a folder: it is not followed, and the backup holds none of its files. Verify the site (Invoke-AegirVerify {site.Uri}) to see what is wrong.");
        }
        var manifest = new BackupManifest
        {
            Uri = site.Uri, Created = DateTimeOffset.UtcNow, Description = description, Aliases = site.Aliases, Redirection = site.Redirection,
            Profile = site.Profile, Language = site.Language, Client = site.ClientName, WebSettings = site.WebSettings, Https = site.Https, CertificateSource = site.CertificateSource, Platform = parts.Platform.Name,
            PlatformKind = parts.Kind.Name, PlatformVersion = parts.Platform.Version, DbServer = parts.DbServer?.Name, DbType = parts.Db?.Driver ?? BackupManifest.NoDatabase,
            SiteRoots = roots, Packages = Packages(ctx, parts),
        };
        var progress = ByteProgress(ctx, EstimateBytes(web, parts.Platform.Root, roots), "archiving", estimate: true);

        var spool = SpoolOf(path);
        try
        {
            using (var writer = BackupArchiveWriter.Create(path, compression, ctx.Info, progress))
            {
                writer.AddJson(BackupArchive.ManifestMember, manifest);
                SiteCertificateCarry.Add(ctx, writer, parts);
                if (database is not null)
                {
                    ctx.Progress(0, $"dumping database {database.Name}");
                    using (var file = new FileStream(spool, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = IO.AtomicFile.OwnerOnly }))
                        parts.Db!.Dump(parts.Web, database, file);
                    writer.AddFile(BackupArchive.DatabaseMember, spool);
                    File.Delete(spool);
                }
                if (roots.Count > 0)
                {
                    // GNU tar keeps links as links and never follows them; exit 1 means a file changed while it was read.
                    var spec = new CommandSpec("tar", ["--create", "--file=-", "--format=posix", $"--directory={parts.Platform.Root}", "--", .. roots]) { Timeout = TimeSpan.FromHours(12) };
                    var result = TransportPipe.Read(web, spec, tar => writer.AddTree(tar,
                        (name, what) => ErrorCatalog.SiteFileRefused(parts.Web.Name, BackupArchive.Printable($"{parts.Platform.Root}/{name}"), what, site.Uri)));
                    if (result.ExitCode == 1) ctx.Warn($"Some files of {site.Uri} changed while they were archived: {result.Summary()}");
                    else if (!result.Succeeded) throw ErrorCatalog.StepFailed(ErrorIds.BackupFailed, $"Archiving the folders of {site.Uri}", result.Summary(), $"Check that tar runs on '@{parts.Web.Name}' and can read {parts.Platform.Root}.");
                }
                writer.Finish();
                Check(path, ctx);
                WarnOfLinks(ctx, parts, web, writer.Checksums);
                return new Written(manifest, writer.Checksums);
            }
        }
        catch
        {
            File.Delete(spool);
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Links in the site's folders that lead out of them: the backup keeps them, and a restore of it will refuse them.</summary>
    static void WarnOfLinks(TaskContext ctx, SiteParts parts, ITransport web, BackupChecksums sums)
    {
        var members = new SiteMembers(parts, web, "");
        foreach (var (name, member) in sums.Members)
            if (member.Sha256.StartsWith("link:", StringComparison.Ordinal) && members.Outside(name[BackupArchive.SitePrefix.Length..], member.Sha256[5..]) is { } why)
                ctx.Warn($"{name[BackupArchive.SitePrefix.Length..]} in the site's folders: {why}. A restore of this backup refuses it: remove the link, or make it lead inside the site, and back up again.");
    }

    /// <summary>The archive reads back whole (zstd and gzip check their own content checksums; an empty file is neither, and is refused on opening).</summary>
    static void Check(string path, TaskContext ctx)
    {
        using var stream = ArchiveCompression.Decompress(path, ctx.Info);
        try { stream.CopyTo(Stream.Null); }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            throw ErrorCatalog.StepFailed(ErrorIds.BackupFailed, $"Reading back {path}", ex.Message, "Check the free space of the backups folder.");
        }
    }

    static string SpoolOf(string archive) => Path.Combine(Path.GetDirectoryName(archive)!, $".{Path.GetFileName(archive)}.sql");

    static IReadOnlyList<BackupPackage> Packages(TaskContext ctx, SiteParts parts)
    {
        try
        {
            var enabled = parts.DatabaseIfAny() is { } database ? parts.Kind.EnabledPackages(parts.Db!, database) : null;
            return parts.Kind.ScanPackages(parts.Env.Connect(parts.Web), parts.Platform.Root, parts.Platform.Name)
                .Select(p => new BackupPackage(p.Name, p.Type, p.Version, enabled?.Contains(p.Name))).ToList();
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // The list only informs a later migrate; the backup goes on without it.
            ctx.Warn($"The backup lists no packages: {ex.Message}");
            return [];
        }
    }

    static long EstimateBytes(ITransport web, string root, IReadOnlyList<string> roots)
    {
        if (roots.Count == 0) return 0;
        var result = web.Run(new CommandSpec("du", ["-sbc", "--", .. roots.Select(r => Path.Combine(root, r))]));
        var last = result.StandardOutput.TrimEnd().Split('\n')[^1];
        return long.TryParse(last.Split('\t')[0], out var total) ? total : 0;
    }

    /// <summary>Reports bytes done as a task's progress, at most once per 8 MB: "archiving 12.0 of about 300.0 MB".</summary>
    public static Action<long> ByteProgress(TaskContext ctx, long total, string doing, bool estimate = false)
    {
        long done = 0, shown = 0;
        return n =>
        {
            done += n;
            if (done - shown < 8 << 20) return;
            shown = done;
            ctx.Progress(total > 0 ? (int)(100 * done / Math.Max(total, done)) : 0, $"{doing} {Megabytes(done)} of {(estimate ? "about " : "")}{Megabytes(total)} MB");
        };
    }

    public static string Megabytes(long bytes) => (bytes / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
