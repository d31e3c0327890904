using System.Text.RegularExpressions;
using Aegir.Core.Errors;
using Aegir.Core.Platforms;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// The application's database updates after a move to other code (Aegir's updatedb after a migrate): Drupal's own
/// drush updatedb, WordPress's wp core update-db (or, without WP-CLI, its own upgrade page), a manifest's 'update'
/// command. They run on the new database once the deploy put the site's code, settings and folders on the new
/// platform, and before the old copy goes: a failure rolls the move back, the old database never touched. Each runs
/// as the install does, as the site's own account (never root), its output in the task's log.
/// </summary>
internal static class ApplicationUpdate
{
    /// <summary>How long an update may take: a large site's may run long, but a hung one must not hold the platforms for hours.</summary>
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(30);

    /// <summary>The updates that run on the command line, before the site is served from the new platform (its old vhost still serves it meanwhile).</summary>
    public static void BeforeServing(OperationPlan plan, SiteParts parts)
    {
        var transport = parts.Env.Connect(parts.Web);
        var root = parts.Platform.Root;
        switch (parts.Kind)
        {
            case PhpKind { Manifest.Update: { } words } php:
                plan.Add(parts.Web.Name, PlanAction.Run, $"run the update command of {php.Application} on the new database: {string.Join(' ', words)}",
                    ctx => Run(ctx, parts, $"the update command of {php.Application}", shell => shell.Fill(words, parts.DatabaseIfAny(), parts.Site.Uri, parts.SiteUrl, root),
                        $"Fix the cause (the output is in the task's log), or the 'update' command in {php.Manifest.File}, then move the site again."));
                break;
            case DrupalKind when SiteCommand.OwnDrush(transport, root) is not null:
                Tool(plan, parts, "drush updatedb", "drush", ["drush", "updatedb", "-y"],
                    $"Fix the cause (drush's output is in the task's log), then move the site again; Invoke-AegirSiteCommand {parts.Site.Uri} -- drush updatedb runs them by hand on its current platform.");
                break;
            case DrupalKind:
                plan.Add(parts.Web.Name, PlanAction.Check, $"note that @{parts.Platform.Name} has no drush of its own, so the database updates of {parts.Site.Uri} are not run", ctx =>
                    ctx.Warn($"The database updates of {parts.Site.Uri} were not run: @{parts.Platform.Name} has no drush of its own (vendor/bin/drush). Run them at {parts.SiteUrl}/update.php as the site's admin, "
                             + $"or add drush to the platform (composer require drush/drush), verify it, and run: Invoke-AegirSiteCommand {parts.Site.Uri} -- drush updatedb -y"));
                break;
            case WordPressKind when SiteCommand.OwnWp(transport, root) is not null:
                Tool(plan, parts, "wp core update-db", "WP-CLI", ["wp", "core", "update-db"], "Fix the cause (WP-CLI's output is in the task's log), then move the site again.");
                break;
        }
    }

    /// <summary>
    /// The update that needs the site served from the new platform: WordPress without WP-CLI upgrades its database
    /// at its own upgrade page (wp-admin/upgrade.php, which asks no login while the database is behind its code).
    /// </summary>
    public static void OnceServed(OperationPlan plan, SiteParts parts)
    {
        if (parts.Kind is not WordPressKind || SiteCommand.OwnWp(parts.Env.Connect(parts.Web), parts.Platform.Root) is not null) return;
        var host = parts.Site.Redirection ?? parts.Site.Uri;
        plan.Add(parts.Web.Name, PlanAction.Run, $"run the database update of {parts.Site.Uri} at its upgrade page ({host}/wp-admin/upgrade.php?step=1), then check its db_version", ctx =>
            ctx.Step($"Updating the database of {parts.Site.Uri} at {host}/wp-admin/upgrade.php", () => UpgradePage(ctx, parts, host)));
    }

    /// <summary>The platform's own drush or WP-CLI, run for the site.</summary>
    static void Tool(OperationPlan plan, SiteParts parts, string what, string tool, IReadOnlyList<string> words, string fix)
        => plan.Add(parts.Web.Name, PlanAction.Run, $"run the database updates of {parts.Site.Uri} with @{parts.Platform.Name}'s own {tool} ({what})",
            ctx => Run(ctx, parts, what, _ => words, fix));

    static void Run(Tasks.TaskContext ctx, SiteParts parts, string what, Func<SiteShell, IReadOnlyList<string>> command, string fix) => ctx.Step($"Running {what} for {parts.Site.Uri}", () =>
    {
        var job = parts.Job(ctx);
        using var shell = SiteShell.Open(job.Transport, job.Server, ctx, job.Owner);
        var (program, arguments) = SiteCommand.Tool(job.Transport, job.Root, parts.Site.Uri, job.SiteUrl, command(shell));
        ctx.Info($"Running {what} for {parts.Site.Uri} as {shell.User}: {new CommandSpec(program, arguments)}");
        // Stop-AegirTask ends the update (killed with its process group) and the move rolls back.
        using var stop = ctx.WatchForStop();
        var result = shell.Run(program, arguments, job.Root, job.DbEnvironment(), Timeout, cancellation: stop.Token);
        stop.ThrowIfStopped($"{what} for {parts.Site.Uri}");
        foreach (var line in Lines(ctx.Masker.Apply(result.StandardOutput + "\n" + result.StandardError), 200)) ctx.Info($"  {line}");
        if (!result.Succeeded)
            throw ErrorCatalog.StepFailed(ErrorIds.UpdateFailed, $"Running {what} for {parts.Site.Uri} on @{parts.Platform.Name}", ctx.Masker.Apply(result.Summary()) + "; the move is rolled back, the site stays where it was with its old database", fix);
    });

    static void UpgradePage(Tasks.TaskContext ctx, SiteParts parts, string host)
    {
        var answer = parts.Http.Fetch(host, "/wp-admin/upgrade.php?step=1", SiteCertificates.Pin(parts));
        ctx.Info($"{host}/wp-admin/upgrade.php?step=1 answers {answer}.");
        var problem = answer.Status != 200 ? $"it answered {answer}" : null;
        // A 200 proves little: the database must say it is at the code's version now.
        if (problem is null && CodeDbVersion(parts) is { } wanted && DbVersion(parts) is var found && found != wanted)
            problem = $"the database is at db_version {found ?? "(none)"} afterwards, and the code of @{parts.Platform.Name} at {wanted}";
        if (problem is not null)
            throw ErrorCatalog.StepFailed(ErrorIds.UpdateFailed, $"Updating the database of {parts.Site.Uri} at its upgrade page", problem + "; the move is rolled back, the site stays where it was with its old database",
                $"Look at {host}/wp-admin/upgrade.php on a copy of the site (Copy-AegirSite), or add WP-CLI to the platform (vendor/bin/wp), then move the site again.");
    }

    /// <summary>$wp_db_version of the platform's code (wp-includes/version.php); null when it cannot be read.</summary>
    static string? CodeDbVersion(SiteParts parts)
        => parts.Env.Connect(parts.Web).ReadFile(Path.Combine(parts.Platform.Root, "wp-includes", "version.php")) is { } bytes
           && Regex.Match(System.Text.Encoding.UTF8.GetString(bytes), @"\$wp_db_version\s*=\s*(\d+)\s*;") is { Success: true } m ? m.Groups[1].Value : null;

    static string? DbVersion(SiteParts parts)
        => parts.Db!.Query(parts.Database(), "SELECT option_value FROM wp_options WHERE option_name = 'db_version'").FirstOrDefault()?.FirstOrDefault()?.ToString();

    static IEnumerable<string> Lines(string text, int max)
    {
        var all = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return all.Skip(Math.Max(0, all.Length - max));
    }
}
