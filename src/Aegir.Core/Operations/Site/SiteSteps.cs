using Aegir.Core.Contexts;
using Aegir.Core.Platforms;
using Aegir.Core.Services.Files;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Site;

/// <summary>The plan steps several site operations share: folders, settings, vhost and reload, and recording fields.</summary>
internal static class SiteSteps
{
    /// <summary>Each folder of the site with its owner, group and mode; one that did not exist is deleted again by the undo.</summary>
    public static void Folders(OperationPlan plan, SiteParts parts)
    {
        var transport = parts.Env.Connect(parts.Web);
        foreach (var (dir, group) in parts.Folders())
        {
            var full = Path.Combine(parts.Platform.Root, dir.Path);
            var line = $"{dir.Path} to {Modes.Octal(dir.Mode)} {parts.Owner}:{group}";
            plan.Add(parts.Web.Name, PlanAction.Set, $"set {line} in {parts.Platform.Root}", ctx =>
            {
                var files = new FileService(transport);
                var created = files.FirstMissing(full);
                ctx.Step($"Setting {line}", () => files.EnsureDirectory(parts.Platform.Root, dir.Path, dir.Mode, parts.Owner, group),
                    created is null ? null : JournalActions.DeletePath(parts.Web.Name, created));
            });
        }
    }

    public static void Settings(OperationPlan plan, SiteParts parts)
    {
        if (parts.Kind.SiteSettingsPath(parts.Site.Uri) is not { } settings) return;
        plan.Add(parts.Web.Name, PlanAction.Write, $"write {settings} {Modes.Octal(Modes.File0440)} {parts.Owner}:{parts.WebGroup} in {parts.Platform.Root} (no credentials)",
            ctx => parts.Kind.WriteSiteSettings(parts.Job(ctx)));
    }

    /// <summary>The site's vhost (written and tested), then a reload of the web server.</summary>
    public static void Vhost(OperationPlan plan, SiteParts parts, Func<bool> enabled)
    {
        plan.Add(parts.Web.Name, PlanAction.Write, $"write {parts.Http.SiteConfigPath(parts.Site.Uri)} and test the {parts.Http.Type} config of @{parts.Web.Name}",
            ctx => parts.Http.WriteSite(ctx, parts.Vhost(enabled())));
        Reload(plan, parts.Env, parts.Web, parts.Http);
    }

    public static void Reload(OperationPlan plan, OperationEnvironment env, AegirServer web, Services.IHttpService http)
        => plan.Add(web.Name, PlanAction.Reload,
            env.Engine.Batch is null ? $"reload {http.Type} on @{web.Name}" : $"reload {http.Type} on @{web.Name} (once, at the end of this pipeline)",
            ctx => ctx.Step($"Reloading {http.Type} on '@{web.Name}'", () => env.Engine.ReloadOrDefer(ctx, http)));

    /// <summary>A change of some fields of a context record, whose undo puts back just those fields.</summary>
    public static void Record<T>(OperationPlan plan, OperationEnvironment env, string name, string description, string logLine, Action<T> change) where T : AegirContext
        => plan.Add(name, PlanAction.Record, description, ctx => RecordNow(ctx, env, name, logLine, change));

    /// <summary>
    /// Records a change now: the fields it changes and their old values are found first (the task holds the
    /// context, so nothing else changes it meanwhile) and journaled; the edit itself runs on a fresh read.
    /// </summary>
    public static void RecordNow<T>(TaskContext ctx, OperationEnvironment env, string name, string logLine, Action<T> change) where T : AegirContext
    {
        var preview = env.Store.Preview(name, "Name", change, check: false);
        if (!preview.Changed)
        {
            ctx.Debug($"{logLine}: the record already says so.");
            return;
        }
        var data = ctx.SaveData(System.Text.Encoding.UTF8.GetBytes(preview.OldValues));
        ctx.Step(logLine, () => env.Store.Modify(name, "Name", change), JournalActions.RestoreFields(name, preview.ChangedFields, data));
    }
}
