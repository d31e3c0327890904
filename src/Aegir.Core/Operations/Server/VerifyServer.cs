using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Server;

/// <summary>
/// Verifies a server: a web server's script user first (there, unprivileged, in the web group), then its config tree
/// and include (tested, reloaded), and database admin access.
/// </summary>
public sealed class VerifyServer : Operation<VerifyServer.Parameters>
{
    /// <param name="TrustHostKey">Pin the host key a server reached over ssh offers, when none is pinned yet.</param>
    public sealed record Parameters(string Server, bool TrustHostKey = false);

    public override string Type => "verify";
    public override ContextType TargetType => ContextType.Server;
    public override string TargetOf(Parameters p) => p.Server;
    public override IReadOnlyList<string> WebServersOf(Parameters p, ContextStore store) => [p.Server];

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var server = env.Server(p.Server, "Name");
        if (server.IsCluster)
        {
            PlanCluster(p, plan, env, server);
            return;
        }
        bool here = ThisMachine.Is(server);
        if (!here) PlanConnection(p, plan, env, server);
        else if (p.TrustHostKey) plan.Add(server.Name, PlanAction.Check, $"@{server.Name} is this machine: no host key to pin",
            ctx => ctx.Warn($"'@{server.Name}' is this machine, reached without ssh: -TrustHostKey had no key to pin."));
        if (!server.Http.IsNull)
        {
            var http = env.Http(server);
            var user = server.ScriptUser;
            plan.Add(server.Name, PlanAction.Check, $"check that the script user {user} is on @{server.Name}, holds none of root's powers and is in the group {http.WebGroup}",
                ctx => ctx.Step($"Checking the script user {user}", () =>
                {
                    var account = Transport.ScriptUser.Require(env.Connect(server), user, server.Name, http.WebGroup);
                    if (!account.InGroup(http.WebGroup)) throw Errors.ErrorCatalog.ScriptUserNotInWebGroup(user, server.Name, http.WebGroup);
                    ctx.Info($"Commands for its sites run as {user} (uid {account.Uid}).");
                }));
            plan.Add(server.Name, PlanAction.Write, $"create the {http.Type} config folders, write {http.ServerConfigPath} and test the {http.Type} config of @{server.Name}",
                ctx => http.Verify(ctx));
            Pools(plan, env, server);
            Site.SiteSteps.Reload(plan, env, server, http);
        }
        if (!server.Db.IsNull)
        {
            var db = env.Db(server);
            plan.Add(server.Name, PlanAction.Check, $"check {db.Type} admin access on @{server.Name} ({db.Host}:{db.Port}) by creating and dropping a database and a user",
                ctx => db.Verify(ctx));
        }
        if (server.Http.IsNull && server.Db.IsNull && here)
            plan.Add(server.Name, PlanAction.Check, $"@{server.Name} has no services: nothing to verify",
                ctx => ctx.Warn($"'@{server.Name}' has no services; there was nothing to verify."));
        // The records are this machine's: its own server's verify checks their index, last.
        if (here) Site.SiteIndexCheck.Plan(plan, env, server.Name);
    }

    /// <summary>Each site's own pool and account: what they need is there, or the server says why its sites share one pool.</summary>
    static void Pools(OperationPlan plan, OperationEnvironment env, AegirServer server)
    {
        if (server.Http.Get("php_pools") != "per-site")
        {
            if (server.Http.Get("php_accounts") == "per-client")
                plan.Add(server.Name, PlanAction.Check, $"note that php_accounts per-client does nothing on @{server.Name} while its sites share one pool", ctx =>
                    ctx.Warn($"php_accounts is per-client on '@{server.Name}', but its sites share one PHP-FPM pool (php_pools = shared), so they all run as the web server's user: set -HttpSetting @{{ php_pools = 'per-site' }} for each client's sites to run as the client's account."));
            return;
        }
        plan.Add(server.Name, PlanAction.Check, $"check that PHP-FPM runs on @{server.Name}, passes its config test and includes {server.Http.Get("php_fpm_pool_dir")}, where each site's pool goes", ctx =>
        {
            if (!env.PerSitePools(server))
            {
                ctx.Warn($"The sites of '@{server.Name}' share one PHP-FPM pool ({server.Http.Get("php_fpm_socket")}) as the web server's user: only a connection as root makes each site an account and a pool of its own, and this one is {env.Connect(server).User}. Connect as root, or say so with -HttpSetting @{{ php_pools = 'shared' }}.");
                return;
            }
            var warning = ctx.Step($"Checking PHP-FPM for the sites' own pools on '@{server.Name}'", () => env.Pools(server).Check());
            if (warning is not null) ctx.Warn(warning);
            ctx.Info(server.Http.Get("php_accounts") == "per-client"
                ? $"Each site's PHP runs in a PHP-FPM pool of its own on '@{server.Name}', as its client's account (a site without a client, as its own)."
                : $"Each site's PHP runs in a PHP-FPM pool of its own, as an account of its own, on '@{server.Name}'.");
        });
    }

    /// <summary>
    /// A cluster: each member verified as a server, then what drifted apart on the members put right, naming the
    /// member: a pushed platform's code is compared and pushed again on each, a kept one compared; a site's vhost
    /// missing or different on a member is written there again (tested) and that member reloaded.
    /// </summary>
    void PlanCluster(Parameters p, OperationPlan plan, OperationEnvironment env, AegirServer cluster)
    {
        var members = env.Members(cluster);
        foreach (var member in members) Plan(p with { Server = member.Name }, plan, env);
        var platforms = env.Store.List(ContextType.Platform).Contexts.Cast<AegirPlatform>().Where(pl => pl.WebServerName == cluster.Name && pl.Kind is not null).ToList();
        foreach (var platform in platforms)
        {
            var kind = env.KindOf(platform, cluster);
            if (platform.Source is null) Platform.PlatformCode.Compare(plan, env, platform, members, kind);
            else foreach (var member in members) Platform.PlatformPush.Plan(plan, env, platform, member, kind);
        }
        var names = platforms.Select(pl => pl.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var site in env.Store.List(ContextType.Site).Contexts.Cast<AegirSite>().Where(s => names.Contains(s.PlatformName) && s.Status != SiteStatus.NotInstalled))
            plan.Add(cluster.Name, PlanAction.Check, $"check the pool of {site.Uri} on each member of @{cluster.Name} that gives it its own, and that its vhost is the same on every member, writing them again where they are not",
                ctx => SiteDrift(ctx, env, cluster, site));
        // Last, so no later step can fail: it follows the record, and is written again on every verify.
        var front = (Services.Cluster.ClusterService)env.Http(cluster);
        plan.Add(cluster.Name, PlanAction.Write, $"write the haproxy front of @{cluster.Name} to {front.FrontConfigPath} on this machine", ctx =>
            ctx.Step($"Writing the haproxy front of '@{cluster.Name}' to {front.FrontConfigPath}", () =>
            {
                IO.AtomicFile.EnsurePrivateDirectory(Path.GetDirectoryName(front.FrontConfigPath)!);
                IO.AtomicFile.WriteAllText(front.FrontConfigPath, front.FrontConfig());
                ctx.Info($"An haproxy front for the members of '@{cluster.Name}' is in {front.FrontConfigPath}: run it (haproxy -f) on the machine its sites' names lead to.");
            }));
    }

    /// <summary>
    /// A cluster's site as it should be on each member: its own pool (and its folders) where the member gives it one,
    /// then its vhost; what is missing or differs on a member is named, written again there (tested) and that member
    /// reloaded. A site whose account a member lacks has not moved into its own pool there yet: its own verify does that
    /// (account, files, pool, then vhost), so its vhost is left alone here.
    /// </summary>
    static void SiteDrift(Tasks.TaskContext ctx, OperationEnvironment env, AegirServer cluster, AegirSite site)
    {
        var parts = Site.SiteParts.Resolve(site, env);
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in parts.Members.Where(m => m.PerSite))
        {
            var transport = env.Connect(member.Web);
            if (!Services.Php.SiteAccount.Exists(transport, member.RunAs))
            {
                ctx.Warn($"{site.Uri} has no account {member.Account} on member '@{member.Web.Name}' of '@{cluster.Name}' yet, so its PHP runs in that member's shared pool or as another account: verify the site (Invoke-AegirVerify {site.Uri}) to move it into its account and pool there.");
                return;
            }
            // A pool that runs as another account (php_accounts or the site's client changed) moves with the site's own verify, its files with it.
            if (member.Pools.UserOf(member.PoolName) is { } user && user != member.Account)
            {
                ctx.Warn($"The PHP-FPM pool of {site.Uri} on member '@{member.Web.Name}' of '@{cluster.Name}' runs as {user}, not {member.Account}: verify the site (Invoke-AegirVerify {site.Uri}) to move it.");
                return;
            }
            ctx.Secret(member.DatabaseIfAny()?.Password);
            var want = member.PoolFile();
            if (transport.ReadFile(member.Pools.PoolPath(member.PoolName)) is { } now && System.Text.Encoding.UTF8.GetString(now) == want) continue;
            ctx.Warn($"The PHP-FPM pool of {site.Uri} on member '@{member.Web.Name}' of '@{cluster.Name}' {(transport.Kind(member.Pools.PoolPath(member.PoolName)) == PathKind.None ? "is missing" : "differs from what it should be")}; it is written again.");
            member.Pools.Folders(ctx, member.PoolName, member.Account);
            member.Pools.Change(ctx, member.PoolName, want);
            changed.Add(member.Web.Name);
        }
        var vhost = parts.Vhost(site.Status != SiteStatus.Disabled);
        foreach (var (name, problem) in ((Services.Cluster.ClusterService)parts.Http).Drifted(vhost))
        {
            ctx.Warn($"The vhost of {site.Uri} on member '@{name}' of '@{cluster.Name}' {problem}; it is written again.");
            env.Http(env.Server(name, "ClusterMembers")).WriteSite(ctx, vhost.On(name));
            changed.Add(name);
        }
        foreach (var name in changed)
        {
            var http = env.Http(env.Server(name, "ClusterMembers"));
            ctx.Step($"Reloading {http.Type} on '@{name}'", () => http.Reload(ctx));
        }
    }

    /// <summary>
    /// Another machine: its host key pinned first (shown, and recorded only when asked), then a login that proves the
    /// key and the account work before any other step sends anything.
    /// </summary>
    static void PlanConnection(Parameters p, OperationPlan plan, OperationEnvironment env, AegirServer server)
    {
        var settings = SshSettings.Of(server);
        if (settings.HostKeyFingerprint is null && env.ForDisplay)
        {
            // A plan only shown reaches no server: the key is seen when the task runs.
            if (!p.TrustHostKey) throw ErrorCatalog.InvalidValue("TrustHostKey", server.Name, $"'@{server.Name}' has no host key pinned, so the verify would stop at its first connection",
                $"Pin its key: Invoke-AegirVerify {server.Name} -TrustHostKey, or Set-AegirServer {server.Name} -HostKeyFingerprint SHA256:...");
            plan.Add(server.Name, PlanAction.Record, $"pin the host key @{server.Name} offers (shown in the log)", _ => { });
            plan.Add(server.Name, PlanAction.Check, $"log in to @{server.Name} over ssh as {settings.User} ({settings.Host}:{settings.Port})", _ => { });
            return;
        }
        if (settings.HostKeyFingerprint is null)
        {
            var offered = "SHA256:" + SshTransport.ProbeHostKey(settings);
            if (!p.TrustHostKey) throw ErrorCatalog.HostKeyNotPinned(settings.Where, server.Name, offered[7..]);
            // Pinned on this task's copy at once, so every later step of it checks the key against the one shown.
            server.Connection.Set(SshSettings.HostKeySetting, offered);
            Site.SiteSteps.Record<AegirServer>(plan, env, server.Name, $"pin the host key {offered} of @{server.Name}",
                $"Pinning the host key {offered} of '@{server.Name}'", s => s.Connection.Set(SshSettings.HostKeySetting, offered));
            settings = SshSettings.Of(server);
        }
        var pinned = settings.HostKeyFingerprint;
        plan.Add(server.Name, PlanAction.Check, $"log in to @{server.Name} over ssh as {settings.User}{(settings.UseSudo ? " (root through sudo)" : "")} ({settings.Host}:{settings.Port}, host key {pinned})",
            ctx => ctx.Step($"Logging in to '@{server.Name}' over ssh as {settings.User}", () =>
            {
                var transport = env.Connect(server);
                var result = transport.Run(new CommandSpec("id", ["-u"]) { Timeout = TimeSpan.FromSeconds(30) });
                if (!result.Succeeded) throw ErrorCatalog.SshFailed(settings.Where, settings.Login, $"id -u failed there: {result.Summary()}");
                if (result.StandardOutput.Trim() != "0")
                    throw ErrorCatalog.StepFailed(ErrorIds.ServerUnreachable, $"Logging in to '@{server.Name}'", $"{settings.User} is not root there (uid {result.StandardOutput.Trim()}), and the module's work there needs root",
                        $"Log in as root (Set-AegirServer {server.Name} -SshUser root, with the key in root's authorized_keys on {settings.Host}), or let {settings.User} use sudo: Set-AegirServer {server.Name} -SshPrivilege sudo, and on {settings.Host}: {settings.SudoersLine}");
                var with = ((transport as SharedTransport)?.Inner ?? transport) is SshTransport ssh ? $" with {ssh.LoggedInWith}" : "";
                ctx.Info($"Logged in to '@{server.Name}' ({settings.Host}:{settings.Port}) as {settings.User}{(settings.UseSudo ? ", working as root through sudo," : "")}{with}; its host key is {pinned}.");
            }));
    }
}
