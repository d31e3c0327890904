using Aegir.Core.Services.Files;
using Aegir.Core.Services.Php;
using Aegir.Core.Tasks;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// The plan steps of the account a site runs as and its own PHP-FPM pool: the account (the site's own, or its
/// client's), the pool, a move of the pool between accounts, and what goes when the site goes.
/// </summary>
internal static class SiteAccountSteps
{
    /// <summary>
    /// The account the site runs as (its own, or its client's) and its pool's folders (socket, temp, sessions), on a
    /// server that runs each site in a pool of its own; the undo deletes what the step made. A pool that runs as
    /// another account switches to this one here (<see cref="Handover"/>).
    /// </summary>
    internal static void Account(OperationPlan plan, SiteParts parts)
    {
        if (!parts.PerSite) return;
        var account = parts.RunAs;
        plan.Add(parts.Web.Name, PlanAction.Create, $"make the account {account.Name} of {account.Of} on @{parts.Web.Name}, and the PHP folders of {parts.Site.Uri} in {parts.Pools.SiteDir(parts.PoolName)}", ctx =>
        {
            var transport = parts.Env.Connect(parts.Web);
            var current = parts.Pools.UserOf(parts.PoolName);
            using (parts.Pools.HoldAccounts())
            {
                // Noted first, so that no task deletes the account (its client's last other site gone) before the pool runs as it.
                if (current != account.Name)
                {
                    var made = new FileService(transport).FirstMissing(parts.Pools.SiteDir(parts.PoolName));
                    ctx.Step($"Noting that {parts.Site.Uri} is to run as {account.Name}", () => new AccountHandover(transport, parts.Pools, parts.PoolName).Begin([.. current is null ? [] : new[] { current }, account.Name]),
                        made is null ? null : JournalActions.DeletePath(parts.Web.Name, made));
                }
                if (!SiteAccount.Exists(transport, account))
                    ctx.Step($"Making the account {account.Name} of {account.Of}{parts.OnMember}", () => SiteAccount.Ensure(transport, account), DeleteAccount(parts, account));
            }
            if (current is not null && current != account.Name) Handover(ctx, parts, current);
            parts.Pools.Folders(ctx, parts.PoolName, account.Name);
            // Under the accounts lock: two sites' tasks on one platform (moves hold it shared) edit the same folders' ACLs.
            if (SharedFolders(parts) is { Count: > 0 } shared)
                ctx.Step($"Letting {account.Name} write the folders every site of @{parts.Platform.Name} shares ({string.Join(", ", parts.Kind.SharedFolders)}){parts.OnMember}", () =>
                {
                    using var held = parts.Pools.HoldAccounts();
                    SiteAccount.GrantShared(transport, account.Name, shared);
                });
        });
    }

    /// <summary>The change that deletes an account the site ran as: a client's only once no site runs as it.</summary>
    static JournalAction DeleteAccount(SiteParts parts, PhpAccount account)
        => account.Client is { } client
            ? JournalActions.DeleteClientAccount(parts.Web.Name, account.Name, client, parts.PoolName, SharedFolders(parts))
            : JournalActions.DeleteAccount(parts.Web.Name, account.Name, account.Of, parts.PoolName, SharedFolders(parts));

    /// <summary>
    /// A site whose pool runs as another account than it should (php_accounts changed, or its client) moves: the move is
    /// noted, the new account is let into the site's files and its pool's folders (ACL entries, undone with the task),
    /// and the pool, rewritten to run as it, reloads at once, while the former account's files stay readable to both.
    /// <see cref="SiteSteps.Reclaim"/> then gives the new account the former's files and ends the move.
    /// </summary>
    static void Handover(TaskContext ctx, SiteParts parts, string current)
    {
        var pools = parts.Pools;
        var transport = parts.Env.Connect(parts.Web);
        var handover = new AccountHandover(transport, pools, parts.PoolName);
        var paths = HandoverPaths(parts);
        ctx.Step($"Letting {parts.Account} reach the files of {parts.Site.Uri} while its pool moves from {current}", () => handover.Grant(parts.Account, paths),
            JournalActions.DropUserAcl(parts.Web.Name, parts.Account, paths));
        ctx.Secret(parts.DatabaseIfAny()?.Password);
        pools.Change(ctx, parts.PoolName, parts.PoolFile());
        // PHP-FPM alone, now: the vhost is the same (the socket is the pool's), and the files the site's PHP needs must
        // follow only once no new request runs as the former account.
        ctx.Step($"Reloading PHP-FPM on '@{parts.Web.Name}', so {parts.Site.Uri} runs as {parts.Account}", () =>
        {
            if (pools.IsRunning) pools.ReloadIfPending(ctx);
        });
    }

    /// <summary>What a site's PHP reaches of its own: its folders in the platform, its settings file, its pool's temp and session folders.</summary>
    static IReadOnlyList<string> HandoverPaths(SiteParts parts)
    {
        var dir = parts.Pools.SiteDir(parts.PoolName);
        var own = parts.Kind.SiteRoots(parts.Site.Uri).Concat(parts.Kind.SiteSettingsPath(parts.Site.Uri) is { } settings ? [settings] : [])
            .Select(p => Path.Combine(parts.Platform.Root, p));
        return [.. own.Distinct(), Path.Combine(dir, "tmp"), Path.Combine(dir, "sessions")];
    }

    /// <summary>
    /// The site's own PHP-FPM pool (tested; PHP-FPM reloads with the web server, before it), on each machine that serves
    /// it and runs each site in a pool of its own: every member of a cluster has its own, with its own socket.
    /// </summary>
    public static void Pool(OperationPlan plan, SiteParts site)
    {
        foreach (var parts in site.Members) PoolOn(plan, parts);
    }

    static void PoolOn(OperationPlan plan, SiteParts parts)
    {
        if (!parts.PerSite)
        {
            // A server switched back to one shared pool: the site's own pool goes (its account stays, owning its files).
            var transport = parts.Env.Connect(parts.Web);
            if (transport.User == "root" && transport.Kind(parts.Pools.PoolPath(parts.PoolName)) == Transport.PathKind.File)
                plan.Add(parts.Web.Name, PlanAction.Delete, $"remove {parts.Pools.PoolPath(parts.PoolName)}: the sites of @{parts.Web.Name} share one pool now",
                    ctx => parts.Pools.Change(ctx, parts.PoolName, null));
            return;
        }
        plan.Add(parts.Web.Name, PlanAction.Write, $"write {parts.Pools.PoolPath(parts.PoolName)} ({(parts.Account == parts.PoolName ? "" : $"run as {parts.Account}, ")}its database credentials in its environment) and test PHP-FPM's config on @{parts.Web.Name}",
            ctx =>
            {
                ctx.Secret(parts.DatabaseIfAny()?.Password);
                parts.Pools.Change(ctx, parts.PoolName, parts.PoolFile());
            });
    }

    /// <summary>The platform's shared folders (a manifest's shared_folders), in full.</summary>
    static IReadOnlyList<string> SharedFolders(SiteParts parts) => parts.Kind.SharedFolders.Select(f => Path.Combine(parts.Platform.Root, f)).ToList();

    /// <summary>
    /// Removes the site's pool on each machine that serves it (tested; PHP-FPM reloads with the web server); the account
    /// it ran as and its folders go at the task's point of no return (<see cref="AccountGone"/>).
    /// </summary>
    public static void RemovePool(OperationPlan plan, SiteParts site)
    {
        foreach (var parts in site.Members.Where(m => m.PerSite))
            plan.Add(parts.Web.Name, PlanAction.Delete, $"remove {parts.Pools.PoolPath(parts.PoolName)} and test PHP-FPM's config on @{parts.Web.Name}",
                ctx => parts.Pools.Change(ctx, parts.PoolName, null));
    }

    /// <summary>
    /// The changes, past a task's point of no return, that delete the site's PHP folders and the account it ran as on
    /// each machine where it no longer runs: its own, and its client's once no other site runs as it; an account it was
    /// moving from too.
    /// </summary>
    public static IEnumerable<JournalAction> AccountGone(SiteParts site)
        => site.Members.Where(m => m.PerSite).SelectMany(parts =>
        {
            var transport = parts.Env.Connect(parts.Web);
            var accounts = new[] { parts.RunAs, PhpAccount.ForSite(parts.Site.Uri, parts.Env.Home) }.Concat(Former(parts, transport)).DistinctBy(a => a.Name);
            return new[] { JournalActions.DeletePath(parts.Web.Name, parts.Pools.SiteDir(parts.PoolName)) }.Concat(accounts.Select(a => DeleteAccount(parts, a)));
        }).ToList();

    /// <summary>
    /// The accounts of ours the site ran as before and moves from (its pool's former account, as the move's note or its
    /// pool file names it), not the one it runs as now.
    /// </summary>
    internal static IReadOnlyList<PhpAccount> Former(SiteParts parts, Transport.ITransport transport)
    {
        if (!parts.PerSite) return [];
        var names = new AccountHandover(transport, parts.Pools, parts.PoolName).Accounts.Append(parts.Pools.UserOf(parts.PoolName)).OfType<string>();
        return names.Where(n => n != parts.Account).Distinct()
            .Select(n => SiteAccount.CommentOf(transport, n) is { } comment ? PhpAccount.Ours(n, comment, parts.Env.Home) : null)
            .OfType<PhpAccount>().ToList();
    }

    /// <summary>
    /// Ends a site's move to another account: what the former accounts left in its pool's temp and session folders is
    /// the new one's, the ACL entries that let the new account in during the move go, and each former account of ours
    /// that no site runs as any more is deleted (a client's last site gone from it).
    /// </summary>
    internal static void EndHandover(OperationPlan plan, SiteParts parts, IReadOnlyList<PhpAccount> former)
    {
        var shown = former.Count == 0 ? "" : $", and delete {string.Join(", ", former.Select(a => a.Name))} once no site runs as {(former.Count == 1 ? "it" : "them")}";
        plan.Add(parts.Web.Name, PlanAction.Set, $"end the move of {parts.Site.Uri} to the account {parts.Account}{shown}", ctx =>
        {
            var transport = parts.Env.Connect(parts.Web);
            var pools = parts.Pools;
            var handover = new AccountHandover(transport, pools, parts.PoolName);
            var names = former.Select(a => a.Name).Where(transport.UserExists).ToList();
            ctx.Step($"Giving {parts.Account} what {string.Join(", ", names.DefaultIfEmpty("root"))} left in the temp and session folders of {parts.Site.Uri}",
                () => new FileService(transport).TakeFromRoot(pools.SiteDir(parts.PoolName), ["tmp", "sessions"], parts.Account, names));
            ctx.Step($"Taking away the ACL entries that let {parts.Account} in during the move", () => handover.Drop(parts.Account, HandoverPaths(parts)));
            foreach (var account in former)
            {
                using var held = pools.HoldAccounts();
                if (pools.InUse(account.Name, exceptPool: parts.PoolName)) { ctx.Info($"The account {account.Name} of {account.Of} stays: a site on this machine runs as it."); continue; }
                ctx.Step($"Deleting the account {account.Name} of {account.Of}: no site runs as it any more",
                    () => SiteAccount.Remove(transport, account, SharedFolders(parts), ctx.Info));
            }
            ctx.Step($"Noting that the move of {parts.Site.Uri} to {parts.Account} is done", handover.End);
        });
    }
}
