using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// The admin's own vhost rules of a site (config/&lt;server&gt;/&lt;type&gt;/site.d/&lt;uri&gt;/*.conf) follow its uri: a rename
/// or clone takes them to the new name before its vhost is tested, and they go with the site when its old name goes,
/// so a later site of that name never inherits them.
/// </summary>
internal static class SiteIncludes
{
    const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static void Copy(OperationPlan plan, OperationEnvironment env, SiteParts source, SiteParts target)
    {
        var from = source.Http.SiteIncludeDir(source.Site.Uri);
        var to = target.Http.SiteIncludeDir(target.Site.Uri);
        plan.Add(target.Web.Name, PlanAction.Write, $"copy the admin's own vhost rules of {source.Site.Uri} ({from}), if there are any, to {to}", ctx =>
        {
            var was = env.Connect(source.Web);
            var now = env.Connect(target.Web);
            if (was.Kind(from) != PathKind.Directory) return;
            if (now.Kind(to) != PathKind.None)
            {
                ctx.Info($"{to} is there already: its rules serve {target.Site.Uri}; those of {source.Site.Uri} are not copied.");
                return;
            }
            // Only the files the vhost includes, and never through a link: what is copied is what served the old name.
            var files = was.List(from).Where(n => n.EndsWith(".conf", StringComparison.Ordinal) && was.Kind(Path.Combine(from, n)) == PathKind.File).ToList();
            if (files.Count == 0) return;
            ctx.Step($"Copying the admin's vhost rules {string.Join(", ", files)} of {source.Site.Uri} to {to}", () =>
            {
                now.CreateDirectory(to, FolderMode);
                foreach (var name in files)
                    now.WriteFile(Path.Combine(to, name), was.ReadFile(Path.Combine(from, name)) ?? [], Services.Http.TemplatedWebService.ConfigMode);
            }, JournalActions.DeletePath(target.Web.Name, to));
        });
    }

    /// <summary>The deletion of a site's rules under a name it no longer has, for the task's commit (none when it has none).</summary>
    public static IEnumerable<JournalAction> Gone(OperationEnvironment env, SiteParts parts, TaskContext ctx)
    {
        var dir = parts.Http.SiteIncludeDir(parts.Site.Uri);
        if (env.Connect(parts.Web).Kind(dir) == PathKind.None) yield break;
        ctx.Info($"The admin's own vhost rules of {parts.Site.Uri} in {dir} go with that name.");
        yield return JournalActions.DeletePath(parts.Web.Name, dir);
    }
}
