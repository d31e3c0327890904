using Aegir.Core.Backups;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Aegir's migrate, how a site is upgraded: it moves to another platform (newer code of the same application) and/or
/// another database server. A pre-migration backup is taken and deployed on the target (new database, folders
/// beside where they go), the packages compared (one the target lacks: a warning), the record switched, settings and
/// vhost written on the target, the application's database updates run (a move onto other code) and the page
/// checked; the old database and folders go last. Any failure, or a kill
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


    /// <summary>
    /// The platforms are held shared: many sites move from one platform onto another at once (Move-AegirSite
    /// -ThrottleLimit), each its own folders and database, while a task that changes a platform itself (verify, lock,
    /// delete) or another kind of site task there holds it exclusive and waits for them all. What sites of a platform
    /// share on its disk (the ACLs of its shared folders) changes under the server's accounts lock.
    /// </summary>
    public override IReadOnlyList<string> SharedLocksOf(Parameters p, ContextStore store)
        => LocksOf(p, store).Where(name => name != p.Site).ToList();

    /// <summary>A move to where the site is already is refused before any task.</summary>
    public override void Check(Parameters p, ContextStore store)
    {
        if (store.TryGet(p.Site) is not AegirSite site) return;
        if (p.DbServer is not null && !site.HasDatabase) throw ErrorCatalog.SiteHasNoDatabase(site.Uri, site.PlatformName, "move");
        var platform = p.Platform is { } to ? ContextNames.Canonical("Platform", to, ContextType.Platform) : site.PlatformName;
        var dbServer = p.DbServer is { } db ? ContextNames.Canonical("DbServer", db, ContextType.Server) : site.DbServerName;
        if (platform == site.PlatformName && dbServer == site.DbServerName) throw AlreadyThere(site, p);
    }

    static Errors.AegirException AlreadyThere(AegirSite site, Parameters p)
        => ErrorCatalog.InvalidValue(p.Platform is null ? "DbServer" : "Platform", p.Platform ?? p.DbServer, $"{site.Uri} is on @{site.PlatformName}{(site.HasDatabase ? $" with its database on @{site.DbServerName}" : "")} already",
            "Name another platform (-Platform) or database server (-DbServer).");

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var site = SiteRules.Fresh(env, p.Site);
        SiteRules.Installed(site, "Moving");
        if (p.DbServer is not null && !site.HasDatabase) throw ErrorCatalog.SiteHasNoDatabase(site.Uri, site.PlatformName, "move");
        var source = SiteParts.Resolve(site, env);
        var moved = (AegirSite)env.Store.ReadFresh(site.Name)!;
        moved.PlatformName = p.Platform ?? site.PlatformName;
        moved.DbServerName = p.DbServer ?? site.DbServerName;
        if (moved.PlatformName == site.PlatformName && moved.DbServerName == site.DbServerName)
            throw AlreadyThere(site, p);
        var platform = env.Store.GetFresh<AegirPlatform>(moved.PlatformName, "Platform");
        if (moved.PlatformName != site.PlatformName)
        {
            if (platform.Locked) throw ErrorCatalog.PlatformLocked(platform.Name);
            if (platform.Kind is null)
                throw ErrorCatalog.PlatformNotVerified($"Moving {site.Uri}", platform.Name);
        }
        var target = SiteParts.Resolve(moved, env);
        SiteCopies.CheckTarget(source, target, $"Moving {site.Uri}");
        if (target.Platform.Name != source.Platform.Name) SiteRules.FoldersFree(env, target, $"Moving {site.Uri} to @{target.Platform.Name}");

        if (source.Platform.Name != target.Platform.Name) Schemas(source, target);
        Packages(plan, source, target);
        string? archive = null;
        var moves = new[] { target.Platform.Name != source.Platform.Name ? "to @" + target.Platform.Name : null, target.DbServer?.Name != source.DbServer?.Name ? "its database to @" + target.DbServer?.Name : null };
        SiteArchive.Step(plan, source, ArchiveCompression.Zstd, $"before moving {string.Join(", ", moves.OfType<string>())}", "take a pre-migration backup", b => archive = b.Path);
        // Only new code has updates to run: a move of the database alone keeps the code it was at.
        new SiteDeploy(source, target, () => archive!, "the pre-migration backup") { RunsUpdates = target.Platform.Name != source.Platform.Name }.Plan(plan, env);
    }

    /// <summary>
    /// Refuses, before anything changes, a move onto code older than the site's database: a package whose schema in
    /// the database is past the newest update the target's code of it has would go backwards.
    /// </summary>
    static void Schemas(SiteParts source, SiteParts target)
    {
        if (source.DatabaseIfAny() is not { } database || source.Kind.SchemaVersions(source.Db!, database) is not { Count: > 0 } schemas) return;
        var theirs = target.Kind.ScanPackages(target.Env.Connect(target.Web), target.Platform.Root, target.Platform.Name)
            .GroupBy(x => x.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Schema ?? target.Kind.BaseSchema, StringComparer.Ordinal);
        var backwards = schemas.Where(s => theirs.TryGetValue(s.Key, out var newest) && s.Value > newest)
            .Select(s => $"{s.Key} (the site's database is at {s.Value}, @{target.Platform.Name}'s code at {theirs[s.Key]})").ToList();
        if (backwards.Count > 0)
            throw ErrorCatalog.StepFailed(ErrorIds.SchemaBackwards, $"Moving {source.Site.Uri} to @{target.Platform.Name}",
                $"its database is newer than that platform's code: {string.Join(", ", backwards)}; nothing was changed",
                "Move it to a platform whose code has those updates (or newer ones).");
    }

    /// <summary>
    /// The site's enabled packages the target platform lacks (each a warning: the site may lose what they did) and
    /// those of other versions there, found when the move is planned, so -WhatIf shows them.
    /// </summary>
    static void Packages(OperationPlan plan, SiteParts source, SiteParts target)
    {
        if (source.Platform.Name == target.Platform.Name) return;
        var (missing, changed, unread) = Differences(source, target);
        var what = unread is not null ? $"the packages {source.Site.Uri} has enabled could not be read ({unread})"
            : missing.Count == 0 && changed.Count == 0 ? $"every package {source.Site.Uri} has enabled is there, in the same version"
            : string.Join("; ", new[] { missing.Count > 0 ? $"missing there: {string.Join(", ", missing)}" : null, changed.Count > 0 ? $"other versions: {string.Join(", ", changed)}" : null }.OfType<string>());
        plan.Add(target.Platform.Name, PlanAction.Check, $"compare the site's packages with those of @{target.Platform.Name}: {what}", ctx =>
        {
            if (unread is not null) ctx.Warn($"The packages {source.Site.Uri} has enabled could not be read, so they were not compared: {unread}");
            foreach (var name in missing) ctx.Warn($"@{target.Platform.Name} has no {name}, which {source.Site.Uri} has enabled.");
            foreach (var line in changed) ctx.Info(line);
        });
    }

    static (List<string> Missing, List<string> Changed, string? Unread) Differences(SiteParts source, SiteParts target)
    {
        IReadOnlySet<string>? enabled;
        try { enabled = source.DatabaseIfAny() is { } database ? source.Kind.EnabledPackages(source.Db!, database) : null; }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException) { return ([], [], ex.Message); }
        var theirs = target.Kind.ScanPackages(target.Env.Connect(target.Web), target.Platform.Root, target.Platform.Name).Select(p => p.OfPlatformVersion(target.Platform.Version))
            .GroupBy(x => x.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var ours = source.Kind.ScanPackages(source.Env.Connect(source.Web), source.Platform.Root, source.Platform.Name).Select(p => p.OfPlatformVersion(source.Platform.Version));
        List<string> missing = [], changed = [];
        foreach (var package in ours.Where(x => x.Type == "core" || (enabled?.Contains(x.Name) ?? false)))
        {
            if (!theirs.TryGetValue(package.Name, out var there)) missing.Add($"{package.Type} {package.Name}");
            else if (package.Version != there.Version) changed.Add($"{package.Name}: {package.Version ?? "?"} on @{source.Platform.Name}, {there.Version ?? "?"} on @{target.Platform.Name}");
        }
        return (missing, changed, null);
    }
}
