using Aegir.Core.Backups;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Aegir's migrate, how a site is upgraded: it moves to another platform (newer code of the same application) and/or
/// another database server. A pre-migration backup is taken and deployed on the target (new database, folders
/// beside where they go), the packages compared (one the target lacks: a warning), the record switched, settings and
/// vhost written on the target and the page checked; the old database and folders go last. Any failure, or a kill
/// and the repair, leaves the site answering from where it was with its data, and nothing behind.
/// </summary>
public sealed class MoveSite : SiteOperation<MoveSite.Parameters>
{
    /// <param name="Platform">The platform to move to (canonical name); null to stay.</param>
    /// <param name="DbServer">The database server to move to; null to stay.</param>
    public sealed record Parameters(string Site, string? Platform = null, string? DbServer = null) : ISiteParameters;

    public override string Type => "migrate";

    /// <summary>The site, the platform it leaves and the one it goes to.</summary>
    public override IReadOnlyList<string> LocksOf(Parameters p, ContextStore store)
        => base.LocksOf(p, store).Concat(p.Platform is { } to ? [to] : []).Distinct().ToList();


    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var site = SiteRules.Fresh(env, p.Site);
        SiteRules.Installed(site, "Moving");
        var source = SiteParts.Resolve(site, env);
        var moved = (AegirSite)env.Store.ReadFresh(site.Name)!;
        moved.PlatformName = p.Platform ?? site.PlatformName;
        moved.DbServerName = p.DbServer ?? site.DbServerName;
        if (moved.PlatformName == site.PlatformName && moved.DbServerName == site.DbServerName)
            throw ErrorCatalog.InvalidValue("Platform", p.Platform ?? p.DbServer, $"{site.Uri} is on @{site.PlatformName} with its database on @{site.DbServerName} already",
                "Name another platform (-Platform) or database server (-DbServer).");
        var platform = env.Store.GetFresh<AegirPlatform>(moved.PlatformName, "Platform");
        if (moved.PlatformName != site.PlatformName)
        {
            if (platform.Locked) throw ErrorCatalog.PlatformLocked(platform.Name);
            if (platform.Kind is null)
                throw ErrorCatalog.StepFailed("PlatformNotVerified", $"Moving {site.Uri}", $"the platform '@{platform.Name}' has not been verified yet", $"Verify it first (Invoke-AegirVerify {platform.Name}).");
        }
        var target = SiteParts.Resolve(moved, env);
        if (target.Kind.Name != source.Kind.Name)
            throw ErrorCatalog.StepFailed("PlatformKindDiffers", $"Moving {site.Uri}", $"it is a {source.Kind.Name} site and @{platform.Name} is a {target.Kind.Name} platform",
                $"Move it to a {source.Kind.Name} platform.");
        if (target.Db.Driver != source.Db.Driver)
            throw ErrorCatalog.StepFailed("DbTypeDiffers", $"Moving {site.Uri}", $"its database is {source.Db.Driver} and @{target.DbServer.Name} runs {target.Db.Driver}",
                $"Move it to a database server that runs {source.Db.Driver}.");

        if (source.Platform.Name != target.Platform.Name) Schemas(source, target);
        Packages(plan, source, target);
        string? archive = null;
        var moves = new[] { target.Platform.Name != source.Platform.Name ? "to @" + target.Platform.Name : null, target.DbServer.Name != source.DbServer.Name ? "its database to @" + target.DbServer.Name : null };
        SiteArchive.Step(plan, source, ArchiveCompression.Zstd, $"before moving {string.Join(", ", moves.OfType<string>())}", "take a pre-migration backup", b => archive = b.Path);
        new SiteDeploy(source, target, () => archive!, "the pre-migration backup").Plan(plan, env);
    }

    /// <summary>
    /// Refuses, before anything changes, a move onto code older than the site's database: a package whose schema in
    /// the database is past the newest update the target's code of it has would go backwards.
    /// </summary>
    static void Schemas(SiteParts source, SiteParts target)
    {
        if (source.Kind.SchemaVersions(source.Db, source.Database()) is not { Count: > 0 } schemas) return;
        var theirs = target.Kind.ScanPackages(target.Env.Connect(target.Web), target.Platform.Root, target.Platform.Name)
            .GroupBy(x => x.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Schema ?? target.Kind.BaseSchema, StringComparer.Ordinal);
        var backwards = schemas.Where(s => theirs.TryGetValue(s.Key, out var newest) && s.Value > newest)
            .Select(s => $"{s.Key} (the site's database is at {s.Value}, @{target.Platform.Name}'s code at {theirs[s.Key]})").ToList();
        if (backwards.Count > 0)
            throw ErrorCatalog.StepFailed("SchemaBackwards", $"Moving {source.Site.Uri} to @{target.Platform.Name}",
                $"its database is newer than that platform's code: {string.Join(", ", backwards)}; nothing was changed",
                "Move it to a platform whose code has those updates (or newer ones).");
    }

    /// <summary>The site's enabled packages the target platform lacks: the site may lose what they did, so each is a warning.</summary>
    static void Packages(OperationPlan plan, SiteParts source, SiteParts target)
    {
        if (source.Platform.Name == target.Platform.Name) return;
        plan.Add(target.Platform.Name, PlanAction.Check, $"compare the site's packages with those of @{target.Platform.Name}", ctx =>
        {
            IReadOnlySet<string>? enabled;
            try { enabled = source.Kind.EnabledPackages(source.Db, source.Database()); }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                ctx.Warn($"The packages {source.Site.Uri} has enabled could not be read, so they were not compared: {ex.Message}");
                return;
            }
            var theirs = target.Kind.ScanPackages(target.Env.Connect(target.Web), target.Platform.Root, target.Platform.Name).ToDictionary(x => x.Name, StringComparer.Ordinal);
            var ours = source.Kind.ScanPackages(source.Env.Connect(source.Web), source.Platform.Root, source.Platform.Name);
            foreach (var package in ours.Where(x => enabled?.Contains(x.Name) ?? false))
            {
                if (!theirs.TryGetValue(package.Name, out var there)) ctx.Warn($"@{target.Platform.Name} has no {package.Type} {package.Name}, which {source.Site.Uri} has enabled.");
                else if (package.Version != there.Version) ctx.Info($"{package.Name}: {package.Version ?? "?"} on @{source.Platform.Name}, {there.Version ?? "?"} on @{target.Platform.Name}.");
            }
        });
    }
}
