using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// The admin's own vhost rules of a site (config/&lt;server&gt;/&lt;type&gt;/site.d/&lt;uri&gt;/) follow it: a rename, a clone or a
/// move to another web server of the same type takes the folder (its files and folders, never a link) to where the
/// site now is before its vhost is tested, and the old one goes when the site leaves that name or server, so a later
/// site there never inherits them. What cannot follow (rules for another type of web server, links) is named.
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
            var kind = was.Kind(from);
            if (kind == PathKind.None) return;
            if (kind != PathKind.Directory)
            {
                ctx.Warn($"{from} is a {(kind == PathKind.Symlink ? "link" : "file")}, not a folder: rules there are never followed, so none go to {to}; it goes with {source.Site.Uri}'s old place. Put the rules {target.Site.Uri} needs in {to}.");
                return;
            }
            if (source.Http.Type != target.Http.Type)
            {
                ctx.Warn($"The admin's own rules in {from} are {source.Http.Type}'s, and {target.Site.Uri} is now served by {target.Http.Type} on '@{target.Web.Name}': they are not carried over. Write them for {target.Http.Type} in {to}.");
                return;
            }
            if (now.Kind(to) != PathKind.None)
            {
                ctx.Info($"{to} is there already: its rules serve {target.Site.Uri}; those of {source.Site.Uri} are not copied.");
                return;
            }
            var (folders, files, left) = Tree(was, from, "");
            ctx.Step($"Copying the admin's vhost rules of {source.Site.Uri} ({files.Count} files) to {to}", () =>
            {
                now.CreateDirectory(to, FolderMode);
                foreach (var folder in folders) now.CreateDirectory(Path.Combine(to, folder), FolderMode);
                foreach (var file in files)
                    now.WriteFile(Path.Combine(to, file), was.ReadFile(Path.Combine(from, file)) ?? [], Services.Http.TemplatedWebService.ConfigMode);
            }, JournalActions.DeletePath(target.Web.Name, to));
            if (left.Count > 0)
                ctx.Warn($"Not copied from {from} (links are never followed): {string.Join(", ", left)}. Put what {target.Site.Uri} needs of them in {to}.");
        });
    }

    /// <summary>The folders and regular files below a folder (relative, parents first), and what else is there (links, devices).</summary>
    static (List<string> Folders, List<string> Files, List<string> Left) Tree(ITransport transport, string root, string relative)
    {
        var (folders, files, left) = (new List<string>(), new List<string>(), new List<string>());
        foreach (var name in transport.List(Path.Combine(root, relative)))
        {
            var path = relative.Length == 0 ? name : $"{relative}/{name}";
            switch (transport.Kind(Path.Combine(root, path)))
            {
                case PathKind.File: files.Add(path); break;
                case PathKind.Directory:
                    folders.Add(path);
                    var (f, g, l) = Tree(transport, root, path);
                    folders.AddRange(f); files.AddRange(g); left.AddRange(l);
                    break;
                default: left.Add(path); break;
            }
        }
        return (folders, files, left);
    }

    /// <summary>The deletion of a site's rules where it no longer is, for the task's commit (none when it has none).</summary>
    public static IEnumerable<JournalAction> Gone(OperationEnvironment env, SiteParts parts, TaskContext ctx)
    {
        var dir = parts.Http.SiteIncludeDir(parts.Site.Uri);
        if (env.Connect(parts.Web).Kind(dir) == PathKind.None) yield break;
        ctx.Info($"The admin's own vhost rules of {parts.Site.Uri} in {dir} on '@{parts.Web.Name}' go with the site's old place.");
        yield return JournalActions.DeletePath(parts.Web.Name, dir);
    }
}
