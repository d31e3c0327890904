using Aegir.Core.Backups;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Operations.Site;

/// <summary>What rename and clone share: the new site's record, checked before anything changes, and the deploy that makes it.</summary>
internal static class SiteCopies
{
    /// <summary>
    /// The site under its new uri. A rename keeps its aliases and redirection, the www (or bare) twin of the old uri
    /// following the new one; a clone gets none (Aegir's clone), and may go to another platform or database server.
    /// </summary>
    public static AegirSite NewSite(OperationEnvironment env, AegirSite site, string newUri, bool rename, string? platform = null, string? dbServer = null)
    {
        var uri = Validate.SiteHost("NewUri", newUri);
        if (env.Store.Exists(uri))
            throw ErrorCatalog.ContextExists(uri, "site");
        if (dbServer is not null && !site.HasDatabase) throw ErrorCatalog.SiteHasNoDatabase(site.Uri, site.PlatformName, "copy to another server");
        var copy = new AegirSite(uri)
        {
            PlatformName = platform ?? site.PlatformName, DbServerName = dbServer ?? site.DbServerName, ClientName = site.ClientName,
            Profile = site.Profile, Language = site.Language, Status = site.Status,
            // What its vhost needs goes with it (uploads, timeouts), a copy's too.
            WebSettings = site.WebSettings,
        };
        SiteCertificates.Carry(site, copy);
        if (rename)
        {
            string Follow(string host) => host == site.Uri ? uri
                : host == "www." + site.Uri ? "www." + uri
                : site.Uri.StartsWith("www.", StringComparison.Ordinal) && host == site.Uri[4..] && uri.StartsWith("www.", StringComparison.Ordinal) ? uri[4..]
                : host;
            copy.Aliases = site.Aliases.Select(Follow).Where(h => h != uri).Distinct().ToList();
            copy.Redirection = site.Redirection is { } r ? Follow(r) : null;
            // The same site under a new name keeps its schedules: its backups and crons must not silently stop.
            (copy.CronInterval, copy.BackupInterval, copy.BackupRetention, copy.StatisticsInterval) = (site.CronInterval, site.BackupInterval, site.BackupRetention, site.StatisticsInterval);
        }
        NamesFree(env, copy, rename ? site.Name : null);
        // A rename keeps the client's count (its old record goes as the new one comes); a copy is one more site.
        if (!rename) ClientSiteLimit.CheckRoom(env.Store, copy);
        return copy;
    }

    /// <summary>The new uri, checked before any task: a valid host name that no site has.</summary>
    public static void Check(ContextStore store, string site, string newUri)
    {
        var uri = Validate.SiteHost("NewUri", newUri);
        if (store.Exists(uri)) throw ErrorCatalog.ContextExists(uri, "site");
    }

    /// <summary>Refuses a new site one of whose names another site (but <paramref name="except"/>) answers to; checked again when its record is written.</summary>
    public static void NamesFree(OperationEnvironment env, AegirSite site, string? except = null)
    {
        var index = SiteIndex.For(env.Store.ContextsPath);
        foreach (var host in site.HostNames())
            if (index.Claimants(env.Store, host).FirstOrDefault(n => n != except) is { } other)
                throw ErrorCatalog.NameTaken(host, other);
    }

    /// <summary>
    /// Refuses, before anything changes, a target where the site's backup cannot go: a platform of another kind or
    /// application (two php platforms may hold two), one whose application keeps a database for a site without one,
    /// or a database server of another type.
    /// </summary>
    public static void CheckTarget(SiteParts source, SiteParts target, string doing)
    {
        if (target.Kind.Name != source.Kind.Name || target.Kind.Application != source.Kind.Application)
            throw ErrorCatalog.StepFailed(ErrorIds.PlatformKindDiffers, doing, $"it is a {source.Kind.Application} site and @{target.Platform.Name} is a {target.Kind.Application} platform", $"Choose a {source.Kind.Application} platform.");
        if (!target.HasDatabase && target.Kind.UsesDatabase) throw ErrorCatalog.SiteNeedsDatabase(source.Site.Uri, target.Platform.Name);
        if (source.Db is { } ours && target.Db is { } theirs && ours.Driver != theirs.Driver)
            throw ErrorCatalog.StepFailed(ErrorIds.DbTypeDiffers, doing, $"its database is {ours.Driver} and @{target.DbServer!.Name} runs {theirs.Driver}", $"Choose a database server that runs {ours.Driver}.");
    }

    /// <summary>The steps of a rename or clone: a fresh backup of the source, deployed as the new site, which must answer; the source kept or removed last.</summary>
    public static void Plan(OperationPlan plan, OperationEnvironment env, SiteParts source, SiteParts target, bool keepSource, string why)
    {
        CheckTarget(source, target, $"Copying {source.Site.Uri}");
        if (target.Platform.Locked) throw ErrorCatalog.PlatformLocked(target.Platform.Name);
        SiteRules.FoldersFree(env, target, $"Copying {source.Site.Uri} to {target.Site.Uri}");
        string? archive = null;
        SiteArchive.Step(plan, source, ArchiveCompression.Zstd, why, $"take a fresh backup of {source.Site.Uri}", b => archive = b.Path);
        new SiteDeploy(source, target, () => archive!, $"the fresh backup of {source.Site.Uri}", keepSource).Plan(plan, env);
    }
}
