using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Set-AegirSite: a site not installed yet only has its record changed (under its lock); an installed one is
/// verified with the change, in one task, so its vhost answers to new names at once and a failure puts both back.
/// </summary>
public static class SiteUpdate
{
    /// <summary>The site as the change would leave it, every value and rule checked; nothing is written.</summary>
    public static AegirSite Check(Engine engine, string name, SiteChanges changes)
    {
        var site = engine.Store.Preview<AegirSite>(name, "Uri", changes.ApplyTo).Context;
        SiteCertificates.Check(engine.Store.Home, site, CertificateGiven.Of(changes.CertificatePath, changes.CertificateKeyPath));
        if (changes.CronInterval is { Length: > 0 } interval && interval != "off")
        {
            // An interval for a cron that does not exist would look like a cron that runs.
            using var env = new OperationEnvironment(engine);
            var platform = env.Store.GetFresh<AegirPlatform>(site.PlatformName, "Platform");
            if (platform.Kind is not null && env.KindOf(platform, env.Server(platform.WebServerName, "WebServer")) is { CronCommand: null } kind)
                throw Errors.ErrorCatalog.InvalidValue("CronInterval", interval, $"the application of '@{platform.Name}' ({kind.Name}) has no cron command, so no cron would run",
                    "Give the application's manifest a 'cron' key (see about_Aegir, PLATFORM MANIFEST) and verify the platform first, or leave the interval as it is.");
        }
        return site;
    }

    public static IReadOnlyList<AegirPlanStep> Plan(Engine engine, string name, SiteChanges changes)
    {
        var before = engine.Store.GetFresh<AegirSite>(name, "Uri");
        var after = Check(engine, name, changes);
        if (before.Status != SiteStatus.NotInstalled && !changes.OnlySchedules) return engine.Plan(new VerifySite.Parameters(name, changes));
        return ContextDiff.Lines(before, after).Select((line, i) => new AegirPlanStep
        {
            Order = i + 1, Operation = "save", Target = name, On = name, Action = PlanAction.Record, Description = line,
        }).ToList();
    }

    /// <summary>Applies the change; the verify task when the site is installed (or got installed while this waited for it).</summary>
    public static (AegirSite Site, TaskOutcome? Verify) Apply(Engine engine, string name, SiteChanges changes, CancellationToken cancellation = default)
    {
        if (changes.OnlySchedules || engine.Store.GetFresh<AegirSite>(name, "Uri").Status == SiteStatus.NotInstalled)
        {
            var edit = engine.Edit<AegirSite>(name, "Uri", changes.ApplyTo);
            // A site only recorded keeps files given in the certificate store until its install serves them.
            if (CertificateGiven.Of(changes.CertificatePath, changes.CertificateKeyPath) is { } given) given.SaveTo(engine.Store.Home, edit.Context);
            if (changes.OnlySchedules || edit.Context.Status == SiteStatus.NotInstalled || !edit.Changed) return (edit.Context, null);
            // An install finished while the change waited for the site: its vhost must follow the record now.
            var after = engine.Run(new VerifySite.Parameters(name), cancellation);
            return (engine.Store.GetFresh<AegirSite>(name, "Uri"), after);
        }
        var verify = engine.Run(new VerifySite.Parameters(name, changes), cancellation);
        return (engine.Store.GetFresh<AegirSite>(name, "Uri"), verify);
    }
}
