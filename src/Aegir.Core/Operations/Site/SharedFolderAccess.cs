using Aegir.Core.Contexts;
using Aegir.Core.Services.Files;
using Aegir.Core.Services.Php;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// The ACL entries that let an account write a platform's shared folders (a manifest's shared_folders) go when the
/// last site of the platform that runs as it leaves it, on that server (moved to another platform or server, removed,
/// moved to another account): they are no longer its to write, and an account deleted later leaves no entry under
/// its number for the next account given it. Journaled before the account's deletion, so they go while it is there.
/// </summary>
internal static class SharedFolderAccess
{
    /// <summary>The changes that take the entries of the accounts <paramref name="parts"/>' site ran as away on its platform, on each machine that served it.</summary>
    public static IEnumerable<JournalAction> Gone(SiteParts parts)
        => parts.Members.Where(m => m.PerSite && m.Kind.SharedFolders.Count > 0).SelectMany(member =>
        {
            var transport = member.Env.Connect(member.Web);
            var folders = member.Kind.SharedFolders.Select(f => Path.Combine(member.Platform.Root, f)).ToList();
            var accounts = new[] { member.Account }.Concat(SiteAccountSteps.Former(member, transport).Select(a => a.Name)).Distinct(StringComparer.Ordinal);
            return accounts.Select(a => JournalActions.DropSharedAcl(member.Web.Name, a, member.Platform.Name, member.Site.Uri, folders));
        }).ToList();

    /// <summary>
    /// After a site's move to another account (<see cref="SiteAccountSteps.EndHandover"/>): the entries of each former
    /// account still there go from the platform's shared folders once no site of it runs as that account.
    /// </summary>
    public static void AfterHandover(OperationPlan plan, SiteParts parts, IReadOnlyList<PhpAccount> former)
    {
        if (former.Count == 0 || parts.Kind.SharedFolders.Count == 0) return;
        var folders = parts.Kind.SharedFolders.Select(f => Path.Combine(parts.Platform.Root, f)).ToList();
        plan.Add(parts.Web.Name, PlanAction.Set, $"take the entries of {string.Join(", ", former.Select(a => a.Name))} away in the shared folders of @{parts.Platform.Name} when no site there runs as {(former.Count == 1 ? "it" : "them")}", ctx =>
        {
            var transport = parts.Env.Connect(parts.Web);
            foreach (var account in former)
                ctx.Step($"Taking the entries of {account.Name} away in the shared folders of @{parts.Platform.Name}, unless a site there runs as it{parts.OnMember}",
                    () => Drop(parts.Env, parts.Env.Store, transport, JournalActions.DropSharedAcl(parts.Web.Name, account.Name, parts.Platform.Name, parts.Site.Uri, folders), ctx));
        });
    }

    /// <summary>Carries out <see cref="JournalActions.DropSharedAcl"/>: nothing while another site of the platform runs as the account there.</summary>
    public static void Drop(OperationEnvironment env, ContextStore store, ITransport transport, JournalAction action, TaskContext ctx)
    {
        var account = action.Arg("account");
        var platform = action.Arg("platform");
        var pools = env.Pools(env.Server(action.Arg("server")));
        using var held = pools.HoldAccounts();
        var others = store.List(ContextType.Site).Contexts.OfType<AegirSite>()
            .Where(s => s.PlatformName == platform && s.Uri != action.Arg("uri"))
            .Where(s => pools.UserOf(SiteAccount.NameFor(s.Uri, store.Home)) == account || new AccountHandover(transport, pools, SiteAccount.NameFor(s.Uri, store.Home)).Accounts.Contains(account))
            .Select(s => s.Uri).ToList();
        if (others.Count > 0) { ctx.Info($"{account} keeps its entries in the shared folders of @{platform}: {string.Join(", ", others)} run{(others.Count == 1 ? "s" : "")} as it there."); return; }
        var paths = action.Arg("paths").Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(p => transport.Kind(p) == PathKind.Directory).ToList();
        if (paths.Count > 0 && transport.UserExists(account))
        {
            var result = transport.Run(AclRemoval.User(account, paths));
            if (!result.Succeeded) throw new IOException($"Taking the entries of {account} away in {string.Join(", ", paths)} failed: {result.Summary()}");
        }
    }
}
