using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Services.Files;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// The client's people on a site's files (the seed's ACL approach): on each machine that serves the site, the
/// client's UNIX group is made when missing, and gets POSIX ACL entries: read and write (with default entries, so
/// what is made later inherits them) in the folders the site writes, read on its settings file and its other own
/// folders. Entries of any other group (the client's before a change, or of a client the site no longer has) are
/// taken away; the web group's and the owner's group's stay. A site without a client gets none.
/// </summary>
internal static class SiteAccess
{
    /// <param name="client">The client as it will be (a change of its group); its record as it is when null.</param>
    public static void Plan(OperationPlan plan, SiteParts site, AegirClient? client = null)
    {
        client ??= ClientOf(site);
        foreach (var parts in site.Members) On(plan, parts, client);
    }

    /// <summary>
    /// Before a new site changes anything: the client's group on each machine that will serve it is refused now, when
    /// it is there and not the client's to use, rather than by the undo of a half-made site.
    /// </summary>
    public static void Check(OperationPlan plan, SiteParts site)
    {
        if (ClientOf(site) is not { } client) return;
        var group = ClientGroups.Require(client);
        foreach (var parts in site.Members)
            plan.Add(parts.Web.Name, PlanAction.Check, $"check that the group {group} on @{parts.Web.Name} is missing or the client's to use",
                _ => Client.ClientGroupUse.Check(parts.Env, parts.Web, parts.Env.Connect(parts.Web), client, group, client.AdoptGroup));
    }

    static AegirClient? ClientOf(SiteParts site) => site.Site.ClientName is { } name ? site.Env.Store.GetFresh<AegirClient>(name, "Client") : null;

    static void On(OperationPlan plan, SiteParts parts, AegirClient? client)
    {
        var group = client is null ? null : ClientGroups.Require(client);
        var web = parts.Web.Name;
        var root = parts.Platform.Root;
        var roots = parts.Kind.SiteRoots(parts.Site.Uri).Select(r => Path.Combine(root, r)).ToList();
        var writable = SiteSteps.WebWritable(parts).Select(r => Path.Combine(root, r)).ToList();
        var settings = parts.Kind.SiteSettingsPath(parts.Site.Uri) is { } s && !parts.Kind.SiteRoots(parts.Site.Uri).Any(r => s == r || s.StartsWith(r + "/", StringComparison.Ordinal))
            ? [Path.Combine(root, s)] : new List<string>();
        var all = roots.Concat(settings).ToList();   // what a new group's entries are taken away from, when its grant is undone
        var shown = string.Join(", ", parts.Kind.SiteRoots(parts.Site.Uri));
        if (group is null)
        {
            plan.Add(web, PlanAction.Set, $"take any client group's ACL entries away from {shown} in {root}{parts.OnMember} (the site has no client)", ctx =>
            {
                var transport = parts.Env.Connect(parts.Web);
                // No ACL tools, no ACL entries a client's group could have been given here.
                if (!transport.Run(new CommandSpec("getfacl", ["--version"]) { Timeout = TimeSpan.FromSeconds(30) }).Succeeded) return;
                DropOthers(ctx, parts, transport, (roots, writable, settings), null);
            });
            return;
        }
        var people = client!.People;
        plan.Add(web, PlanAction.Create, $"make the client's group {group} on @{web} when it is missing{(people.Count > 0 ? $", with {string.Join(", ", people)} in it" : "")}", ctx =>
        {
            var transport = parts.Env.Connect(parts.Web);
            Client.ClientGroupUse.Claim(ctx, parts.Env, parts.Web, transport, client, group, client.AdoptGroup);
            Client.ClientGroupUse.Members(ctx, parts.Web, transport, client);
        });
        var what = writable.Count > 0 ? $"read and write in {string.Join(", ", SiteSteps.WebWritable(parts))}, read of the rest of {shown}" : $"read of {shown}";
        if (settings.Count > 0) what += $" and of {parts.Kind.SiteSettingsPath(parts.Site.Uri)}";
        plan.Add(web, PlanAction.Set, $"give the group {group} {what} in {root}{parts.OnMember} by ACL (setfacl), and take other groups' entries away", ctx =>
        {
            var transport = parts.Env.Connect(parts.Web);
            var acl = new GroupAcl(transport, web, parts.Owner);
            acl.Require();
            var gid = UnixGroups.Id(transport, group);
            var had = DropOthers(ctx, parts, transport, (roots, writable, settings), gid);
            ctx.Step($"Giving the group {group} {what}{parts.OnMember}", () => acl.Grant(roots, writable, settings, group),
                gid is { } g && had.Contains(g) ? null : JournalActions.DropGroupAcl(web, group, string.Join('\n', all), parts.Owner));
        });
    }

    /// <summary>
    /// Takes away the entries of every group but <paramref name="keep"/>, the web group and the owner's group; the groups
    /// that had entries before. Undone by giving a group that still has a name the entries a client's group gets.
    /// </summary>
    static IReadOnlySet<int> DropOthers(TaskContext ctx, SiteParts parts, ITransport transport, (List<string> Read, List<string> Write, List<string> Files) paths, int? keep)
    {
        var web = parts.Web.Name;
        var acl = new GroupAcl(transport, web, parts.Owner);
        var all = paths.Read.Concat(paths.Files).ToList();
        var found = acl.Groups(all);
        var kept = new[] { keep, UnixGroups.Id(transport, parts.WebGroup), UnixGroups.Id(transport, parts.OwnerGroup) }.OfType<int>().ToHashSet();
        foreach (var gid in found.Where(g => !kept.Contains(g)).Order())
        {
            var number = gid.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var name = UnixGroups.Name(transport, gid);
            ctx.Step($"Taking the ACL entries of group {name ?? number} away from the site's files{parts.OnMember}", () => acl.Remove(all, name ?? number),
                name is null ? null : JournalActions.GrantGroupAcl(web, name, string.Join('\n', paths.Read), string.Join('\n', paths.Write), string.Join('\n', paths.Files), parts.Owner));
        }
        return found;
    }
}
