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
            throw ErrorCatalog.PlatformNotVerified(doing, platform.Name);
        if (platform.Locked) throw ErrorCatalog.PlatformLocked(platform.Name);

        BackupManifest? manifest;
        using (var ours = BackupArchiveReader.TryOpen(p.Archive, _ => { })) manifest = ours?.Manifest;
        bool aegir3 = manifest is null;
        var contents = aegir3 ? Aegir3Archive.Inspect(p.Archive, _ => { }) : null;
        // Neither the site's other names nor its client come with it: an archive does not choose which names this
        // server answers for, nor who is given access to what it brings (Set-AegirSite -Alias / -Client do).
        var site = new SiteDefinition(uri, platform.Name, p.DbServer,
            Profile: manifest?.Profile ?? contents?.Profile, Language: manifest?.Language ?? contents?.Language).ToSite(env.Store);
        site.Status = SiteStatus.Installed;
        SiteRules.Database(site, env.KindOf(platform, env.Server(platform.WebServerName, "WebServer")), platform, p.DbServer, creating: true);
        SiteCopies.NamesFree(env, site);
        var parts = SiteParts.Resolve(site, env);
        if (manifest is not null) Served(plan, parts, manifest);
        SiteRules.FoldersFree(env, parts, doing);

        var archive = p.Archive;
        if (aegir3) Aegir3Rewrite.Step(plan, parts, p.Archive, contents!, $"Importing {uri} from {Path.GetFileName(p.Archive)}", $"imported from {Path.GetFileName(p.Archive)}", a => archive = a);
        var deploy = SiteDeploy.AsNew(parts, () => archive, Path.GetFileName(p.Archive));
        if (!aegir3) deploy.Check();
        deploy.Plan(plan, env);
        var names = (manifest?.Aliases ?? []).Where(a => a != uri).ToList();
        if (names.Count > 0 || manifest?.Redirection is not null)
            plan.Add(uri, PlanAction.Check, $"leave aside the names the archive lists ({string.Join(", ", names.Append(manifest!.Redirection).OfType<string>().Distinct())})", ctx =>
                ctx.Warn($"The archive lists other names for the site ({string.Join(", ", names)}" + (manifest!.Redirection is { } r ? $", redirected to {r}" : "") +
                    $"); an archive does not choose the names this server answers for, so {uri} answers for its uri alone. Add those that are yours with Set-AegirSite {uri} -Alias ... (and -Redirection)."));
        // Nor how the web server serves it: the settings it had are named so the admin can give them again.
        // Named once each, as a record keeps them (the last of a key given twice), so the command works when pasted.
        if (manifest?.WebSettings is { Count: > 0 } && new AegirSite(uri) { WebSettings = manifest.WebSettings }.WebSettings is var tuning)
            plan.Add(uri, PlanAction.Check, $"leave aside the web settings the archive lists ({string.Join(", ", tuning)})", ctx =>
                ctx.Warn($"The archive lists web settings for the site ({string.Join(", ", tuning)}); an archive does not choose how this server serves a site, so {uri} has its platform's. " +
                    $"Give those you want with Set-AegirSite {uri} -WebSetting @{{ {string.Join("; ", tuning.Select(t => t.Split('=', 2) is var kv ? $"{kv[0]} = '{kv[1]}'" : t))} }}."));
    }

    /// <summary>
    /// Served as it was: over HTTPS when the backup's site was, with its certificate's source; a File source becomes
    /// self-signed unless the backup's certificate passes the checks of a file given (its step switches it back).
    /// </summary>
    static void Served(OperationPlan plan, SiteParts parts, BackupManifest manifest)
    {
        if (manifest.Https == HttpsMode.Disabled) return;
        var site = parts.Site;
        if (parts.Members.FirstOrDefault(m => !ThisMachine.Is(m.Web)) is { } remote)
        {
            plan.Add(site.Name, PlanAction.Check, $"serve {site.Uri} over HTTP: the backup's site was served over HTTPS, which this version serves on this machine's web servers only", ctx =>
                ctx.Warn($"The backup's site was served over HTTPS ({manifest.Https}); '@{remote.Web.Name}' is another machine, and this version serves HTTPS on this machine's web servers only, so {site.Uri} is served over HTTP."));
            return;
        }
        site.Https = manifest.Https;
        site.CertificateSource = manifest.CertificateSource == CertificateSource.File ? CertificateSource.SelfSigned : manifest.CertificateSource;
    }
}
