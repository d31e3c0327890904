using Aegir.Core.Contexts;
using Aegir.Core.Operations.Site;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Client;

/// <summary>
/// Grants a person a client's sites (Grant-AegirClientAccess): on each machine that serves them, the person (made a
/// login with <see cref="Parameters.Create"/>, with an SSH key) joins the client's group, which the sites' folders
/// give access to by ACL; the client's record lists the person, and Invoke-AegirSiteCommand -User runs as them on
/// those sites alone. Root, system and service accounts, and any account with root's powers, are refused.
/// </summary>
public sealed class GrantClientAccess : ClientAccessOperation<GrantClientAccess.Parameters>
{
    /// <param name="SshKey">The public key the new login gets (with <paramref name="Create"/>); not a secret.</param>
    public sealed record Parameters(string Client, string User, bool Create = false, string? SshKey = null) : IClientParameters;

    public override string Type => "grant";

    /// <summary>The lowest uid of a person's login (login.defs' UID_MIN): below are the system's and services' accounts.</summary>
    const int FirstLogin = 1000;

    public override void Check(Parameters p, ContextStore store)
    {
        base.Check(p, store);
        if (p.SshKey is not null && !p.Create)
            throw ErrorCatalog.InvalidValue("SshKey", p.SshKey, "only a login the module makes (-Create) gets a key", "Add -Create, or put the key into the user's ~/.ssh/authorized_keys yourself.");
        if (p.SshKey is { } key && SshPublicKey.Problem(key) is { } problem)
            throw ErrorCatalog.InvalidValue("SshKey", key, problem, "Give one public key line (ssh-ed25519 AAAA... alice@laptop) or the path of a .pub file.");
    }

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        Check(p, env.Store);
        var (client, user, servers) = Resolve(p, env);
        var group = ClientGroups.Require(client);
        foreach (var server in servers)
            plan.Add(server.Name, PlanAction.Set, $"put {user} into the group {group} on @{server.Name}{(p.Create ? $", making the login {user} when it is missing" : "")}",
                ctx => Join(ctx, env, server, user, client, p));
        if (servers.Count == 0)
            plan.Add(client.Name, PlanAction.Check, $"note that {client.ShortName} has no sites yet: {user} joins {group} on each web server as its sites are installed there",
                ctx => ctx.Info($"The client '{client.ShortName}' has no sites yet: {user} joins the group {group} on each web server as its sites are installed or verified there."));
        SiteSteps.Record<AegirClient>(plan, env, client.Name, $"record {user} among the people of {client.ShortName}", $"Recording {user} among the people of {client.ShortName}",
            c => c.People = [.. c.People, user]);
    }

    static void Join(TaskContext ctx, OperationEnvironment env, AegirServer server, string user, AegirClient owner, Parameters p)
    {
        var transport = env.Connect(server);
        var (group, client) = (owner.UnixGroup, owner.ShortName);
        // Before a login is made: a group there that is not the client's to use is refused with nothing changed.
        ClientGroupUse.Check(env, server, transport, owner, group, owner.AdoptGroup);
        var account = UserAccount.Find(transport, user);
        if (account is null)
        {
            if (!p.Create) throw ErrorCatalog.PersonMissing(user, server.Name, client);
            ctx.Step($"Making the login {user} on '@{server.Name}'{(p.SshKey is null ? "" : " with its SSH key")}", () => UnixGroups.AddPerson(transport, user, p.SshKey, server.Name),
                JournalActions.DeletePerson(server.Name, user));
            account = UserAccount.Find(transport, user) ?? throw ErrorCatalog.PersonMissing(user, server.Name, client);
        }
        else if (p.Create) ctx.Info($"{user} is a user on '@{server.Name}' already: it was left as it is{(p.SshKey is null ? "" : ", its SSH keys too")}.");
        if (Refused(account, ScriptUser.WebGroup(server)) is { } why) throw ErrorCatalog.PersonPrivileged(user, server.Name, why);
        ClientGroupUse.Claim(ctx, env, server, transport, owner, group, owner.AdoptGroup);
        if (account.InGroup(group)) ctx.Info($"{user} is in the group {group} on '@{server.Name}' already.");
        else ctx.Step($"Putting {user} into the group {group} on '@{server.Name}'", () => UnixGroups.Join(transport, user, group, server.Name), JournalActions.LeaveGroup(server.Name, user, group));
    }

    /// <summary>Why an account may be granted no client's sites: root's powers, a service's account, or the system's (a uid below the logins').</summary>
    public static string? Refused(UserAccount account, string webGroup)
        => ScriptUser.Privilege(account, switching: true, webGroup)
           ?? (account.Uid < FirstLogin ? $"it is a system account (uid {account.Uid}, below {FirstLogin})" : null);
}
