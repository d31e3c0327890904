using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Local;
using Aegir.Core.Platforms;
using Aegir.Core.Tasks;

namespace Aegir.Core.Operations;

public sealed partial class Hosting
{
    /// <summary>
    /// Installs a site: its database and user, its folders, settings, the application's installer, and its
    /// vhost. Any failure drops the new database and user, removes what was created, and puts the web
    /// server's config back. The admin password (where the application has one) is returned, never logged.
    /// </summary>
    public (AegirTask Task, InstallResult? Result) InstallSite(AegirSite site, string? title = null, string? adminEmail = null)
    {
        InstallResult? result = null;
        var task = Runner.Run("install", site.Name, [site.PlatformName], null, ctx =>
        {
            site = Store.GetFresh<AegirSite>(site.Name, "Uri");
            if (site.Status != SiteStatus.NotInstalled)
                throw ErrorCatalog.StepFailed($"Installing {site.Uri}", $"the site is already installed ({site.Status})", "Verify it instead, or remove it and create it again.");
            var (platform, web, dbServer) = Parts(site);
            if (platform.Locked) throw ErrorCatalog.PlatformLocked(platform.Name);
            if (platform.Kind is null)
                throw ErrorCatalog.StepFailed($"Installing {site.Uri}", $"the platform '@{platform.Name}' has not been verified yet",
                    $"Verify it first (Invoke-AegirVerify {platform.Name}): that finds its kind and writes its web server config.");
            var kind = KindOf(platform);
            ctx.Info($"Installing {site.Uri} on '@{platform.Name}' ({kind.Name}), database on '@{dbServer.Name}', web on '@{web.Name}'.");

            var db = Db(dbServer);
            ctx.Secret(dbServer.Db.RevealSecret("admin_password"));
            var taken = Store.List(ContextType.Site).Contexts.Cast<AegirSite>().Where(s => s.DbName is not null && s.Name != site.Name).Select(s => s.DbName!).ToHashSet();
            var name = ctx.Step("Choosing the database name", () => db.FreeName(site.Uri, taken));
            var password = Passwords.New();
            db.CreateSiteDatabase(ctx, name, password, GrantHosts(web, dbServer));

            site.DbName = name;
            site.DbPassword = password;
            SaveStep(ctx, "Recording the database in the site's context", site);

            var job = Job(ctx, site, platform, web, dbServer, title, adminEmail);
            ApplySiteFiles(job, kind);
            var settings = SettingsUndo(job, kind);
            kind.WriteSiteSettings(job);
            if (settings is not null) ctx.OnUndo("Removing the new settings file", settings);
            result = ctx.Step($"Running the {kind.Name} installer", () => kind.Install(job));
            Web(web).WriteSite(ctx, Vhost(job, kind, enabled: true));

            site.Status = SiteStatus.Installed;
            SaveStep(ctx, "Marking the site installed", site);
            if (result.AdminUser is not null) ctx.Info($"Admin account: {result.AdminUser}, log in at {result.LoginUrl}.");
        });
        return (task, task.Status is AegirTaskStatus.Succeeded or AegirTaskStatus.Warning ? result : null);
    }

    /// <summary>An undo that deletes the site's settings file, if it does not exist yet.</summary>
    static Action? SettingsUndo(SiteJob job, IPlatformKind kind)
    {
        if (kind is not DrupalKind) return null;
        var path = job.Full($"sites/{job.Site.Uri}/settings.php");
        return job.Transport.FileExists(path) ? null : () => job.Transport.Delete(path);
    }
}
