using System.Diagnostics;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Site;

namespace Aegir.Core.Schedules;

/// <summary>
/// Runs a site's cron as its platform names it (drush cron, wp-cron.php, the manifest's command; a Drupal platform
/// without drush, its cron URL with the site's key) and records when and how it went.
/// </summary>
public static class SiteCron
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(15);

    /// <summary>Runs it; a line for the worker's log. A cron fails on a non-zero exit, a timeout, or a PHP fatal error in its output.</summary>
    public static string Run(Engine engine, string site) => Run(engine, site, held: false).Line;

    /// <summary>Runs it, and records how it went holding the site unless the caller (a cron task) <paramref name="held"/> it: the line, and why it failed.</summary>
    public static (string Line, string? Error) Run(Engine engine, string site, bool held)
    {
        var clock = Stopwatch.StartNew();
        string? error;
        try
        {
            var result = SiteCommand.Run(engine, site, null, Timeout);
            var output = result.StandardOutput + "\n" + result.StandardError;
            error = result.TimedOut ? $"it ran longer than {Timeout.TotalMinutes:0} minutes and was stopped"
                : !result.Succeeded ? $"exit code {result.ExitCode}: {result.Summary()}"
                : output.Contains("Fatal error", StringComparison.Ordinal) ? $"PHP reported a fatal error: {Tail(output)}"
                : null;
        }
        catch (AegirException ex) when (ex.ErrorId == "NoCronCommand")
        {
            // The application has no cron: nothing is due, and nothing is wrong.
            Record(engine, site, held, s => { s.CronLast = DateTimeOffset.UtcNow; s.CronSucceeded = null; s.CronError = null; s.CronNone = true; });
            return ($"Cron of {site}: its platform's application has no cron command; nothing to run.", null);
        }
        catch (AegirException ex) { error = ex.Message; }
        // What the cron printed is the application's: the site's own password never goes on into a record or a log.
        if (error is not null && engine.Store.ReadFresh(site) is Contexts.AegirSite { DbPassword: { Length: >= 4 } password })
            error = error.Replace(password, "********", StringComparison.Ordinal);
        var seconds = clock.Elapsed.TotalSeconds;
        Record(engine, site, held, s =>
        {
            s.CronLast = DateTimeOffset.UtcNow;
            s.CronSucceeded = error is null;
            s.CronError = error;
            s.CronSeconds = Math.Round(seconds, 3);
            s.CronRuns++;
            s.CronNone = false;
        });
        return (error is null ? $"Cron of {site}: done in {seconds:0.0} s." : $"Cron of {site} failed: {error}", error);
    }

    /// <summary>The cron's outcome into the site's state, holding the site.</summary>
    static void Record(Engine engine, string site, bool held, Action<SiteState> change)
    {
        using (held ? null : engine.Runner.Hold([site], $"the cron record of '@{site}'", (_, _) => { }))
            new SiteStateStore(engine.Store.Home).Update(site, change);
    }

    static string Tail(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.Contains("Fatal error", StringComparison.Ordinal)) ?? "";
        return line.Length > 300 ? line[..300] : line;
    }
}
